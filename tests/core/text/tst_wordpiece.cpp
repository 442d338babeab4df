// BERT's WordPiece tokenizer (BertNormalizer, BertPreTokenizer, WordPiece,
// BertProcessing): every string of the oracles (../shared/oracles/tokenizers,
// tokenized by the Hugging Face library itself) through both loaders
// (tokenizer.json and vocab.txt), field by field; then what the oracles do
// not cover, worked out by hand: truncation, templates, refusals.
#include "core/error.h"
#include "core/io/textfile.h"
#include "core/text/bertnormalizer.h"
#include "core/text/bertpretokenizer.h"
#include "core/text/hftokenizerjson.h"
#include "core/text/subwordtokenizer.h"
#include "core/text/vocabularyfiles.h"
#include "core/text/wordpiecemodel.h"

#include "tokenizeroracle.h"

#include <QTest>

#include <map>

using namespace attnscope::core;
using attnscope::test::oracleCases;
using attnscope::test::oraclePath;

namespace {

/// The oracle tokenizer `folder` read by `loader`, once.
const SubwordTokenizer &oracleTokenizer(const QString &folder, const QString &loader)
{
    static std::map<QString, std::unique_ptr<SubwordTokenizer>> cache;
    const QString key = folder + "/" + loader;
    auto &slot = cache[key];
    if (!slot) {
        const std::string dir = folder.toStdString() + "/";
        if (loader == "tokenizer.json") {
            slot = HfTokenizerJson::read(oraclePath(dir + "tokenizer.json"));
        } else {
            VocabularyFiles::WordPieceOptions options;
            options.lowercase = folder != "bert_cased";
            slot = VocabularyFiles::readWordPieceVocab(oraclePath(dir + "vocab.txt"), options);
        }
    }
    return *slot;
}

/// A tokenizer over a small hand-made vocabulary: lower-casing BERT.
std::unique_ptr<SubwordTokenizer> smallBert(const SubwordTokenizer::Truncation &truncation = {})
{
    Vocabulary vocabulary;
    const std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat",  "sat",  "on",
                                             "mat",   "##s",   "a",     "dog",   ".",   "play", "##ing"};
    for (size_t i = 0; i < tokens.size(); ++i)
        vocabulary[tokens[i]] = static_cast<int64_t>(i);
    SubwordTokenizer::Parts parts;
    parts.normalizer = std::make_shared<BertNormalizer>(BertNormalizer::Options{});
    parts.preTokenizer = std::make_unique<BertPreTokenizer>();
    parts.model = std::make_unique<WordPieceModel>(vocabulary, WordPieceModel::Options{});
    parts.postProcessor = TemplatePostProcessor::bert("[CLS]", 2, "[SEP]", 3);
    for (const char *special : {"[PAD]", "[UNK]", "[CLS]", "[SEP]"}) {
        AddedToken t;
        t.content = special;
        t.id = vocabulary[special];
        t.special = true;
        parts.addedTokens.push_back(t);
    }
    parts.truncation = truncation;
    return std::make_unique<SubwordTokenizer>(std::move(parts));
}

using Ids = std::vector<int64_t>;

/// A minimal tokenizer.json around `model`, `extra` members added.
std::string tokenizerJson(const std::string &model, const std::string &extra = "")
{
    return "{\"version\": \"1.0\", " + extra + (extra.empty() ? "" : ", ") + "\"model\": " + model + "}";
}

const std::string kWordPiece =
    R"({"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "cat": 4}})";

} // namespace

Q_DECLARE_METATYPE(Ids)

class TestWordPiece : public QObject
{
    Q_OBJECT
private slots:
    void vocabularyLines();
    void matchesTheReferenceLibrary_data();
    void matchesTheReferenceLibrary();
    void truncatesAsTheLibraryDoes_data();
    void truncatesAsTheLibraryDoes();
    void readsTemplateProcessing();
    void servesTheTokenizerInterface();
    void readsAnyBytes();
    void refusesWhatItCannotRead_data();
    void refusesWhatItCannotRead();
};

