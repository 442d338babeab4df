// GPT-2's byte-level BPE (ByteLevel pre-tokenizer, BPE, ByteLevel
// post-processor): every string of the oracles (../shared/oracles/tokenizers,
// tokenized by the Hugging Face library itself) through both loaders
// (tokenizer.json and vocab.json + merges.txt), field by field; then GPT-2's
// split pattern, the byte alphabet, the merge order and offset trimming on
// cases worked out by hand.
#include "core/error.h"
#include "core/text/bpemodel.h"
#include "core/text/bytelevelpretokenizer.h"
#include "core/text/hftokenizerjson.h"
#include "core/text/sourcetext.h"
#include "core/text/subwordtokenizer.h"
#include "core/text/vocabularyfiles.h"

#include "tokenizeroracle.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <map>

using namespace attnscope::core;
using attnscope::test::oracleCases;
using attnscope::test::oraclePath;

namespace {

const SubwordTokenizer &oracleTokenizer(const QString &loader)
{
    static std::map<QString, std::unique_ptr<SubwordTokenizer>> cache;
    auto &slot = cache[loader];
    if (!slot) {
        if (loader == "tokenizer.json")
            slot = HfTokenizerJson::read(oraclePath("bytelevel_bpe/tokenizer.json"));
        else
            slot = VocabularyFiles::readGpt2(oraclePath("bytelevel_bpe/vocab.json"),
                                             oraclePath("bytelevel_bpe/merges.txt"), {});
    }
    return *slot;
}

/// The words GPT-2's pattern cuts `text` into, as UTF-8.
QStringList gpt2Words(const QString &text)
{
    const AlignedChars chars = SourceText(text.toStdString()).aligned();
    QStringList words;
    for (size_t pos = 0; pos < chars.size();) {
        const size_t n = ByteLevelPreTokenizer::matchLength(chars, pos);
        words << QString::fromStdString(utf8Of(chars, pos, pos + n));
        pos += n;
    }
    return words;
}

Vocabulary vocabularyOf(const std::vector<std::string> &tokens)
{
    Vocabulary v;
    for (size_t i = 0; i < tokens.size(); ++i)
        v[tokens[i]] = static_cast<int64_t>(i);
    return v;
}

/// BPE over the whole text (no pre-tokenizer), vocabulary a b c bc ab abc.
std::unique_ptr<SubwordTokenizer> smallBpe(bool withUnknown)
{
    SubwordTokenizer::Parts parts;
    BpeModel::Options options;
    if (withUnknown)
        options.unknownToken = "<unk>";
    parts.model =
        std::make_unique<BpeModel>(vocabularyOf({"a", "b", "c", "bc", "ab", "abc", "<unk>"}),
                                   std::vector<BpeModel::Merge>{{"b", "c"}, {"a", "b"}, {"a", "bc"}}, options);
    return std::make_unique<SubwordTokenizer>(std::move(parts));
}

QStringList tokensOf(const EncodedText &e)
{
    QStringList out;
    for (const std::string &t : e.tokens)
        out << QString::fromStdString(t);
    return out;
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}

} // namespace

class TestByteLevelBpe : public QObject
{
    Q_OBJECT
private slots:
    void matchesTheReferenceLibrary_data();
    void matchesTheReferenceLibrary();
    void splitsAsGpt2sPattern_data();
    void splitsAsGpt2sPattern();
    void writesBytesInGpt2sAlphabet();
    void mergesBestRankFirst_data();
    void mergesBestRankFirst();
    void trimsSpacesFromOffsets();
    void refusesBrokenFiles();
};

void TestByteLevelBpe::matchesTheReferenceLibrary_data()
{
    attnscope::test::addOracleRows({"bytelevel_bpe"}, {"tokenizer.json", "vocab.json+merges.txt"});
}

