// The word-level tokenizer: splitting, vocabulary look-up, truncation, padding;
// and the malformed texts read exactly as the Python tokenizer reads them
// (models/attnscope/tokenizer.py, an implementation of its own, whose output
// is tests/data/malformed/tokens.expected.json).
#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/io/textfile.h"
#include "core/json/json.h"
#include "core/text/tokenizer.h"
#include "core/text/wordleveltokenizer.h"

#include "../../testsupport.h"

#include <QDir>
#include <QTest>

using namespace attnscope::core;

namespace {

TextSpec spec(bool addCls, bool addSep, int maxLength)
{
    TextSpec s;
    s.vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "is", "there", "a", "red", "circle", "?", "don't"};
    s.maxLength = maxLength;
    s.addCls = addCls;
    s.addSep = addSep;
    return s;
}

const Json &pythonTokens()
{
    static const Json expected = attnscope::test::readJson(attnscope::test::dataPath("malformed/tokens.expected.json"));
    return expected;
}

/// The text model's spec (the manifest the Python side read, parsed as a
/// model's is) with a reading's changes.
TextSpec readingSpec(const std::string &reading)
{
    TextSpec spec = Manifest::parse(pythonTokens().find("manifest")->dump(), "tokens.expected.json").text;
    const Json *changes = pythonTokens().find("readings")->find(reading);
    if (const Json *v = changes->find("max_length"))
        spec.maxLength = static_cast<int>(v->toNumber());
    if (const Json *v = changes->find("add_cls"))
        spec.addCls = v->toBool();
    if (const Json *v = changes->find("add_sep"))
        spec.addSep = v->toBool();
    return spec;
}

/// The Python tokenizer's output for a text and a reading, or nullptr.
const Json *pythonTokensFor(const std::string &file, const std::string &reading)
{
    for (const Json &t : pythonTokens().find("texts")->toArray()) {
        if (t.find("file")->toString() == file && t.find("reading")->toString() == reading)
            return &t;
    }
    return nullptr;
}

QList<qint64> integers(const Json &array)
{
    QList<qint64> out;
    for (const Json &v : array.toArray())
        out << (v.isBool() ? qint64(v.toBool()) : static_cast<qint64>(v.toNumber()));
    return out;
}

template <typename T> QList<qint64> integers(const std::vector<T> &values)
{
    return QList<qint64>(values.begin(), values.end());
}

QStringList strings(const Json &array)
{
    QStringList out;
    for (const Json &v : array.toArray())
        out << QString::fromStdString(v.toString());
    return out;
}

QStringList strings(const std::vector<std::string> &values)
{
    QStringList out;
    for (const std::string &v : values)
        out << QString::fromStdString(v);
    return out;
}

} // namespace

using Ids = std::vector<int64_t>;
Q_DECLARE_METATYPE(Ids)

class TestTokenizer : public QObject
{
    Q_OBJECT
private slots:
    void encodes_data();
    void encodes();
    void splitsWordsAndMarks();
    void sanitizesText();
    void refusesLengthWithoutRoomForWords();
    void manyWordsAreTruncatedQuickly();
    void namesTheUnknownWords_data();
    void namesTheUnknownWords();
    void readsMalformedTextsAsPythonDoes_data();
    void readsMalformedTextsAsPythonDoes();
};

