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

using Edit = std::function<void(Json &)>;

Json *member(Json &j, const std::string &key)
{
    return const_cast<Json *>(j.find(key));
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
    QTest::newRow("not an object") << Edit([](Json &j) { j = Json(Json::Array{}); }) << "'(top level)' must be an object, not an array";
}

void TestManifest::rejectsMistakes()
{
    QFETCH(Edit, edit);
    QFETCH(QString, message);
    Json j = validManifest();
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

QTEST_APPLESS_MAIN(TestManifest)
#include "tst_manifest.moc"