void TestByteLevelBpe::matchesTheReferenceLibrary()
{
    QFETCH(QString, folder);
    QFETCH(QString, loader);
    QFETCH(int, index);
    ATTNSCOPE_REQUIRE_ORACLES(index);
    const SubwordTokenizer &tokenizer = oracleTokenizer(loader);
    const attnscope::test::OracleCase &c = oracleCases(folder.toStdString())[static_cast<size_t>(index)];
    const EncodedText e = c.isPair ? tokenizer.encodePair(c.text, c.pair) : tokenizer.encodeText(c.text);
    ATTNSCOPE_COMPARE_WITH_ORACLE(e, c);
}

void TestByteLevelBpe::splitsAsGpt2sPattern_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("sentence") << "Hello my friend, how is your day going?"
                              << QStringList{"Hello", " my",   " friend", ",",      " how",
                                             " is",   " your", " day",    " going", "?"};
    // Contractions are lower-case literals; two spaces leave the first on its own.
    QTest::newRow("contractions") << "I'm  2 cats' 'S" << QStringList{"I", "'m", " ", " 2", " cats", "'", " '", "S"};
    // A whitespace run gives its last space to the word after it, or keeps it at the end.
    QTest::newRow("whitespace") << "a\t\n b   " << QStringList{"a", "\t\n", " b", "   "};
    QTest::newRow("symbols") << "!!?? ok..." << QStringList{"!!??", " ok", "..."};
    // A combining mark is neither letter nor number; digits and letters part.
    QTest::newRow("mark") << QString::fromUtf8("e\xCC\x81x 3rd")
                          << QStringList{"e", QString::fromUtf8("\xCC\x81"), "x", " 3", "rd"};
    // Non-breaking space is whitespace but not the optional ASCII space.
    QTest::newRow("nbsp") << QString::fromUtf8("a\xC2\xA0"
                                               "b")
                          << QStringList{"a", QString::fromUtf8("\xC2\xA0"), "b"};
}

void TestByteLevelBpe::splitsAsGpt2sPattern()
{
    QFETCH(QString, text);
    QFETCH(QStringList, words);
    QCOMPARE(gpt2Words(text), words);
}

void TestByteLevelBpe::writesBytesInGpt2sAlphabet()
{
    // Printable Latin-1 stands for itself; the other 68 bytes count up
    // from U+0100 in byte order: 0x00-0x20, 0x7F-0xA0, 0xAD.
    QCOMPARE(ByteLevelPreTokenizer::byteSymbol('!'), char32_t('!'));
    QCOMPARE(ByteLevelPreTokenizer::byteSymbol(0xE9), char32_t(0xE9));
    QCOMPARE(ByteLevelPreTokenizer::byteSymbol(0x00), char32_t(0x100));
    QCOMPARE(ByteLevelPreTokenizer::byteSymbol('\n'), char32_t(0x10A)); // Ċ
    QCOMPARE(ByteLevelPreTokenizer::byteSymbol(' '), char32_t(0x120));  // Ġ
    QCOMPARE(ByteLevelPreTokenizer::byteSymbol(0x7F), char32_t(0x121));
    QCOMPARE(ByteLevelPreTokenizer::byteSymbol(0xA0), char32_t(0x142));
    QCOMPARE(ByteLevelPreTokenizer::byteSymbol(0xAD), char32_t(0x143));
    // "é" is two bytes, two symbols, both with the source of the one character.
    ByteLevelPreTokenizer pre(ByteLevelPreTokenizer::Options{});
    std::vector<AlignedChars> words;
    pre.split(SourceText("\xC3\xA9").aligned(), words);
    QCOMPARE(words.size(), size_t(1));
    QCOMPARE(words[0].size(), size_t(2));
    QCOMPARE(words[0][0].c, char32_t(0xC3));
    QCOMPARE(words[0][1].c, char32_t(0xA9));
    QCOMPARE(words[0][1].source, 0);
}

