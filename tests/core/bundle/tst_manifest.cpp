// Manifest validation: a valid manifest parses; every kind of mistake gets a
// message naming the field.
#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/json/json.h"

#include <QTest>

#include <functional>

using namespace attnscope::core;

namespace {

Json validManifest()
{
    return Json::parse(R"({
      "format": "attnscope-model/1", "name": "m", "task": "classification", "labels": ["yes", "no"],
      "image": {"size": [16, 24], "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
      "text": {"tokenizer": "word", "max_length": 4, "vocab": ["[PAD]", "[UNK]", "[CLS]", "a"], "add_cls": true},
      "streams": [{"name": "joint", "segments": [
          {"name": "cls", "modality": "special", "length": 1},
          {"modality": "image", "grid": [4, 6]},
          {"modality": "text", "length": 4}]}],
      "attentions": [{"layer": 0, "query": "joint"}, {"layer": 1, "kind": "self", "query": "joint", "key": "joint"}],
      "decision": {"stream": "joint", "index": 0}
    })");
}

/// Contract version 2: a BERT-like text classifier, no image anywhere.
Json textOnlyManifest()
{
    return Json::parse(R"({
      "format": "attnscope-model/2", "name": "bert", "task": "classification", "labels": ["no", "yes"],
      "inputs": ["input_ids", "attention_mask", "token_type_ids"],
      "text": {"tokenizer": "wordpiece", "file": "vocab.txt", "max_length": 8, "pair": true},
      "streams": [{"name": "bert", "segments": [{"modality": "text", "length": 8}]}],
      "attentions": [{"layer": 0, "query": "bert"}],
      "decision": {"stream": "bert", "index": 0}
    })");
}

/// Contract version 2: a ViT with a register token, no text anywhere.
Json imageOnlyManifest()
{
    return Json::parse(R"({
      "format": "attnscope-model/2", "name": "vit", "task": "classification", "labels": ["a", "b"],
      "inputs": ["image"],
      "image": {"size": [16, 16]},
      "streams": [{"name": "vit", "segments": [{"name": "cls", "modality": "special", "length": 1},
                                               {"name": "registers", "modality": "special", "length": 1},
                                               {"modality": "image", "grid": [2, 2]}]}],
      "attentions": [{"layer": 0, "query": "vit"}],
      "decision": {"stream": "vit", "index": 0}
    })");
}

using Edit = std::function<void(Json &)>;

Json *member(Json &j, const std::string &key)
{
    return const_cast<Json *>(j.find(key));
}

/// The manifest, edited, is refused with a message naming the file and `message`.
void expectRefused(Json j, const Edit &edit, const QString &message)
{
    edit(j);
    try {
        Manifest::parse(j.dump(), "model.pt");
        QFAIL("the broken manifest was accepted");
    } catch (const Error &e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith("model.pt: "), qPrintable(what));
        QVERIFY2(what.contains(message), qPrintable(what));
    }
}

} // namespace

Q_DECLARE_METATYPE(Edit)

class TestManifest : public QObject
{
    Q_OBJECT
private slots:
    void parsesValidManifest();
    void parsesDecisionPerStream();
    void rejectsMistakes_data();
    void rejectsMistakes();
    void parsesVersion2();
    void decisionsByRule();
    void rejectsVersion2Mistakes_data();
    void rejectsVersion2Mistakes();
};

void TestManifest::parsesValidManifest()
{
    const Manifest m = Manifest::parse(validManifest().dump(), "m.pt");
    QCOMPARE(m.streams[0].length(), 1 + 24 + 4);
    QCOMPARE(m.streams[0].segments[1].gridRows, 4);
    QCOMPARE(m.streams[0].segments[1].gridCols, 6);
    QCOMPARE(m.streams[0].segments[1].name, std::string("image"));
    QCOMPARE(m.attentions.size(), size_t(2));
    QCOMPARE(m.attentions[0].keyStream, 0);
    QVERIFY(m.text.addCls);
    QCOMPARE(m.layerCount(), 2);
    const SegmentLocation text = m.findModality(Modality::Text);
    QCOMPARE(text.offset, 25);
    // toJson writes what parse reads.
    const Manifest again = Manifest::parse(m.toJson().dump(), "again");
    QCOMPARE(again.toJson().dump(), m.toJson().dump());
}

