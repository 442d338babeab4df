// The command line with contract version 2's model kinds: --image, --text
// and --text-pair are needed exactly when the model takes them (exit 2
// naming the option otherwise), an image-only and a text-only model are
// explained and described, and `tokenize --model` shows what the model gets.
#include "clirun.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>

using namespace attnscope;

using test::Result;
using test::data;
using test::runAttnscope;

class TestModelKindsCli : public QObject
{
    Q_OBJECT
private slots:
    void inputsFollowTheModel_data();
    void inputsFollowTheModel();
    void explainsImageOnlyModel();
    void explainsTextPair();
    void infoListsInputs();
    void tokenizeModel();
    void zeroShotRanksCandidates();
    void evalZeroShotAndImageOnly();
};

void TestModelKindsCli::inputsFollowTheModel_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString vit = data("tiny_vit.pt"), bert = data("tiny_bert.pt"), joint = data("tiny_joint.pt");
    const QString image = data("images/joint_large.png");
    QTest::newRow("vit without image") << QStringList{"--model", vit} << "takes an image: give --image";
    QTest::newRow("vit with text") << QStringList{"--model", vit, "--image", image, "--text", "a"}
                                   << "reads no text: leave out --text";
    QTest::newRow("bert with image") << QStringList{"--model", bert, "--image", image, "--text", "a"}
                                     << "takes no image: leave out --image";
    QTest::newRow("bert without text") << QStringList{"--model", bert} << "reads text: give --text or --text-file";
    QTest::newRow("word level with pair") << QStringList{"--model", joint, "--image", image, "--text", "a", "--text-pair", "b"}
                                          << "reads one text, not a pair: leave out --text-pair";
    QTest::newRow("clip with pair") << QStringList{"--model", data("tiny_clip.pt"), "--image", image, "--text", "a", "--text-pair", "b"}
                                    << "reads one text, not a pair: leave out --text-pair";
    QTest::newRow("pair twice") << QStringList{"--model", bert, "--text", "a", "--text-pair", "b", "--text-pair-file", image}
                                << "give --text-pair or --text-pair-file, not both";
}

void TestModelKindsCli::inputsFollowTheModel()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir out;
    const Result r = runAttnscope(QStringList{"explain"} + args + QStringList{"--out", out.path()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY2(r.err.contains("usage: attnscope explain"), qPrintable(r.err));
    QVERIFY(!QFile::exists(out.path() + "/explanation.json"));
}

void TestModelKindsCli::explainsImageOnlyModel()
{
    QTemporaryDir out;
    const Result r = runAttnscope({"explain", "--model", data("tiny_vit.pt"), "--image", data("images/joint_large.png"),
                                   "--out", out.path()});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("and 4 overlay(s)"), qPrintable(r.out));
    const core::Json j = core::Json::parse(core::TextFile::read((out.path() + "/explanation.json").toStdString()));
    const core::Json &input = *j.find("input");
    QCOMPARE(input.find("inputs")->dump(-1), std::string(R"(["image"])"));
    QVERIFY(!input.contains("text"));
    QVERIFY(!input.contains("tokens"));
    QVERIFY(QFile::exists(out.path() + "/relevance.png"));
    QVERIFY(!QFile::exists(out.path() + "/relevance_tokens.npy"));
}

void TestModelKindsCli::explainsTextPair()
{
    QTemporaryDir out;
    const Result r = runAttnscope({"explain", "--model", data("tiny_bert.pt"), "--text", "he acted", "--text-pair", "she",
                                   "--out", out.path()});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("and 0 overlay(s)"), qPrintable(r.out));
    const core::Json j = core::Json::parse(core::TextFile::read((out.path() + "/explanation.json").toStdString()));
    const core::Json &input = *j.find("input");
    QVERIFY(!input.contains("image"));
    QCOMPARE(input.find("text_pair")->toString(), std::string("she"));
    // [CLS] he act ##ed [SEP] she [SEP] [PAD]...: the pieces the vocabulary holds, no [UNK].
    const auto &tokens = input.find("tokens")->toArray();
    QCOMPARE(tokens.size(), size_t(16));
    QCOMPARE(tokens[3].find("text")->toString(), std::string("##ed"));
    QCOMPARE(tokens[5].find("text")->toString(), std::string("she"));
    QCOMPARE(input.find("unknown_words")->toArray().size(), size_t(0));
    QVERIFY(QFile::exists(out.path() + "/relevance_tokens.npy"));
    QVERIFY(!QFile::exists(out.path() + "/relevance.png"));
    QVERIFY(!QFile::exists(out.path() + "/relevance_patches.npy"));
}

