// SentencePiece models through libsentencepiece (SentencePieceModel inside a
// SubwordTokenizer), held to what the sentencepiece library's Python face
// made of the hard strings of ../shared/oracles/tokenizers/strings.json
// (tests/data/sentencepiece.reference.json, written by
// models/attnscope/make_sentencepiece_test_data.py): every piece, id and
// character span, for a unigram model with NFKC and a BPE model with byte
// fallback; then <s>/</s> around texts and pairs, words grouped at U+2581,
// truncation, the manifest's tokenizer and refusals.
#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/io/textfile.h"
#include "core/text/modeltokenizer.h"
#include "core/text/sentencepiecemodel.h"
#include "core/text/subwordtokenizer.h"

#include "../../testsupport.h"

#include <QTest>

using namespace attnscope::core;
using attnscope::test::dataPath;

namespace {

const Json &reference()
{
    static const Json json = attnscope::test::readJson(dataPath("sentencepiece.reference.json"));
    return json;
}

const SubwordTokenizer &tokenizer(const std::string &model, bool specials = false)
{
    static std::map<std::pair<std::string, bool>, std::unique_ptr<SubwordTokenizer>> cache;
    auto &t = cache[{model, specials}];
    if (!t) {
        SentencePieceModel::Options options;
        options.addBos = options.addEos = specials;
        t = SentencePieceModel::readTokenizer(dataPath(model), options);
    }
    return *t;
}

std::vector<int64_t> intsOf(const Json &array)
{
    std::vector<int64_t> out;
    for (const Json &v : array.toArray())
        out.push_back(static_cast<int64_t>(v.toNumber()));
    return out;
}

const char *const kModels[] = {"spm_unigram.model", "spm_bpe.model"};

} // namespace

