// The JSON reader and writer used for manifests and result files.
#include "core/error.h"
#include "core/json/json.h"

#include <QTest>

using namespace attnscope::core;

class TestJson : public QObject
{
    Q_OBJECT
private slots:
    void parsesValues();
    void rejectsBadInput_data();
    void rejectsBadInput();
    void roundTrips();
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

QTEST_APPLESS_MAIN(TestJson)
#include "tst_json.moc"
