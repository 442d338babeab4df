// The JSON reader and writer used for manifests and result files.
#include "core/error.h"
#include "core/json/json.h"

#include <QTest>

#include <algorithm>
#include <clocale>
#include <cstdio>

using namespace attnscope::core;

class TestJson : public QObject
{
    Q_OBJECT
private slots:
    void parsesValues();
    void rejectsBadInput_data();
    void rejectsBadInput();
    void roundTrips();
    void numbersIgnoreTheLocale();
    void refusesDuplicateMembers();
    void manyMembers();
    void refusesIllFormedUtf8();
    void writesValidUtf8();
};

void TestJson::parsesValues()
{
    const Json j = Json::parse(R"({"a": [1, -2.5e2, true, null], "b": {"c": "x\u00e9\ud83d\ude00\n"}, "a2": 0.125})");
    QVERIFY(j.isObject());
    const auto &a = j.find("a")->toArray();
    QCOMPARE(a.size(), size_t(4));
    QCOMPARE(a[0].toNumber(), 1.0);
    QCOMPARE(a[1].toNumber(), -250.0);
    QCOMPARE(a[2].toBool(), true);
    QVERIFY(a[3].isNull());
    // U+00E9 is C3 A9 in UTF-8, U+1F600 (a surrogate pair) is F0 9F 98 80.
    QCOMPARE(j.find("b")->find("c")->toString(), std::string("x\xC3\xA9\xF0\x9F\x98\x80\n"));
    QCOMPARE(j.find("a2")->toNumber(), 0.125);
    QVERIFY(j.find("missing") == nullptr);
    QCOMPARE(j.toObject()[0].first, std::string("a")); // insertion order kept
}

void TestJson::rejectsBadInput_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << "" << "line 1, column 1: syntax error while parsing value - unexpected end of input";
    QTest::newRow("trailing") << "{} x" << "line 1, column 4: syntax error while parsing value - invalid literal; expected end of input";
    QTest::newRow("unterminated string") << "[\"abc" << "invalid string: missing closing quote";
    QTest::newRow("bad escape") << "[\"\\q\"]" << "invalid string: forbidden character after backslash";
    QTest::newRow("lone surrogate") << "[\"\\ud800\"]" << "surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF";
    QTest::newRow("missing colon") << "{\"a\" 1}" << "expected ':'";
    QTest::newRow("missing comma") << "[1 2]" << "line 1, column 4: syntax error while parsing array - unexpected number literal; expected ']'";
    // Where the error is noticed: the newline after "tru" (line 2, column 11).
    QTest::newRow("second line") << "{\n  \"a\": tru\n}" << "line 2, column 11: syntax error while parsing value - invalid literal";
    QTest::newRow("bad number") << "[1.]" << "invalid number; expected digit after '.'";
    QTest::newRow("deep") << QString(300, '[') << "nesting is deeper than 256";
    QTest::newRow("control char") << "[\"a\tb\"]" << "control character";
    // Beyond a double: refused where the number starts, not read as infinity.
    QTest::newRow("huge number") << "[1,\n 1e999]" << "line 2, column 2: number out of range";
    QTest::newRow("huge negative") << "[-1e400]" << "line 1, column 2: number out of range";
    // A leading zero is not JSON: "0" ends the number, "1" is a second one.
    QTest::newRow("leading zero") << "[01]" << "line 1, column 3: syntax error while parsing array - unexpected number literal";
    QTest::newRow("repeat in a nested object") << "{\"a\": {\"b\": 1, \"b\": 2}}" << "line 1, column 16: member name \"b\" appears twice";
    QTest::newRow("escaped quote in a repeated name") << "{\"x\\\"y\": 1, \"x\\\"y\": 2}" << "line 1, column 13: member name \"x\"y\" appears twice";
}

void TestJson::rejectsBadInput()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    try {
        Json::parse(text.toStdString(), "doc");
        QFAIL("accepted bad JSON");
    } catch (const Error &e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith("doc: "), qPrintable(what));
        QVERIFY2(what.contains(message), qPrintable(what));
    }
}

void TestJson::roundTrips()
{
    Json j = Json::object();
    j.set("pi", 3.14159274f); // a float: 9 significant digits keep it exact
    j.set("text", "quote \" backslash \\ tab \t");
    j.set("list", Json(Json::Array{1, 2, 3}));
    j.set("nan", std::nan(""));
    const std::string once = j.dump(2);
    const Json back = Json::parse(once);
    QCOMPARE(static_cast<float>(back.find("pi")->toNumber()), 3.14159274f);
    QCOMPARE(back.find("text")->toString(), std::string("quote \" backslash \\ tab \t"));
    QVERIFY(back.find("nan")->isNull());
    QCOMPARE(back.dump(2), once);
}