// A vocab.txt's line number is the token's id: lines as Rust's lines() reads
// them (the library's reader), whatever the file's line ends.
void TestWordPiece::vocabularyLines()
{
    using L = std::vector<std::string>;
    QCOMPARE(TextFile::lines("a\r\nb\n\nc"), (L{"a", "b", "", "c"}));
    QCOMPARE(TextFile::lines("x\n"), L{"x"});     // no line after the final newline
    QCOMPARE(TextFile::lines("x\n\n"), (L{"x", ""}));
    QCOMPARE(TextFile::lines(""), L{});
    QCOMPARE(TextFile::lines("a\rb"), L{"a\rb"}); // a lone CR ends no line
}

void TestWordPiece::matchesTheReferenceLibrary_data()
{
    attnscope::test::addOracleRows({"bert_uncased", "bert_cased"}, {"tokenizer.json", "vocab.txt"});
}

void TestWordPiece::matchesTheReferenceLibrary()
{
    QFETCH(QString, folder);
    QFETCH(QString, loader);
    QFETCH(int, index);
    ATTNSCOPE_REQUIRE_ORACLES(index);
    const SubwordTokenizer &tokenizer = oracleTokenizer(folder, loader);
    const attnscope::test::OracleCase &c = oracleCases(folder.toStdString())[static_cast<size_t>(index)];
    const EncodedText e = c.isPair ? tokenizer.encodePair(c.text, c.pair) : tokenizer.encodeText(c.text);
    ATTNSCOPE_COMPARE_WITH_ORACLE(e, c);
    QVERIFY(!e.truncation.truncated());
}

void TestWordPiece::truncatesAsTheLibraryDoes_data()
{
    QTest::addColumn<int>("maxLength");
    QTest::addColumn<int>("strategy");
    QTest::addColumn<bool>("fromLeft");
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<Ids>("ids");
    QTest::addColumn<Ids>("cut");
    // ids: [CLS] 2, [SEP] 3, the 4, cat 5, sat 6, on 7, mat 8, ##s 9, a 10, dog 11, . 12
    using S = SubwordTokenizer::Truncation::Strategy;
    // One text: room for 6 - 2 specials = 4 tokens of "the cats sat on the mat ." (8 tokens).
    QTest::newRow("single, right") << 6 << int(S::LongestFirst) << false << "the cats sat on the mat."
                                   << "" << Ids{2, 4, 5, 9, 6, 3} << Ids{4, 0};
    QTest::newRow("single, left") << 6 << int(S::LongestFirst) << true << "the cats sat on the mat."
                                  << "" << Ids{2, 7, 4, 8, 12, 3} << Ids{4, 0};
    QTest::newRow("short enough") << 10 << int(S::LongestFirst) << false << "the cat sat."
                                  << "" << Ids{2, 4, 5, 6, 12, 3} << Ids{0, 0};
    // A pair: 9 - 3 specials = 6. Lengths 2 and 8: the shorter one stays
    // whole, the longer gets 6 - 2 = 4.
    QTest::newRow("pair, longer cut") << 9 << int(S::LongestFirst) << false << "a dog"
                                      << "the cats sat on the mat." << Ids{2, 10, 11, 3, 4, 5, 9, 6, 3} << Ids{0, 4};
    // Lengths 5 and 8 with room 6: both cut, 3 each (6 / 2, the longer gets 6 % 2 more).
    QTest::newRow("pair, both cut") << 9 << int(S::LongestFirst) << false << "the cat sat on a"
                                    << "the cats sat on the mat." << Ids{2, 4, 5, 6, 3, 4, 5, 9, 3} << Ids{2, 5};
    // Room 5: 2 and 3.
    QTest::newRow("pair, odd room") << 8 << int(S::LongestFirst) << false << "the cat sat on a"
                                    << "the cats sat on the mat." << Ids{2, 4, 5, 3, 4, 5, 9, 3} << Ids{3, 5};
    QTest::newRow("only second") << 9 << int(S::OnlySecond) << false << "the cat sat on a"
                                 << "the cats sat on the mat." << Ids{2, 4, 5, 6, 7, 10, 3, 4, 3} << Ids{0, 7};
}