void TestByteLevelBpe::mergesBestRankFirst_data()
{
    QTest::addColumn<bool>("unknown");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("tokens");
    QTest::addColumn<int>("lastEnd");
    // merges: 0 (b, c), 1 (a, b), 2 (a, bc)
    QTest::newRow("best rank first") << false << "abc" << QStringList{"abc"} << 3;
    QTest::newRow("equal ranks, both") << false << "abab" << QStringList{"ab", "ab"} << 4;
    QTest::newRow("no merge left") << false << "bcab" << QStringList{"bc", "ab"} << 4;
    QTest::newRow("aab") << false << "aab" << QStringList{"a", "ab"} << 3;
    // Without an unknown token a character the vocabulary lacks is dropped,
    // so its neighbours meet and merge, the token covering it.
    QTest::newRow("dropped") << false << "axb" << QStringList{"ab"} << 3;
    QTest::newRow("unknown") << true << "axb" << QStringList{"a", "<unk>", "b"} << 3;
}

void TestByteLevelBpe::mergesBestRankFirst()
{
    QFETCH(bool, unknown);
    QFETCH(QString, text);
    QFETCH(QStringList, tokens);
    QFETCH(int, lastEnd);
    const EncodedText e = smallBpe(unknown)->encodeText(text.toStdString());
    QCOMPARE(tokensOf(e), tokens);
    QCOMPARE(e.offsets.back().second, int64_t(lastEnd));
}

void TestByteLevelBpe::trimsSpacesFromOffsets()
{
    const std::string space = "\xC4\xA0"; // Ġ
    for (const bool trim : {false, true}) {
        SubwordTokenizer::Parts parts;
        parts.preTokenizer = std::make_unique<ByteLevelPreTokenizer>(ByteLevelPreTokenizer::Options{});
        parts.model =
            std::make_unique<BpeModel>(vocabularyOf({"a", space, space + "a", space + space}),
                                       std::vector<BpeModel::Merge>{{space, "a"}, {space, space}}, BpeModel::Options{});
        parts.trimByteLevelOffsets = trim;
        const EncodedText e = SubwordTokenizer(std::move(parts)).encodeText("a a  ");
        // Words "a", " a", "  " (spaces at the end stay one word).
        QCOMPARE(tokensOf(e),
                 (QStringList{"a", QString::fromStdString(space + "a"), QString::fromStdString(space + space)}));
        QCOMPARE(e.offsets[1], (trim ? EncodedText::Span{2, 3} : EncodedText::Span{1, 3}));
        // An all-space token shrinks to nothing at its end.
        QCOMPARE(e.offsets[2], (trim ? EncodedText::Span{5, 5} : EncodedText::Span{3, 5}));
        QCOMPARE(e.byteOffsets[1], e.offsets[1]);
    }
}

void TestByteLevelBpe::refusesBrokenFiles()
{
    QTemporaryDir dir;
    const QString vocab = dir.filePath("vocab.json");
    const QString merges = dir.filePath("merges.txt");
    writeFile(vocab, R"({"a": 0, "b": 1, "ab": 2})");
    writeFile(merges, "#version: 0.2\na b\n");
    QCOMPARE(VocabularyFiles::readGpt2(vocab.toStdString(), merges.toStdString(), {})->encodeText("ab").ids,
             (std::vector<int64_t>{2}));
    writeFile(merges, "#version: 0.2\na b c\n");
    try {
        VocabularyFiles::readGpt2(vocab.toStdString(), merges.toStdString(), {});
        QFAIL("a merge of three tokens was read");
    } catch (const Error &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains("line 2 is not two tokens"), e.what());
    }
    writeFile(vocab, R"(["a", "b"])");
    QVERIFY_THROWS_EXCEPTION(Error, VocabularyFiles::readGpt2(vocab.toStdString(), merges.toStdString(), {}));
    writeFile(vocab, R"({"a": -1})");
    QVERIFY_THROWS_EXCEPTION(Error, VocabularyFiles::readGpt2(vocab.toStdString(), merges.toStdString(), {}));
    QVERIFY_THROWS_EXCEPTION(
        Error, VocabularyFiles::readGpt2(dir.filePath("none.json").toStdString(), merges.toStdString(), {}));
}

QTEST_GUILESS_MAIN(TestByteLevelBpe)
#include "tst_bytelevelbpe.moc"