// Under a comma locale (the C library's LC_NUMERIC, which QApplication takes
// from the desktop) numbers are still read and written with '.'.
void TestJson::numbersIgnoreTheLocale()
{
    const std::string before = std::setlocale(LC_ALL, nullptr);
    QVERIFY2(std::setlocale(LC_ALL, "de_DE.UTF-8") != nullptr,
             "the de_DE.UTF-8 locale is missing: tests/run.sh generates it (localedef)");
    char probe[16];
    std::snprintf(probe, sizeof probe, "%.2f", 0.55);
    const std::string comma = probe;
    const Json parsed = Json::parse(R"({"opacity": 0.55, "std": [0.229, 2.5e-3], "n": -12})");
    Json written = Json::object();
    written.set("opacity", 0.55);
    written.set("small", 2.5e-7);
    written.set("whole", 3.0);
    const std::string text = written.dump();
    std::setlocale(LC_ALL, before.c_str());
    QCOMPARE(comma, std::string("0,55")); // the locale was in effect
    QCOMPARE(parsed.find("opacity")->toNumber(), 0.55);
    QCOMPARE(parsed.find("std")->toArray()[0].toNumber(), 0.229);
    QCOMPARE(parsed.find("std")->toArray()[1].toNumber(), 2.5e-3);
    QCOMPARE(parsed.find("n")->toNumber(), -12.0);
    QCOMPARE(text, std::string(R"({"opacity":0.55,"small":2.5e-07,"whole":3})"));
}

void TestJson::refusesDuplicateMembers()
{
    try {
        Json::parse("{\"a\": 1,\n \"a\": 2}", "doc");
        QFAIL("accepted a repeated member name");
    } catch (const Error &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains("line 2, column 2: member name \"a\" appears twice"), e.what());
    }
}

// 200,000 members: linear in the members (the old reader compared every new
// name with all earlier ones, 2 x 10^10 comparisons).
void TestJson::manyMembers()
{
    std::string text = "{";
    for (int i = 0; i < 200000; ++i)
        text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    text += "}";
    const Json j = Json::parse(text);
    QCOMPARE(j.toObject().size(), size_t(200000));
    QCOMPARE(j.toObject()[199999].first, std::string("k199999"));
    QCOMPARE(j.toObject()[199999].second.toNumber(), 199999.0);
}

// JSON text is UTF-8 (RFC 8259): a file in another encoding is refused with
// where, not read as garbage.
void TestJson::refusesIllFormedUtf8()
{
    try {
        Json::parse("{\"label\": \"caf\xE9\"}", "doc");
        QFAIL("accepted Latin-1 bytes");
    } catch (const Error &e) {
        // Column 16: the quote after 0xE9, where the 3-byte sequence that
        // byte announces breaks off.
        QVERIFY2(QString::fromUtf8(e.what()).contains("doc: line 1, column 16: syntax error while parsing value - invalid string: ill-formed UTF-8 byte"), e.what());
    }
}

void TestJson::writesValidUtf8()
{
    Json j = Json::object();
    // Latin-1 "café", a lone continuation byte, an overlong '/', a surrogate
    // (ED A0 80) and a truncated 3-byte sequence; then valid é and U+1F600.
    j.set("s", std::string("caf\xE9|\x80|\xC0\xAF|\xED\xA0\x80|\xE2\x82|\xC3\xA9\xF0\x9F\x98\x80"));
    const std::string out = j.dump();
    // Valid UTF-8: Qt's decoder gives back the same bytes (it would replace
    // any ill-formed sequence).
    QCOMPARE(QString::fromUtf8(out.data(), static_cast<qsizetype>(out.size())).toUtf8().toStdString(), out);
    const std::string r = "\xEF\xBF\xBD";
    QVERIFY(out.rfind("{\"s\":\"caf" + r + "|" + r, 0) == 0); // each bad byte or sequence is U+FFFD
    QVERIFY(out.find("|\xC3\xA9\xF0\x9F\x98\x80\"}") != std::string::npos); // the valid characters kept
    QCOMPARE(std::count(out.begin(), out.end(), '|'), 5L);
    QCOMPARE(Json::parse(out).find("s")->toString().find('\xE9'), std::string::npos);
}

QTEST_APPLESS_MAIN(TestJson)
#include "tst_json.moc"
