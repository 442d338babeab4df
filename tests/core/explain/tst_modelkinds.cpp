// Contract version 2's model kinds, written as research code writes them and
// exported unchanged (models/attnscope/research_style.py): a timm-style ViT
// that takes only an image (with register tokens) and a BERT-style text
// classifier that takes input_ids, attention_mask and token_type_ids, its
// WordPiece vocabulary stored in the archive. Everything is held to
// tests/data/model_kinds.reference.json, made by the independent Python
// implementation (models/attnscope/reference.py, which reads text with the
// Python WordPiece in attnscope/wordpiece.py), to 1e-4.
#include "methodsreference.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/capturedrun.h"
#include "core/engine/inferenceengine.h"
#include "core/error.h"
#include "core/explain/attentionsinks.h"
#include "core/explain/explainer.h"
#include "core/explain/modalityweights.h"
#include "core/explain/perturbationtest.h"
#include "core/explain/trustcheck.h"
#include "core/io/inputloader.h"

#include <QTest>

#include <cmath>

using namespace attnscope;
using namespace attnscope::core;

class TestModelKinds : public QObject
{
    Q_OBJECT
private slots:
    void matchesReference_data();
    void matchesReference();
    void imageOnlyModel();
    void textOnlyModel();
    void scoresAsTheModelComputesThem();
};

namespace {

Json referenceCase(int index)
{
    return test::readJson(test::dataPath("model_kinds.reference.json")).find("cases")->toArray()[static_cast<size_t>(index)];
}

std::vector<float> asFloats(const std::vector<int64_t> &values)
{
    return std::vector<float>(values.begin(), values.end());
}

} // namespace

void TestModelKinds::matchesReference_data()
{
    QTest::addColumn<int>("index");
    const Json ref = test::readJson(test::dataPath("model_kinds.reference.json"));
    const auto &cases = ref.find("cases")->toArray();
    QVERIFY(cases.size() >= 6);
    for (size_t i = 0; i < cases.size(); ++i)
        QTest::addRow("%s #%d", cases[i].find("model")->toString().c_str(), static_cast<int>(i)) << static_cast<int>(i);
}