void TestManifest::parsesDecisionPerStream()
{
    Json j = validManifest();
    j.set("streams", Json::parse(R"([{"name": "image", "segments": [{"modality": "special", "length": 1}, {"modality": "image", "grid": [4, 6]}]},
                                     {"name": "text", "segments": [{"modality": "text", "length": 4}]}])"));
    j.set("attentions", Json::parse(R"([{"layer": 0, "query": "image"}, {"layer": 0, "query": "text"}])"));
    j.set("decision", Json::parse(R"([{"stream": "text", "index": 0}, {"stream": "image", "index": 0}])"));
    const Manifest m = Manifest::parse(j.dump(), "late.pt");
    QCOMPARE(m.decisions.size(), size_t(2));
    QCOMPARE(m.decisionStream, 1); // the first listed: text
    QCOMPARE(m.decisionFor(0).stream, 0);
    QCOMPARE(m.decisionFor(1).stream, 1);
    const Manifest again = Manifest::parse(m.toJson().dump(), "again");
    QCOMPARE(again.decisions.size(), size_t(2));

    j.set("decision", Json::parse(R"([{"stream": "text", "index": 0}, {"stream": "text", "index": 1}])"));
    try {
        Manifest::parse(j.dump(), "late.pt");
        QFAIL("two decision tokens in one stream were accepted");
    } catch (const Error &e) {
        QVERIFY(QString::fromUtf8(e.what()).contains("'decision[1]' is a second decision token in stream \"text\""));
    }
}

