// The JSON reader and writer used for manifests and result files.
#include "core/error.h"
#include "core/json/json.h"

#include <QTest>

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
    QTest::newRow("empty") << "" << "line 1, column 1: unexpected end";
    QTest::newRow("trailing") << "{} x" << "unexpected text after the end";
    QTest::newRow("unterminated string") << "[\"abc" << "unterminated string";
    QTest::newRow("bad escape") << "[\"\\q\"]" << "invalid escape";
    QTest::newRow("lone surrogate") << "[\"\\ud800\"]" << "unpaired surrogate";
    QTest::newRow("missing colon") << "{\"a\" 1}" << "expected ':'";
    QTest::newRow("missing comma") << "[1 2]" << "expected ',' or ']'";
    QTest::newRow("second line") << "{\n  \"a\": tru\n}" << "line 2, column 8";
    QTest::newRow("bad number") << "[1.]" << "digits expected after '.'";
    QTest::newRow("deep") << QString(300, '[') << "nesting is deeper than 256";
    QTest::newRow("control char") << "[\"a\tb\"]" << "control character";
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

void TestJson::writesValidUtf8()
{
    Json j = Json::object();
    // Latin-1 "café", a lone continuation byte, an overlong '/', a surrogate
    // (ED A0 80) and a truncated 3-byte sequence; then valid é and U+1F600.
    j.set("s", std::string("caf\xE9|\x80|\xC0\xAF|\xED\xA0\x80|\xE2\x82|\xC3\xA9\xF0\x9F\x98\x80"));
    const std::string out = j.dump();
    const std::string r = "\xEF\xBF\xBD";
    QCOMPARE(out, "{\"s\":\"caf" + r + "|" + r + "|" + r + r + "|" + r + r + r + "|" + r + r
                      + "|\xC3\xA9\xF0\x9F\x98\x80\"}");
    QCOMPARE(Json::parse(out).find("s")->toString().find('\xE9'), std::string::npos);
}

QTEST_APPLESS_MAIN(TestJson)
#include "tst_json.moc"