void TestWordPiece::truncatesAsTheLibraryDoes()
{
    QFETCH(int, maxLength);
    QFETCH(int, strategy);
    QFETCH(bool, fromLeft);
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(Ids, ids);
    QFETCH(Ids, cut);
    SubwordTokenizer::Truncation t;
    t.maxLength = maxLength;
    t.strategy = static_cast<SubwordTokenizer::Truncation::Strategy>(strategy);
    t.fromLeft = fromLeft;
    const auto tokenizer = smallBert(t);
    const EncodedText e = second.isEmpty() ? tokenizer->encodeText(first.toStdString())
                                           : tokenizer->encodePair(first.toStdString(), second.toStdString());
    QCOMPARE(e.ids, ids);
    QCOMPARE(e.truncation.cutTokens[0], cut[0]);
    QCOMPARE(e.truncation.cutTokens[1], cut[1]);
    QCOMPARE(e.truncation.maxLength, int64_t(maxLength));
    QCOMPARE(e.truncation.truncated(), cut[0] + cut[1] > 0);
}

void TestWordPiece::readsTemplateProcessing()
{
    // The post-processor as bert-base-uncased's own tokenizer.json writes it.
    const std::string post = R"("post_processor": {"type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                   {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                 {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
        "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1], "tokens": ["[CLS]"]},
                           "[SEP]": {"id": "[SEP]", "ids": [2], "tokens": ["[SEP]"]}}},
        "pre_tokenizer": {"type": "BertPreTokenizer"})";
    const auto tokenizer = HfTokenizerJson::parse(tokenizerJson(kWordPiece, post), "test.json");
    const EncodedText e = tokenizer->encodePair("a cat", "cat dog");
    QCOMPARE(e.ids, (Ids{1, 3, 4, 2, 4, 0, 2}));
    QCOMPARE(e.typeIds, (Ids{0, 0, 0, 0, 1, 1, 1}));
    QCOMPARE(e.sequenceIds, (Ids{-1, 0, 0, -1, 1, 1, -1}));
    QCOMPARE(e.wordIds, (Ids{-1, 0, 1, -1, 0, 1, -1}));
    QCOMPARE(e.specialTokensMask, (std::vector<uint8_t>{1, 0, 0, 1, 0, 0, 1}));
}

void TestWordPiece::servesTheTokenizerInterface()
{
    SubwordTokenizer::Truncation t;
    t.maxLength = 5;
    const std::unique_ptr<Tokenizer> tokenizer = smallBert(t);
    const TokenizedText text = tokenizer->encode("The cats played on the mat");
    // [CLS] the cat ##s [SEP]: "played" is cut, with "on the mat".
    QCOMPARE(text.ids, (Ids{2, 4, 5, 9, 3}));
    QCOMPARE(text.special, (std::vector<uint8_t>{1, 0, 0, 0, 1}));
    QCOMPARE(text.wordCount, 6);
    QCOMPARE(text.droppedWords, 4);
    const TokenizedText unknown = smallBert()->encode("a zebra");
    QCOMPARE(unknown.ids, (Ids{2, 10, 1, 3}));
    QCOMPARE(unknown.unknown, (std::vector<uint8_t>{0, 0, 1, 0}));
    QCOMPARE(unknown.tokens[2], std::string("[UNK]"));
}