void TestManifest::rejectsMistakes_data()
{
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<QString>("message");
    QTest::newRow("no name") << Edit([](Json &j) { j = Json::parse(j.dump()); Json::Object o; for (auto &kv : j.toObject()) if (kv.first != "name") o.push_back(kv); j = Json(o); })
                             << "manifest field 'name' is missing";
    QTest::newRow("task") << Edit([](Json &j) { j.set("task", "regression"); }) << "'task' must be \"classification\" or \"matching\"";
    QTest::newRow("format") << Edit([](Json &j) { j.set("format", "attnscope-model/9"); }) << "'format' must be \"attnscope-model/1\"";
    QTest::newRow("labels type") << Edit([](Json &j) { j.set("labels", Json(Json::Array{1})); }) << "'labels[0]' must be a string";
    QTest::newRow("size") << Edit([](Json &j) { member(j, "image")->set("size", Json(Json::Array{16})); }) << "'image.size' must have at least 2";
    QTest::newRow("std zero") << Edit([](Json &j) { member(j, "image")->set("std", Json(Json::Array{1, 0, 1})); }) << "'image.std' must be positive";
    QTest::newRow("resize") << Edit([](Json &j) { member(j, "image")->set("resize", "crop"); }) << "'image.resize' must be \"stretch\", \"shortest_edge\" (with a centre crop) or \"pad\"";
    QTest::newRow("crop_pct range") << Edit([](Json &j) { member(j, "image")->set("resize", "shortest_edge"); member(j, "image")->set("crop_pct", 1.2); }) << "'image.crop_pct' must be between 0.05 and 1";
    QTest::newRow("crop_pct type") << Edit([](Json &j) { member(j, "image")->set("crop_pct", "0.9"); }) << "'image.crop_pct' must be a number";
    QTest::newRow("crop_pct without crop") << Edit([](Json &j) { member(j, "image")->set("crop_pct", 0.9); }) << "'image.crop_pct' applies only to the resize mode \"shortest_edge\"";
    QTest::newRow("interpolation") << Edit([](Json &j) { member(j, "image")->set("interpolation", "lanczos"); }) << "'image.interpolation' must be \"auto\"";
    QTest::newRow("tokenizer") << Edit([](Json &j) { member(j, "text")->set("tokenizer", "bpe"); }) << "'text.tokenizer' must be \"word\"";
    QTest::newRow("vocab repeat") << Edit([](Json &j) { member(j, "text")->set("vocab", Json(Json::Array{"[PAD]", "[UNK]", "[CLS]", "a", "a"})); }) << "'text.vocab[4]' repeats the word \"a\"";
    QTest::newRow("pad missing") << Edit([](Json &j) { member(j, "text")->set("vocab", Json(Json::Array{"[UNK]", "[CLS]"})); }) << "'text.special_tokens.pad' names \"[PAD]\", which is not in text.vocab";
    QTest::newRow("text length") << Edit([](Json &j) { member(j, "text")->set("max_length", 5); }) << "must equal text.max_length (5), not 4";
    QTest::newRow("grid divides") << Edit([](Json &j) {
        j.set("streams", Json::parse(R"([{"name": "joint", "segments": [{"modality": "special", "length": 1}, {"modality": "image", "grid": [5, 6]}, {"modality": "text", "length": 4}]}])"));
    }) << "'streams[0].segments[1].grid' must divide image.size evenly (16x24 pixels)";
    QTest::newRow("unknown stream") << Edit([](Json &j) { j.set("attentions", Json::parse(R"([{"layer": 0, "query": "nope"}])")); }) << "'attentions[0].query' names an unknown stream \"nope\"";
    QTest::newRow("self across") << Edit([](Json &j) {
        j.set("streams", Json::parse(R"([{"name": "a", "segments": [{"modality": "image", "grid": [4, 6]}]},
                                         {"name": "b", "segments": [{"modality": "text", "length": 4}]}])"));
        j.set("attentions", Json::parse(R"([{"layer": 0, "kind": "self", "query": "a", "key": "b"}])"));
        j.set("decision", Json::parse(R"({"stream": "b", "index": 0})"));
    }) << "is self-attention but its query and key streams differ";
    QTest::newRow("kind") << Edit([](Json &j) { j.set("attentions", Json::parse(R"([{"layer": 0, "kind": "sideways", "query": "joint"}])")); }) << "'attentions[0].kind' must be \"self\" or \"cross\"";
    QTest::newRow("layer") << Edit([](Json &j) { j.set("attentions", Json::parse(R"([{"layer": -1, "query": "joint"}])")); }) << "'attentions[0].layer' must be at least 0";
    QTest::newRow("decision index") << Edit([](Json &j) { j.set("decision", Json::parse(R"({"stream": "joint", "index": 29})")); }) << "'decision.index' is past the end of stream \"joint\"";
    QTest::newRow("two images") << Edit([](Json &j) {
        j.set("streams", Json::parse(R"([{"name": "joint", "segments": [{"modality": "image", "grid": [4, 6]}, {"modality": "image", "grid": [4, 6]}, {"modality": "text", "length": 4}]}])"));
    }) << "may hold at most one image segment";
    QTest::newRow("modality") << Edit([](Json &j) {
        j.set("streams", Json::parse(R"([{"name": "joint", "segments": [{"modality": "audio", "length": 3}, {"modality": "text", "length": 4}]}])"));
    }) << "must be \"image\", \"text\" or \"special\", not \"audio\"";
    QTest::newRow("multilabel in version 1") << Edit([](Json &j) { j.set("task", "multilabel"); })
                                             << "(or, in version 2, \"multilabel\"), not \"multilabel\"";
    QTest::newRow("rule in version 1") << Edit([](Json &j) { j.set("decision", Json::parse(R"({"stream": "joint", "rule": "last_real"})")); })
                                       << "'decision.rule' needs \"format\": \"attnscope-model/2\"";
    QTest::newRow("not an object") << Edit([](Json &j) { j = Json(Json::Array{}); }) << "'(top level)' must be an object, not an array";
}

void TestManifest::rejectsMistakes()
{
    QFETCH(Edit, edit);
    QFETCH(QString, message);
    expectRefused(validManifest(), edit, message);
}