class TestSentencePiece : public QObject
{
    Q_OBJECT

private slots:
    void matchesTheLibrary_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("index");
        for (const char *model : kModels) {
            const auto &cases = reference().find("models")->find(model)->find("cases")->toArray();
            for (size_t i = 0; i < cases.size(); ++i)
                QTest::addRow("%s #%zu", model, i) << QString(model) << int(i);
        }
    }
    void matchesTheLibrary()
    {
        QFETCH(QString, model);
        QFETCH(int, index);
        const Json &c = reference().find("models")->find(model.toStdString())->find("cases")->toArray()[size_t(index)];
        const EncodedText e = tokenizer(model.toStdString()).encodeText(c.find("text")->toString());
        std::vector<std::string> pieces;
        for (const Json &p : c.find("pieces")->toArray())
            pieces.push_back(p.toString());
        QCOMPARE(e.tokens, pieces);
        QCOMPARE(e.ids, intsOf(*c.find("ids")));
        std::vector<EncodedText::Span> spans;
        for (const Json &s : c.find("spans")->toArray())
            spans.emplace_back(int64_t(s.toArray()[0].toNumber()), int64_t(s.toArray()[1].toNumber()));
        QCOMPARE(e.offsets, spans);
        QCOMPARE(e.typeIds, std::vector<int64_t>(e.size(), 0));
    }

    void everyStringOfTheOracleIsCovered()
    {
        // Both models saw all the strings (the reference holds them all):
        // a shortened reference file would let cases slip by unseen.
        for (const char *model : kModels)
            QVERIFY(reference().find("models")->find(model)->find("cases")->toArray().size() >= 150);
    }

    void pairsGetSpecialsAndTypeIds_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("index");
        for (const char *model : kModels) {
            const auto &pairs = reference().find("models")->find(model)->find("pairs")->toArray();
            for (size_t i = 0; i < pairs.size(); ++i)
                QTest::addRow("%s pair #%zu", model, i) << QString(model) << int(i);
        }
    }
    void pairsGetSpecialsAndTypeIds()
    {
        QFETCH(QString, model);
        QFETCH(int, index);
        const Json &c = reference().find("models")->find(model.toStdString())->find("pairs")->toArray()[size_t(index)];
        const EncodedText e = tokenizer(model.toStdString(), true).encodePair(c.find("text")->toString(),
                                                                               c.find("pair")->toString());
        QCOMPARE(e.ids, intsOf(*c.find("ids")));
        QCOMPARE(e.typeIds, intsOf(*c.find("type_ids")));
    }

    void wordsStartAtTheSpaceMarker()
    {
        // "▁is ▁there ▁a ▁red ▁circle ▁?" in the unigram model: whatever the
        // pieces, a word is what starts with U+2581 up to the next one.
        const EncodedText e = tokenizer("spm_unigram.model").encodeText("is there a zebra-like circle?");
        const std::string space = "\xE2\x96\x81";
        int64_t expected = -1;
        for (size_t i = 0; i < e.size(); ++i) {
            if (i == 0 || e.tokens[i].rfind(space, 0) == 0)
                ++expected;
            QCOMPARE(e.wordIds[i], expected);
        }
        QCOMPARE(expected, int64_t(4)); // is / there / a / zebra-like / circle?
    }

    void wordsAsTyped()
    {
        // The chips' words: pieces grouped at U+2581, each word's text as
        // typed (its space left out), specials words of their own.
        const TokenizedText t = tokenizer("spm_unigram.model", true).encode("is there  a Zebra-like circle?");
        std::vector<std::string> texts;
        size_t positions = 0;
        for (const TokenizedText::Word &w : t.words()) {
            texts.push_back(w.text);
            positions += w.positions.size();
        }
        QCOMPARE(texts, (std::vector<std::string>{"<s>", "is", "there", "a", "Zebra-like", "circle?", "</s>"}));
        QCOMPARE(positions, t.ids.size()); // every piece in exactly one word
    }

    void singleTextWithSpecials()
    {
        const SubwordTokenizer &t = tokenizer("spm_unigram.model", true);
        const EncodedText plain = tokenizer("spm_unigram.model").encodeText("is there a red circle ?");
        const EncodedText e = t.encodeText("is there a red circle ?");
        QCOMPARE(e.size(), plain.size() + 2);
        QCOMPARE(e.tokens.front(), std::string("<s>"));
        QCOMPARE(e.tokens.back(), std::string("</s>"));
        QCOMPARE(e.ids.front(), int64_t(1));
        QCOMPARE(e.ids.back(), int64_t(2));
        QCOMPARE(std::vector<int64_t>(e.ids.begin() + 1, e.ids.end() - 1), plain.ids);
        // Typed in, "</s>" is text: the library reads control symbols only by id.
        const EncodedText typed = tokenizer("spm_unigram.model").encodeText("</s>");
        QVERIFY(std::find(typed.ids.begin(), typed.ids.end(), int64_t(2)) == typed.ids.end());
    }

    void fittedToAModelsLength()
    {
        TextSpec spec;
        spec.tokenizer = "sentencepiece";
        spec.file = "spiece.model";
        spec.maxLength = 8;
        spec.addEos = true;
        spec.padToken = "<pad>";
        const std::map<std::string, std::string> files{
            {"spiece.model", TextFile::read(dataPath("spm_unigram.model"))}};
        const auto t = ModelTokenizer::build(spec, files, "model.pt");
        const EncodedText shortText = t->encodeText("a red circle");
        QCOMPARE(shortText.size(), size_t(8));
        const EncodedText plain = tokenizer("spm_unigram.model").encodeText("a red circle");
        const size_t real = plain.size() + 1;
        QCOMPARE(shortText.ids[real - 1], int64_t(2)); // </s> after the text
        for (size_t i = real; i < 8; ++i) {
            QCOMPARE(shortText.ids[i], int64_t(3)); // <pad>, as the model was trained with pad_id 3
            QCOMPARE(int(shortText.attentionMask[i]), 0);
        }
        const EncodedText longText = t->encodeText("is there a red circle left of the blue square and a green triangle ?");
        QCOMPARE(longText.size(), size_t(8));
        QCOMPARE(longText.ids.back(), int64_t(2)); // still ends with </s>
        QVERIFY(longText.truncation.truncated());
    }

    void refusesWhatIsNotAModel()
    {
        try {
            SentencePieceModel::tokenizer("not a model", "spiece.model in model.pt", {});
            QFAIL("a text file was read as a SentencePiece model");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("spiece.model in model.pt: not a SentencePiece model"),
                     e.what());
        }
        TextSpec spec;
        spec.tokenizer = "sentencepiece";
        spec.file = "spiece.model";
        spec.maxLength = 8;
        try {
            ModelTokenizer::build(spec, {}, "model.pt");
            QFAIL("a missing spiece.model was not noticed");
        } catch (const Error &e) {
            QVERIFY2(QString::fromStdString(e.what()).contains("no such file"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSentencePiece)
#include "tst_sentencepiece.moc"