void TestTokenizer::encodes_data()
{
    QTest::addColumn<bool>("cls");
    QTest::addColumn<bool>("sep");
    QTest::addColumn<QString>("text");
    QTest::addColumn<Ids>("ids");
    QTest::addColumn<Ids>("mask");
    QTest::addColumn<int>("dropped");
    // vocab: 0 [PAD] 1 [UNK] 2 [CLS] 3 [SEP] 4 is 5 there 6 a 7 red 8 circle 9 ? 10 don't
    QTest::newRow("plain") << false << false << "is there a red circle?" << Ids{4, 5, 6, 7, 8, 9, 0, 0} << Ids{1, 1, 1, 1, 1, 1, 0, 0} << 0;
    QTest::newRow("case") << false << false << "IS There" << Ids{4, 5, 0, 0, 0, 0, 0, 0} << Ids{1, 1, 0, 0, 0, 0, 0, 0} << 0;
    QTest::newRow("unknown") << false << false << "a blue circle" << Ids{6, 1, 8, 0, 0, 0, 0, 0} << Ids{1, 1, 1, 0, 0, 0, 0, 0} << 0;
    QTest::newRow("cls sep") << true << true << "a red" << Ids{2, 6, 7, 3, 0, 0, 0, 0} << Ids{1, 1, 1, 1, 0, 0, 0, 0} << 0;
    QTest::newRow("truncated") << true << false << "a a a a a a a a a a" << Ids{2, 6, 6, 6, 6, 6, 6, 6} << Ids{1, 1, 1, 1, 1, 1, 1, 1} << 3;
    QTest::newRow("truncated sep") << true << true << "a a a a a a a" << Ids{2, 6, 6, 6, 6, 6, 6, 3} << Ids{1, 1, 1, 1, 1, 1, 1, 1} << 1;
    QTest::newRow("empty") << true << false << "" << Ids{2, 0, 0, 0, 0, 0, 0, 0} << Ids{1, 0, 0, 0, 0, 0, 0, 0} << 0;
    QTest::newRow("whitespace") << false << false << " \t\n " << Ids{0, 0, 0, 0, 0, 0, 0, 0} << Ids{0, 0, 0, 0, 0, 0, 0, 0} << 0;
    QTest::newRow("apostrophe") << false << false << "Don't!" << Ids{10, 1, 0, 0, 0, 0, 0, 0} << Ids{1, 1, 0, 0, 0, 0, 0, 0} << 0;
    QTest::newRow("emoji") << false << false << QString::fromUtf8("a \xF0\x9F\x98\x80 red") << Ids{6, 1, 7, 0, 0, 0, 0, 0} << Ids{1, 1, 1, 0, 0, 0, 0, 0} << 0;
}

void TestTokenizer::encodes()
{
    QFETCH(bool, cls);
    QFETCH(bool, sep);
    QFETCH(QString, text);
    QFETCH(Ids, ids);
    QFETCH(Ids, mask);
    QFETCH(int, dropped);
    const auto tokenizer = Tokenizer::create(spec(cls, sep, 8));
    const TokenizedText t = tokenizer->encode(text.toStdString());
    QCOMPARE(t.ids, ids);
    QCOMPARE(t.mask, mask);
    QCOMPARE(t.droppedWords, dropped);
    QCOMPARE(t.tokens.size(), size_t(8));
    for (size_t i = 0; i < ids.size(); ++i) {
        QCOMPARE(t.unknown[i] != 0, ids[i] == 1);
        QCOMPARE(t.special[i] != 0, ids[i] == 0 || ids[i] == 2 || ids[i] == 3);
    }
}

void TestTokenizer::splitsWordsAndMarks()
{
    const WordLevelTokenizer tokenizer(spec(false, false, 8));
    QCOMPARE(tokenizer.split("What's left-of the RED, square?"),
             std::vector<std::string>({"what's", "left", "-", "of", "the", "red", ",", "square", "?"}));
}

void TestTokenizer::refusesLengthWithoutRoomForWords()
{
    TextSpec spec;
    spec.vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "a"};
    spec.addCls = true;
    spec.addSep = true;
    spec.maxLength = 2;
    QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::create(spec));
    spec.maxLength = 3;
    const TokenizedText t = Tokenizer::create(spec)->encode("a a");
    QCOMPARE(t.ids, (std::vector<int64_t>{2, 4, 3}));
    QCOMPARE(t.droppedWords, 1);
}

void TestTokenizer::sanitizesText()
{
    // Invalid UTF-8 (a lone continuation byte, a truncated sequence, an overlong '/')
    // becomes U+FFFD; control characters become spaces; valid text is kept.
    QCOMPARE(sanitizeUtf8("a\x80" "b"), std::string("a\xEF\xBF\xBD" "b"));
    QCOMPARE(sanitizeUtf8("x\xE2\x82"), std::string("x\xEF\xBF\xBD\xEF\xBF\xBD"));
    QCOMPARE(sanitizeUtf8("\xC0\xAF"), std::string("\xEF\xBF\xBD\xEF\xBF\xBD"));
    QCOMPARE(sanitizeUtf8("tab\there\x01"), std::string("tab here "));
    QCOMPARE(sanitizeUtf8("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x82\xAC"), std::string("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x82\xAC"));
    // C1 controls (U+0085 NEL, U+009B CSI) become spaces like C0 ones.
    QCOMPARE(sanitizeUtf8("a\xC2\x85" "b\xC2\x9B" "c"), std::string("a b c"));
    // A right-to-left override (U+202E) and an isolate (U+2067) would reorder
    // what follows them on screen: shown as U+FFFD. Marks (U+200F) stay.
    QCOMPARE(sanitizeUtf8("x\xE2\x80\xAE" "abc\xE2\x81\xA7" "y\xE2\x80\x8F"),
             std::string("x\xEF\xBF\xBD" "abc\xEF\xBF\xBD" "y\xE2\x80\x8F"));
    const auto tokenizer = Tokenizer::create(spec(false, false, 4));
    const TokenizedText t = tokenizer->encode("red \xFF\xFE circle");
    QCOMPARE(t.tokens[1], std::string("\xEF\xBF\xBD\xEF\xBF\xBD"));
    QCOMPARE(t.ids[1], int64_t(1));
}