void TestManifest::parsesVersion2()
{
    const Manifest text = Manifest::parse(textOnlyManifest().dump(), "bert.pt");
    QCOMPARE(text.format, 2);
    QCOMPARE(text.inputs, (std::vector<std::string>{"input_ids", "attention_mask", "token_type_ids"}));
    QVERIFY(!text.takesImage());
    QVERIFY(!text.readsImage());
    QVERIFY(text.readsText());
    QVERIFY(text.text.pair);
    QVERIFY(text.text.subword());
    QCOMPARE(text.text.file, std::string("vocab.txt"));
    QCOMPARE(text.image.height, 0);
    // Written out and read again: the same manifest.
    const Manifest again = Manifest::parse(text.toJson().dump(), "again.pt");
    QCOMPARE(again.inputs, text.inputs);
    QCOMPARE(again.text.tokenizer, std::string("wordpiece"));
    QVERIFY(again.text.pair);
    QVERIFY(!again.toJson().contains("image"));

    const Manifest image = Manifest::parse(imageOnlyManifest().dump(), "vit.pt");
    QCOMPARE(image.inputs, std::vector<std::string>{"image"});
    QVERIFY(image.readsImage());
    QVERIFY(!image.readsText());
    QCOMPARE(image.streams[0].length(), 1 + 1 + 4);
    QVERIFY(!Manifest::parse(image.toJson().dump(), "again.pt").toJson().contains("text"));

    Json multi = imageOnlyManifest();
    multi.set("task", "multilabel");
    QCOMPARE(Manifest::parse(Manifest::parse(multi.dump(), "m.pt").toJson().dump(), "again.pt").task, Task::MultiLabel);
    Json match = imageOnlyManifest();
    match.set("task", "matching");
    match.set("score", "cosine");
    const Manifest cosine = Manifest::parse(match.dump(), "m.pt");
    QCOMPARE(cosine.matchScore, MatchScore::Cosine);
    QCOMPARE(Manifest::parse(cosine.toJson().dump(), "again.pt").matchScore, MatchScore::Cosine);

    // Version 1 takes all three inputs, whatever the model reads.
    const Manifest v1 = Manifest::parse(validManifest().dump(), "v1.pt");
    QCOMPARE(v1.inputs, (std::vector<std::string>{"image", "input_ids", "attention_mask"}));
    QCOMPARE(v1.format, 1);
}

// CLIP reads its caption at the end-of-text token, a GPT-style classifier at
// the last real token: where that is depends on the text.
void TestManifest::decisionsByRule()
{
    Json j = textOnlyManifest();
    j.set("streams", Json::parse(R"([{"name": "bert", "segments": [{"name": "cls", "modality": "special", "length": 1},
                                                                    {"modality": "text", "length": 8}]}])"));
    j.set("decision", Json::parse(R"({"stream": "bert", "rule": "first_id", "id": 7})"));
    const Manifest eot = Manifest::parse(j.dump(), "m.pt");
    QCOMPARE(eot.decisions[0].rule, DecisionToken::Rule::FirstId);
    TokenizedText text;
    text.ids = {5, 9, 7, 3, 7, 0, 0, 0};
    text.mask = {1, 1, 1, 1, 1, 0, 0, 0};
    // The first 7 is text position 2, after the stream's one special token: 3.
    QCOMPARE(eot.decisionFor(0, text).index, 3);
    QCOMPARE(eot.decisionFor(0).index, 0); // no text: the rule, not a position
    text.ids = {5, 9, 8, 3, 6, 0, 0, 0};
    QVERIFY_THROWS_EXCEPTION(Error, eot.decisionFor(0, text)); // cut off: said, not guessed
    QCOMPARE(Manifest::parse(eot.toJson().dump(), "again.pt").decisions[0].id, int64_t(7));

    j.set("decision", Json::parse(R"({"stream": "bert", "rule": "last_real"})"));
    const Manifest last = Manifest::parse(j.dump(), "m.pt");
    QCOMPARE(last.decisionFor(0, text).index, 1 + 4);
    text.mask = {1, 1, 0, 0, 0, 0, 0, 0};
    QCOMPARE(last.decisionFor(0, text).index, 1 + 1);
    QCOMPARE(last.describeDecision(last.decisions[0]), std::string("the last real (not padding) token of stream bert"));

    // A mean-pooled model (timm's global_pool "avg") decides from the mean
    // of a segment: the text's 8 tokens here, after the special one.
    j.set("decision", Json::parse(R"({"stream": "bert", "rule": "mean", "segment": "text"})"));
    j.set("streams", Json::parse(R"([{"name": "bert", "segments": [{"name": "cls", "modality": "special", "length": 1},
                                                                    {"name": "text", "modality": "text", "length": 8}]}])"));
    const Manifest mean = Manifest::parse(j.dump(), "m.pt");
    QCOMPARE(mean.decisionFor(0, text).rule, DecisionToken::Rule::Mean);
    QCOMPARE(mean.decisionFor(0, text).index, 1);
    QCOMPARE(mean.decisionFor(0, text).count, 8);
    QCOMPARE(mean.describeDecision(mean.decisions[0]), std::string("the mean of the 8 tokens of segment text of stream bert"));
    QCOMPARE(Manifest::parse(mean.toJson().dump(), "again.pt").decisions[0].segment, std::string("text"));
}