void TestModelKinds::matchesReference()
{
    QFETCH(int, index);
    const Json ref = referenceCase(index);
    const auto bundle = ModelBundle::load(test::dataPath(ref.find("model")->toString()), DeviceChoice::Cpu);
    const Json *image = ref.find("image");
    const Json *pair = ref.find("pair");
    const ModelInput input = InputLoader::load(bundle->manifest(), image->isNull() ? std::string() : test::dataPath(image->toString()),
                                               ref.find("text")->toString(), pair ? pair->toString() : std::string());
    if (const Json *tokens = ref.find("tokens")) {
        // The C++ WordPiece and the Python one read the text alike.
        QCOMPARE(input.text.tokens.size(), tokens->find("tokens")->toArray().size());
        for (size_t i = 0; i < input.text.tokens.size(); ++i) {
            QCOMPARE(input.text.tokens[i], tokens->find("tokens")->toArray()[i].toString());
            QCOMPARE(input.text.unknown[i] != 0, input.text.tokens[i] == "[UNK]");
        }
        QCOMPARE(asFloats(input.text.ids), test::floatsOf(*tokens->find("ids")));
        QCOMPARE(asFloats(input.text.typeIds), test::floatsOf(*tokens->find("type_ids")));
        QCOMPARE(asFloats(input.text.mask), test::floatsOf(*tokens->find("mask")));
    }
    auto run = InferenceEngine::run(bundle, input, Gradients::Record);
    test::compareRunWithReference(*run, ref);
    if (QTest::currentTestFailed())
        return;
    const int target = static_cast<int>(ref.find("target")->toNumber());

    // Attention sinks and registers, and rollout with them left out.
    const std::vector<AttentionSink> sinks = AttentionSinks::find(*run);
    const auto &expectedSinks = ref.find("attention_sinks")->toArray();
    QCOMPARE(sinks.size(), expectedSinks.size());
    for (size_t i = 0; i < sinks.size(); ++i) {
        const Json &s = expectedSinks[i];
        QCOMPARE(sinks[i].stream, static_cast<int>(s.find("stream")->toNumber()));
        QCOMPARE(sinks[i].index, static_cast<int>(s.find("index")->toNumber()));
        QCOMPARE(sinks[i].sink, s.find("sink")->toBool());
        QCOMPARE(sinks[i].registerToken, s.find("register")->toBool());
        QVERIFY(std::fabs(sinks[i].headShare - s.find("head_share")->toNumber()) < 1e-6);
        QVERIFY(std::fabs(sinks[i].meanAttention - s.find("mean_attention")->toNumber()) < 1e-4);
        QVERIFY(std::fabs(sinks[i].evenShare - s.find("even_share")->toNumber()) < 1e-7);
    }
    MethodOptions withoutSinks;
    withoutSinks.method = Method::Rollout;
    withoutSinks.excludeSinks = true;
    const Explanation r = Explainer::explain(*run, withoutSinks);
    QCOMPARE(r.sinksExcluded, true);
    QCOMPARE(r.sinkTokens.size(), sinks.size());
    const Json &expectedRollout = *ref.find("rollout_without_sinks");
    if (!expectedRollout.find("patch_scores")->isNull())
        ATTNSCOPE_COMPARE_FLOATS(r.patchScores, test::floatsOf(*expectedRollout.find("patch_scores")));
    if (!expectedRollout.find("token_scores")->isNull())
        ATTNSCOPE_COMPARE_FLOATS(r.tokenScores, test::floatsOf(*expectedRollout.find("token_scores")));

    const Explanation relevance = Explainer::explain(*run, MethodOptions{});
    const ModalityWeights w = ModalityWeights::compute(*run, target, &relevance);
    const Json &occ = *ref.find("modality_weights")->find("occlusion");
    QVERIFY(std::fabs(w.probability - occ.find("probability")->toNumber()) < 1e-4);
    if (occ.find("image_blanked")->isNull())
        QVERIFY(std::isnan(w.imageOccluded));
    else
        QVERIFY(std::fabs(w.imageOccluded - occ.find("image_blanked")->toNumber()) < 1e-4);
    if (occ.find("text_masked")->isNull())
        QVERIFY(std::isnan(w.textOccluded));
    else
        QVERIFY(std::fabs(w.textOccluded - occ.find("text_masked")->toNumber()) < 1e-4);

    if (const Json *pert = ref.find("perturbation")) {
        const Json &curves = *pert->find("relevance");
        auto &b = const_cast<ModelBundle &>(run->bundle());
        const PerturbationCurve positive = PerturbationTest::run(b, input, target, relevance, Modality::Image, true);
        const PerturbationCurve negative = PerturbationTest::run(b, input, target, relevance, Modality::Image, false);
        ATTNSCOPE_COMPARE_FLOATS(positive.probabilities, test::floatsOf(*curves.find("positive")));
        ATTNSCOPE_COMPARE_FLOATS(negative.probabilities, test::floatsOf(*curves.find("negative")));
    }
}

// The ViT takes one input: its manifest says so, it loads without any text
// section, and no text input is made for it.
void TestModelKinds::imageOnlyModel()
{
    const auto bundle = ModelBundle::load(test::dataPath("tiny_vit.pt"), DeviceChoice::Cpu);
    const Manifest &m = bundle->manifest();
    QCOMPARE(m.format, 2);
    QCOMPARE(m.inputs, std::vector<std::string>{"image"});
    QVERIFY(m.readsImage());
    QVERIFY(!m.readsText());
    QVERIFY(!m.takesText());
    const ModelInput input = InputLoader::load(m, test::dataPath("images/joint_exact.png"), "ignored");
    QVERIFY(input.text.ids.empty());
    QCOMPARE(input.pixels.size(), size_t(3 * 24 * 32));
    // Three prefix tokens (class + two registers) and 3 x 4 patches.
    QCOMPARE(m.streams[0].length(), 15);
    QCOMPARE(bundle->headCounts(), (std::vector<int>{2, 2}));
}