void TestWordPiece::readsAnyBytes()
{
    // Invalid UTF-8 becomes U+FFFD, which BERT's clean-up deletes; offsets
    // still count the input's bytes. "cat\xFF dog" -> cat [0, 3), dog [5, 8).
    const EncodedText e = smallBert()->encodeText("cat\xFF dog");
    QCOMPARE(e.ids, (Ids{2, 5, 11, 3}));
    QCOMPARE(e.byteOffsets[2], (EncodedText::Span{5, 8}));
    QCOMPARE(e.offsets[2], (EncodedText::Span{5, 8}));
    // A word longer than 100 characters is one [UNK] over all of it.
    const EncodedText longWord = smallBert()->encodeText(std::string(101, 'a') + " cat");
    QCOMPARE(longWord.ids, (Ids{2, 1, 5, 3}));
    QCOMPARE(longWord.offsets[1], (EncodedText::Span{0, 101}));
    // Text past the bound is refused, not cut.
    QVERIFY_THROWS_EXCEPTION(Error, smallBert()->encodeText(std::string(SubwordTokenizer::kMaxTextBytes + 1, 'a')));
}

void TestWordPiece::refusesWhatItCannotRead_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");
    const std::string bpe = R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]])";
    QTest::newRow("normalizer") << QString::fromStdString(tokenizerJson(kWordPiece, R"("normalizer": {"type": "NFC"})"))
                                << "the normalizer \"NFC\" is not supported";
    QTest::newRow("pre-tokenizer") << QString::fromStdString(
                                          tokenizerJson(kWordPiece, R"("pre_tokenizer": {"type": "Metaspace"})"))
                                   << "the pre-tokenizer \"Metaspace\" is not supported";
    QTest::newRow("post-processor") << QString::fromStdString(tokenizerJson(
                                           kWordPiece, R"("post_processor": {"type": "RobertaProcessing"})"))
                                    << "the post-processor \"RobertaProcessing\" is not supported";
    QTest::newRow("model") << QString::fromStdString(tokenizerJson(R"({"type": "Unigram", "vocab": []})"))
                           << "the model type \"Unigram\" is not supported";
    QTest::newRow("no unk") << QString::fromStdString(tokenizerJson(R"({"type": "WordPiece", "vocab": {"a": 0}})"))
                            << "no unknown token \"[UNK]\"";
    QTest::newRow("bad id") << QString::fromStdString(tokenizerJson(R"({"type": "WordPiece", "vocab": {"a": "x"}})"))
                            << "'model.vocab[\"a\"]' must be a whole number";
    QTest::newRow("dropout") << QString::fromStdString(tokenizerJson(bpe + R"(, "dropout": 0.1})"))
                             << "'model.dropout' is set";
    QTest::newRow("byte fallback") << QString::fromStdString(tokenizerJson(bpe + R"(, "byte_fallback": true})"))
                                   << "'model.byte_fallback' is not supported";
    QTest::newRow("merge outside vocab") << QString::fromStdString(tokenizerJson(
                                                R"({"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]})"))
                                         << "\"ab\", which is not in the vocabulary";
    QTest::newRow("long words")
        << QString::fromStdString(
               tokenizerJson(R"({"type": "WordPiece", "vocab": {"[UNK]": 0}, "max_input_chars_per_word": 100000})"))
        << "AttnScope reads at most 1000";
    QTest::newRow("truncation 0") << QString::fromStdString(
                                         tokenizerJson(kWordPiece, R"("truncation": {"max_length": 0})"))
                                  << "'truncation.max_length' is 0";
    QTest::newRow("template names nothing")
        << QString::fromStdString(tokenizerJson(
               kWordPiece,
               R"("post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}]})"))
        << "uses the special token \"<s>\", which it does not define";
    QTest::newRow("not json") << "{\"model\": "
                              << "line 1";
}

void TestWordPiece::refusesWhatItCannotRead()
{
    QFETCH(QString, json);
    QFETCH(QString, message);
    try {
        HfTokenizerJson::parse(json.toStdString(), "test.json");
        QFAIL("the tokenizer.json was read");
    } catch (const Error &e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith("test.json"), qPrintable(what));
        QVERIFY2(what.contains(message), qPrintable(what));
    }
}

QTEST_GUILESS_MAIN(TestWordPiece)
#include "tst_wordpiece.moc"