void TestManifest::rejectsVersion2Mistakes_data()
{
    QTest::addColumn<bool>("textModel");
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<QString>("message");
    QTest::newRow("inputs missing") << true << Edit([](Json &j) { j = Json::parse(j.dump().replace(j.dump().find("\"inputs\""), 8, "\"inputz\"")); })
                                    << "'inputs' is missing";
    QTest::newRow("unknown input") << true << Edit([](Json &j) { j.set("inputs", Json(Json::Array{"input_ids", "pixel_values"})); })
                                   << "'inputs[1]' must be one of \"image\", \"input_ids\"";
    QTest::newRow("repeated input") << true << Edit([](Json &j) { j.set("inputs", Json(Json::Array{"input_ids", "input_ids"})); })
                                    << "'inputs[1]' repeats the input \"input_ids\"";
    QTest::newRow("mask without ids") << false << Edit([](Json &j) { j.set("inputs", Json(Json::Array{"image", "attention_mask"})); })
                                      << "'inputs' lists attention_mask but not input_ids";
    QTest::newRow("text without ids") << true << Edit([](Json &j) { j.set("inputs", Json(Json::Array{"image"})); j.set("image", Json::parse(R"({"size": [8, 8]})")); })
                                      << "'inputs' has no \"input_ids\" although the manifest has a 'text' section";
    QTest::newRow("ids without text") << false << Edit([](Json &j) { j.set("inputs", Json(Json::Array{"image", "input_ids"})); })
                                      << "'text' is missing";
    QTest::newRow("image section unused") << true << Edit([](Json &j) { j.set("image", Json::parse(R"({"size": [8, 8]})")); })
                                          << "'image' describes an image, but \"inputs\" has no \"image\"";
    QTest::newRow("image segment, no image") << true << Edit([](Json &j) {
        j.set("streams", Json::parse(R"([{"name": "bert", "segments": [{"modality": "text", "length": 8}, {"modality": "image", "grid": [2, 2]}]}])")); })
                                             << "'streams[0].segments[1]' is an image segment but the model takes no image";
    QTest::newRow("image, no segment") << false << Edit([](Json &j) {
        j.set("streams", Json::parse(R"([{"name": "vit", "segments": [{"modality": "special", "length": 3}]}])")); })
                                       << "'streams' has no image segment although the model takes an image";
    QTest::newRow("subword in v1") << true << Edit([](Json &j) { j.set("format", "attnscope-model/1"); })
                                   << "'inputs' needs \"format\": \"attnscope-model/2\"";
    QTest::newRow("tokenizer kind") << true << Edit([](Json &j) { member(j, "text")->set("tokenizer", "unigram"); })
                                    << "'text.tokenizer' must be \"word\", \"wordpiece\"";
    QTest::newRow("file missing") << true << Edit([](Json &j) { member(j, "text")->set("file", ""); })
                                  << "'text.file' must name a file stored with the model";
    QTest::newRow("file in a folder") << true << Edit([](Json &j) { member(j, "text")->set("file", "../vocab.txt"); })
                                      << "'text.file' must name a file stored with the model";
    QTest::newRow("merges for wordpiece") << true << Edit([](Json &j) { member(j, "text")->set("merges_file", "merges.txt"); })
                                          << "'text.merges_file' belongs to the tokenizer \"gpt2_bpe\" only";
    QTest::newRow("bos for wordpiece") << true << Edit([](Json &j) { member(j, "text")->set("add_bos", true); })
                                       << "'text.add_bos' belongs to the tokenizer \"sentencepiece\" only";
    QTest::newRow("eos not a flag") << true << Edit([](Json &j) {
        member(j, "text")->set("tokenizer", "sentencepiece");
        member(j, "text")->set("add_eos", "yes"); })
                                    << "'text.add_eos' must be";
    QTest::newRow("bpe without merges") << true << Edit([](Json &j) { member(j, "text")->set("tokenizer", "gpt2_bpe"); })
                                        << "'text.merges_file' is missing";
    QTest::newRow("vocab for subword") << true << Edit([](Json &j) { member(j, "text")->set("vocab", Json(Json::Array{"a"})); })
                                       << "'text.vocab' belongs to the word-level tokenizer";
    QTest::newRow("lowercase for tokenizer.json") << true << Edit([](Json &j) { member(j, "text")->set("tokenizer", "huggingface"); member(j, "text")->set("lowercase", false); })
                                                  << "'text.lowercase' applies to \"wordpiece\" only";
    QTest::newRow("matching without score") << false << Edit([](Json &j) { j.set("task", "matching"); })
                                            << "'score' is missing";
    QTest::newRow("score kind") << false << Edit([](Json &j) { j.set("task", "matching"); j.set("score", "sigmoid"); })
                                << "'score' must be \"logit\" (e.g. CLIP's 100 x cosine), \"probability\" or \"cosine\"";
    QTest::newRow("score for a classifier") << false << Edit([](Json &j) { j.set("score", "logit"); })
                                            << "'score' belongs to a version 2 matching model";
    QTest::newRow("rule and index") << true << Edit([](Json &j) { j.set("decision", Json::parse(R"({"stream": "bert", "rule": "last_real", "index": 0})")); })
                                    << "'decision' gives both an index and a rule";
    QTest::newRow("unknown rule") << true << Edit([](Json &j) { j.set("decision", Json::parse(R"({"stream": "bert", "rule": "argmax"})")); })
                                  << "'decision.rule' must be \"first_id\" (with \"id\"), \"last_real\" or \"mean\"";
    QTest::newRow("mean without segment") << false << Edit([](Json &j) { j.set("decision", Json::parse(R"({"stream": "vit", "rule": "mean"})")); })
                                          << "'decision.segment' is missing";
    QTest::newRow("mean of no segment") << false << Edit([](Json &j) { j.set("decision", Json::parse(R"({"stream": "vit", "rule": "mean", "segment": "tokens"})")); })
                                        << "'decision.segment' names no segment of stream \"vit\": \"tokens\"";
    QTest::newRow("first_id without id") << true << Edit([](Json &j) { j.set("decision", Json::parse(R"({"stream": "bert", "rule": "first_id"})")); })
                                         << "'decision.id' is missing";
    QTest::newRow("rule without text") << false << Edit([](Json &j) { j.set("decision", Json::parse(R"({"stream": "vit", "rule": "last_real"})")); })
                                       << "stream \"vit\" holds no text segment";
    QTest::newRow("pair for word level") << false << Edit([](Json &j) {
        j.set("inputs", Json(Json::Array{"image", "input_ids"}));
        j.set("text", Json::parse(R"({"tokenizer": "word", "max_length": 2, "vocab": ["[PAD]", "[UNK]"], "pair": true})"));
        j.set("streams", Json::parse(R"([{"name": "vit", "segments": [{"modality": "image", "grid": [2, 2]}, {"modality": "text", "length": 2}]}])")); })
                                         << "'text.pair' needs a subword tokenizer";
}

void TestManifest::rejectsVersion2Mistakes()
{
    QFETCH(bool, textModel);
    QFETCH(Edit, edit);
    QFETCH(QString, message);
    expectRefused(textModel ? textOnlyManifest() : imageOnlyManifest(), edit, message);
}

QTEST_APPLESS_MAIN(TestManifest)
#include "tst_manifest.moc"