void TestModelKindsCli::infoListsInputs()
{
    const Result text = runAttnscope({"info", data("tiny_bert.pt"), "--json"});
    QCOMPARE(text.exitCode, 0);
    const core::Json t = core::Json::parse(text.out.toStdString());
    QCOMPARE(t.find("inputs")->dump(-1), std::string(R"(["input_ids","attention_mask","token_type_ids"])"));
    QVERIFY(t.find("image_size")->isNull());
    QCOMPARE(t.find("tokenizer")->toString(), std::string("wordpiece"));
    QCOMPARE(t.find("vocabulary_size")->toNumber(), 34.0); // the lines of the vocab.txt stored in the archive
    const Result image = runAttnscope({"info", data("tiny_vit.pt")});
    QCOMPARE(image.exitCode, 0);
    QVERIFY2(image.out.contains("inputs:      [\"image\"]"), qPrintable(image.out));
    QVERIFY(!image.out.contains("text:"));
}

void TestModelKindsCli::tokenizeModel()
{
    const Result r = runAttnscope({"tokenize", "--model", data("tiny_bert.pt"), "--text", "playing", "--json"});
    QCOMPARE(r.exitCode, 0);
    const core::Json j = core::Json::parse(r.out.toStdString());
    // The model's 16 places: [CLS] play ##ing [SEP] and twelve [PAD] (id 0).
    const auto &ids = j.find("ids")->toArray();
    QCOMPARE(ids.size(), size_t(16));
    QCOMPARE(ids[1].toNumber(), 11.0);
    QCOMPARE(ids[2].toNumber(), 13.0);
    QCOMPARE(ids[15].toNumber(), 0.0);
    QCOMPARE(j.find("attention_mask")->toArray()[4].toNumber(), 0.0);
    const Result word = runAttnscope({"tokenize", "--model", data("tiny_joint.pt"), "--text", "is there a zebra", "--json"});
    QCOMPARE(word.exitCode, 0);
    QVERIFY(core::Json::parse(word.out.toStdString()).find("offsets")->toArray()[0].isNull());
    const Result none = runAttnscope({"tokenize", "--model", data("tiny_vit.pt"), "--text", "a"});
    QCOMPARE(none.exitCode, 1);
    QVERIFY2(none.err.contains("takes no text"), qPrintable(none.err));
    const Result both = runAttnscope({"tokenize", "--model", data("tiny_vit.pt"), "--tokenizer", "x", "--text", "a"});
    QCOMPARE(both.exitCode, 2);
}