void TestTokenizer::manyWordsAreTruncatedQuickly()
{
    std::string text;
    for (int i = 0; i < 10000; ++i)
        text += "red ";
    const auto tokenizer = Tokenizer::create(spec(true, false, 8));
    const TokenizedText t = tokenizer->encode(text);
    QCOMPARE(t.wordCount, 10000);
    QCOMPARE(t.droppedWords, 10000 - 7);
    QVERIFY(t.truncated());
}

void TestTokenizer::namesTheUnknownWords_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("unknown");
    QTest::addColumn<QString>("note");
    // vocab: is there a red circle ? don't
    QTest::newRow("all known") << "is there a red circle ?" << QStringList{} << "";
    QTest::newRow("one") << "is there a dog ?" << QStringList{"dog"}
                         << "1 of 5 words is not in this model's vocabulary: dog. The model reads it as [UNK], so the "
                            "answer and the picture cannot depend on what that word says.";
    // Repeated unknown words are counted each time and named once; specials
    // ([CLS], [SEP]) and padding are not words.
    QTest::newRow("three, one twice") << "a cat and a cat" << QStringList{"cat", "and"}
                                      << "3 of 5 words are not in this model's vocabulary: cat, and. The model reads each "
                                         "as [UNK], so the answer and the picture cannot depend on what those words say.";
}

void TestTokenizer::namesTheUnknownWords()
{
    QFETCH(QString, text);
    QFETCH(QStringList, unknown);
    QFETCH(QString, note);
    const TokenizedText t = Tokenizer::create(spec(true, true, 10))->encode(text.toStdString());
    QStringList got;
    for (const std::string &w : t.unknownWords())
        got << QString::fromStdString(w);
    QCOMPARE(got, unknown);
    QCOMPARE(QString::fromStdString(t.unknownWordsNote()), note);
}

void TestTokenizer::readsMalformedTextsAsPythonDoes_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("reading");
    // One row per text in the corpus folder (not per entry of the JSON file,
    // so that a text the Python side left out fails rather than vanishes),
    // read with the text model's spec and with room for every word.
    const QDir texts(QString::fromStdString(attnscope::test::dataPath("malformed/texts")));
    const QStringList files = texts.entryList({"*.txt"}, QDir::Files, QDir::Name);
    QVERIFY(files.size() >= 8);
    for (const char *reading : {"manifest", "every word"}) {
        for (const QString &name : files)
            QTest::addRow("%s, %s", qPrintable(name), reading) << "malformed/texts/" + name << reading;
    }
}

void TestTokenizer::readsMalformedTextsAsPythonDoes()
{
    QFETCH(QString, file);
    QFETCH(QString, reading);
    const Json *expected = pythonTokensFor(file.toStdString(), reading.toStdString());
    if (!expected)
        QFAIL("tokens.expected.json has no entry for this text: run tests/data/make_test_data.sh");
    const std::string text = TextFile::read(attnscope::test::dataPath(file.toStdString()));
    const TokenizedText t = Tokenizer::create(readingSpec(reading.toStdString()))->encode(text);
    QCOMPARE(integers(t.ids), integers(*expected->find("ids")));
    QCOMPARE(integers(t.mask), integers(*expected->find("mask")));
    QCOMPARE(strings(t.tokens), strings(*expected->find("tokens")));
    QCOMPARE(integers(t.special), integers(*expected->find("special")));
    QCOMPARE(integers(t.unknown), integers(*expected->find("unknown")));
    QCOMPARE(t.wordCount, static_cast<int>(expected->find("words")->toNumber()));
    QCOMPARE(t.droppedWords, static_cast<int>(expected->find("dropped")->toNumber()));
    QCOMPARE(strings(t.unknownWords()), strings(*expected->find("unknown_words")));
}

QTEST_APPLESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