// The BERT takes no image: a text alone is a whole input, pairs get type
// ids 1 for the second text, and a text too long is cut (and says so).
void TestModelKinds::textOnlyModel()
{
    const auto bundle = ModelBundle::load(test::dataPath("tiny_bert.pt"), DeviceChoice::Cpu);
    const Manifest &m = bundle->manifest();
    QVERIFY(!m.takesImage());
    QVERIFY(!m.readsImage());
    QVERIFY(m.takes("token_type_ids"));
    QCOMPARE(m.text.tokenizer, std::string("wordpiece"));
    const ModelInput single = InputLoader::load(m, std::string(), "playing");
    QVERIFY(single.pixels.empty());
    // [CLS] play ##ing [SEP], then padding: ids from the vocabulary's lines.
    QCOMPARE(std::vector<int64_t>(single.text.ids.begin(), single.text.ids.begin() + 5),
             (std::vector<int64_t>{2, 11, 13, 3, 0}));
    QCOMPARE(single.text.ids.size(), size_t(16));
    QCOMPARE(single.text.unknownWords().size(), size_t(0));
    // A word the vocabulary cannot spell: one [UNK] piece, named as typed;
    // pieces count once per word ("playing" is two pieces, one word).
    const ModelInput unknown = InputLoader::load(m, std::string(), "playing Zébra");
    QCOMPARE(unknown.text.ids[3], int64_t(1));
    QCOMPARE(unknown.text.tokens[3], std::string("[UNK]"));
    QCOMPARE(unknown.text.unknownWords(), std::vector<std::string>{"Zébra"});
    QCOMPARE(unknown.text.keptWords(), 2);
    QVERIFY(QString::fromStdString(unknown.text.unknownWordsNote()).startsWith("1 of 2 words is not in"));
    const ModelInput pair = InputLoader::load(m, std::string(), "he acted", "she");
    QCOMPARE(std::vector<int64_t>(pair.text.typeIds.begin(), pair.text.typeIds.begin() + 8),
             (std::vector<int64_t>{0, 0, 0, 0, 0, 1, 1, 0}));
    QCOMPARE(pair.text.tokens[5], std::string("she"));
    const ModelInput typed = InputLoader::load(m, std::string(), "a [SEP] b");
    QCOMPARE(typed.text.tokens[2], std::string("[SEP]")); // the special token typed in, as the library reads it
    std::string longText;
    for (int i = 0; i < 20; ++i)
        longText += "the film ";
    const ModelInput cut = InputLoader::load(m, std::string(), longText);
    QVERIFY(cut.text.truncated());
    QCOMPARE(cut.text.droppedPieces, 40 - 14);
    QCOMPARE(cut.text.tokens.back(), std::string("[SEP]"));
    QVERIFY_THROWS_EXCEPTION(Error, InputLoader::load(m, std::string(), std::string(2u << 20, 'a')));
}

// A CLIP-style logit is shown as a logit (no sigmoid the model did not
// apply), a multi-label model's labels each by their own sigmoid.
void TestModelKinds::scoresAsTheModelComputesThem()
{
    const auto clip = ModelBundle::load(test::dataPath("tiny_clip.pt"), DeviceChoice::Cpu);
    QCOMPARE(clip->manifest().matchScore, MatchScore::Logit);
    auto run = InferenceEngine::run(clip, InputLoader::load(clip->manifest(), test::dataPath("images/joint_exact.png"),
                                                            "a good film"));
    const Prediction &p = run->prediction();
    QCOMPARE(p.score, Prediction::Score::Logit);
    QCOMPARE(p.probabilities, p.logits); // the score itself
    char expected[32];
    std::snprintf(expected, sizeof expected, "logit %.2f", static_cast<double>(p.logits[0]));
    QCOMPARE(p.formatScore(p.probabilities[0]), std::string(expected));
    QVERIFY(nearChanceNote(p).empty()); // a logit has no chance level
    // The text is read at its first [SEP] (id 3), wherever the caption ends.
    QCOMPARE(clip->manifest().decisionFor(1, run->input().text).index, 4); // [CLS] a good film [SEP]

    const auto multi = ModelBundle::load(test::dataPath("tiny_vit_multilabel.pt"), DeviceChoice::Cpu);
    auto m = InferenceEngine::run(multi, InputLoader::load(multi->manifest(), test::dataPath("images/joint_large.png"), ""));
    const Prediction &q = m->prediction();
    QVERIFY(q.multiLabel);
    double sum = 0.0;
    for (size_t i = 0; i < q.logits.size(); ++i) {
        QVERIFY(std::fabs(q.probabilities[i] - 1.0 / (1.0 + std::exp(-q.logits[i]))) < 1e-6);
        sum += q.probabilities[i];
    }
    QVERIFY(std::fabs(sum - 1.0) > 0.1); // no softmax
    Prediction unsure = q;
    unsure.probabilities = {0.55f, 0.2f, 0.1f};
    QVERIFY(QString::fromStdString(nearChanceNote(unsure)).contains("cannot tell whether"));
}

QTEST_APPLESS_MAIN(TestModelKinds)
#include "tst_modelkinds.moc"