// Zero-shot as CLIP is used: one image, typed captions ranked by the model's
// logit, CLIP's softmax over them beside it, the best one explained.
void TestModelKindsCli::zeroShotRanksCandidates()
{
    // The Python reference's logit of "a good film" on this image (tiny_clip case of model_kinds.reference.json).
    double referenceLogit = 0.0;
    const core::Json reference = test::readJson(test::dataPath("model_kinds.reference.json"));
    for (const core::Json &c : reference.find("cases")->toArray()) {
        if (c.find("model")->toString() == "tiny_clip.pt" && c.find("text")->toString() == "a good film"
            && c.find("image")->toString() == "images/joint_exact.png")
            referenceLogit = c.find("logits")->toArray()[0].toNumber();
    }
    QVERIFY(referenceLogit != 0.0);
    QTemporaryDir out;
    const QString image = data("images/joint_exact.png");
    const Result r = runAttnscope({"explain", "--model", data("tiny_clip.pt"), "--image", image, "--candidate", "a good film",
                                   "--candidate", "the actor was playing", "--candidate", "a zebra", "--out", out.path()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("zero-shot ranking of 3 candidate caption(s) by the model's logit"), qPrintable(r.out));
    const core::Json j = core::Json::parse(core::TextFile::read((out.path() + "/explanation.json").toStdString()));
    const auto &ranked = j.find("zero_shot")->toArray();
    QCOMPARE(ranked.size(), size_t(3));
    double sum = 0.0, previous = 1e9, good = 0.0;
    for (const core::Json &c : ranked) {
        const double score = c.find("score")->toNumber();
        QVERIFY(score <= previous); // best first
        previous = score;
        sum += c.find("probability")->toNumber();
        if (c.find("caption")->toString() == "a good film")
            good = score;
        if (c.find("caption")->toString() == "a zebra")
            QCOMPARE(c.find("unknown_words")->toArray().size(), size_t(1));
    }
    QVERIFY(std::fabs(good - referenceLogit) < 1e-4);
    QVERIFY(std::fabs(sum - 1.0) < 1e-5);
    // softmax: p_i / p_j = exp(s_i - s_j)
    const double ratio = ranked[0].find("probability")->toNumber() / ranked[1].find("probability")->toNumber();
    QVERIFY(std::fabs(std::log(ratio) - (ranked[0].find("score")->toNumber() - ranked[1].find("score")->toNumber())) < 1e-4);
    // The best caption is the one explained, with the same logit.
    QCOMPARE(j.find("input")->find("text")->toString(), ranked[0].find("caption")->toString());
    QVERIFY(std::fabs(j.find("prediction")->find("score")->toNumber() - ranked[0].find("score")->toNumber()) < 1e-5);
    QCOMPARE(j.find("prediction")->find("score_kind")->toString(), std::string("logit"));

    // --text names another candidate to explain; a classifier takes no candidates.
    QTemporaryDir other;
    const Result chosen = runAttnscope({"explain", "--model", data("tiny_clip.pt"), "--image", image, "--candidate", "a good film",
                                        "--candidate", "a zebra", "--text", "a zebra", "--out", other.path()});
    QCOMPARE(chosen.exitCode, 0);
    const core::Json k = core::Json::parse(core::TextFile::read((other.path() + "/explanation.json").toStdString()));
    QCOMPARE(k.find("input")->find("text")->toString(), std::string("a zebra"));
    // A file of captions, one per line (CRLF and blank lines as people write them).
    QFile list(other.filePath("captions.txt"));
    QVERIFY(list.open(QIODevice::WriteOnly));
    list.write("a good film\r\n\r\na zebra\r\nthe actor was playing\r\n");
    list.close();
    const Result fromFile = runAttnscope({"explain", "--model", data("tiny_clip.pt"), "--image", image, "--candidates-file",
                                          list.fileName(), "--out", other.path()});
    QCOMPARE(fromFile.exitCode, 0);
    const core::Json f = core::Json::parse(core::TextFile::read((other.path() + "/explanation.json").toStdString()));
    QCOMPARE(f.find("zero_shot")->toArray().size(), size_t(3));
    QCOMPARE(f.find("zero_shot")->toArray()[0].find("caption")->toString(), ranked[0].find("caption")->toString());
    const Result wrong = runAttnscope({"explain", "--model", data("tiny_vit.pt"), "--image", image, "--candidate", "a",
                                       "--out", other.path()});
    QCOMPARE(wrong.exitCode, 2);
    QVERIFY2(wrong.err.contains("is no matching model"), qPrintable(wrong.err));
}

namespace {

bool writeDataset(const QTemporaryDir &dir, const core::Json &dataset)
{
    QFile f(dir.filePath("dataset.json"));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write(QByteArray::fromStdString(dataset.dump()));
    return true;
}

} // namespace

// `attnscope eval` on a zero-shot data set (candidate captions, a caption as
// each image's answer) and on an image-only model (no questions). The
// expected accuracies come from the Python reference's logits.
void TestModelKindsCli::evalZeroShotAndImageOnly()
{
    const core::Json reference = test::readJson(test::dataPath("model_kinds.reference.json"));
    const std::string good = "a good film", bad = "the actor was playing a very bad story";
    std::map<std::pair<std::string, std::string>, double> logit;
    std::map<std::string, int> vitPredicted; // image -> the class tiny_vit predicts
    for (const core::Json &c : reference.find("cases")->toArray()) {
        if (c.find("model")->toString() == "tiny_clip.pt")
            logit[{c.find("image")->toString(), c.find("text")->toString()}] = c.find("logits")->toArray()[0].toNumber();
        if (c.find("model")->toString() == "tiny_vit.pt") {
            const auto &l = c.find("logits")->toArray();
            vitPredicted[c.find("image")->toString()] =
                int(std::max_element(l.begin(), l.end(), [](const core::Json &a, const core::Json &b) {
                        return a.toNumber() < b.toNumber();
                    }) - l.begin());
        }
    }
    QCOMPARE(logit.size(), size_t(4)); // both captions on both images
    QTemporaryDir dir;
    const std::vector<std::pair<std::string, std::string>> samples{{"images/joint_exact.png", good},
                                                                   {"images/joint_large.png", bad}};
    int expected = 0;
    core::Json zeroShot = core::Json::array(), withQuestions = core::Json::array(), imageOnly = core::Json::array();
    const char *labels[] = {"circle", "square", "triangle"};
    for (size_t i = 0; i < samples.size(); ++i) {
        const auto &[image, answer] = samples[i];
        const std::string other = answer == good ? bad : good;
        expected += logit[{image, answer}] > logit[{image, other}] ? 1 : 0;
        const QString name = QStringLiteral("%1.png").arg(i);
        QVERIFY(QFile::copy(data(image.c_str()), dir.filePath(name)));
        core::Json s = core::Json::object();
        s.set("image", name.toStdString());
        s.set("answer", answer);
        zeroShot.push(s);
        s.set("question", answer);
        withQuestions.push(s);
        // The image-only model: right on the first (the class the reference
        // predicts), wrong on the second.
        core::Json v = core::Json::object();
        v.set("image", name.toStdString());
        const int predicted = vitPredicted.at(image);
        v.set("answer", labels[i == 0 ? predicted : (predicted + 1) % 3]);
        imageOnly.push(v);
    }
    core::Json dataset = core::Json::object();
    dataset.set("candidates", core::Json(core::Json::Array{core::Json(good), core::Json(bad)}));
    dataset.set("samples", zeroShot);
    QVERIFY(writeDataset(dir, dataset));
    const QString json = dir.filePath("eval.json");
    const Result r = runAttnscope({"eval", "--model", data("tiny_clip.pt"), "--data", dir.path(), "--no-curves",
                                   "--json", json});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("zero-shot over 2 candidate captions"), qPrintable(r.out));
    const core::Json result = core::Json::parse(core::TextFile::read(json.toStdString()));
    QCOMPARE(result.find("zero_shot_candidates")->toNumber(), 2.0);
    // The curves follow the score tiny_clip's manifest declares, a logit.
    QCOMPARE(result.find("curve_score")->toString(), std::string("logit"));
    QCOMPARE(result.find("accuracy")->toNumber(), double(expected) / 2);
    QCOMPARE(expected, 1); // this random model prefers "a good film" on both images

    // Without candidates a matching model has no accuracy, not 0%.
    core::Json noCandidates = core::Json::object();
    noCandidates.set("samples", withQuestions);
    QVERIFY(writeDataset(dir, noCandidates));
    const Result unscored = runAttnscope({"eval", "--model", data("tiny_clip.pt"), "--data", dir.path(), "--no-curves",
                                          "--json", json});
    QVERIFY2(unscored.exitCode == 0, qPrintable(unscored.err));
    QVERIFY2(unscored.out.contains("accuracy: - (a matching model"), qPrintable(unscored.out));
    QVERIFY(core::Json::parse(core::TextFile::read(json.toStdString())).find("accuracy")->isNull());

    // A classifier refuses candidates; an image-only one needs no questions.
    dataset.set("samples", imageOnly);
    QVERIFY(writeDataset(dir, dataset));
    const Result refused = runAttnscope({"eval", "--model", data("tiny_vit.pt"), "--data", dir.path(), "--no-curves"});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("only an image-text matching model ranks"), qPrintable(refused.err));
    core::Json vitData = core::Json::object();
    vitData.set("samples", imageOnly);
    QVERIFY(writeDataset(dir, vitData));
    const Result vit = runAttnscope({"eval", "--model", data("tiny_vit.pt"), "--data", dir.path(), "--no-curves",
                                     "--json", json});
    QVERIFY2(vit.exitCode == 0, qPrintable(vit.err));
    const core::Json vitResult = core::Json::parse(core::TextFile::read(json.toStdString()));
    QCOMPARE(vitResult.find("accuracy")->toNumber(), 0.5);
    QCOMPARE(vitResult.find("curve_score")->toString(), std::string("probability"));
}

QTEST_GUILESS_MAIN(TestModelKindsCli)
#include "tst_modelkindscli.moc"
