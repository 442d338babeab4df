// Session files, SHA-256 and base64 against published test vectors
// (FIPS 180-4 examples, RFC 4648 section 10), a round trip, and a
// bad file per member with the message it must give.
#include "core/error.h"
#include "core/io/base64.h"
#include "core/io/sessionfile.h"
#include "core/io/sha256.h"

#include <QTest>

using namespace attnscope::core;

namespace {
std::vector<uint8_t> bytes(const std::string &s) { return {s.begin(), s.end()}; }
}

class TestSessionFile : public QObject
{
    Q_OBJECT
private slots:
    void sha256_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("digest");
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                  << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("a million a") << QByteArray(1000000, 'a')
                                     << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }
    void sha256()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, digest);
        const std::vector<uint8_t> data(input.begin(), input.end());
        QCOMPARE(QString::fromStdString(Sha256::hex(data)), digest);
        // Fed in uneven pieces, the same digest.
        Sha256 h;
        size_t at = 0;
        for (size_t piece = 1; at < data.size(); piece = piece * 3 + 1) {
            const size_t n = std::min(piece, data.size() - at);
            h.update(data.data() + at, n);
            at += n;
        }
        QCOMPARE(QString::fromStdString(h.hexDigest()), digest);
    }

    void base64_data()
    {
        QTest::addColumn<QString>("plain");
        QTest::addColumn<QString>("encoded");
        for (const auto &[p, e] : std::vector<std::pair<const char *, const char *>>{
                 {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                 {"foobar", "Zm9vYmFy"}})
            QTest::newRow(e) << p << e;
    }
    void base64()
    {
        QFETCH(QString, plain);
        QFETCH(QString, encoded);
        QCOMPARE(QString::fromStdString(Base64::encode(bytes(plain.toStdString()))), encoded);
        QCOMPARE(Base64::decode(encoded.toStdString()), bytes(plain.toStdString()));
    }

    void base64Rejects()
    {
        for (const char *bad : {"Zg=", "Zm9v!A==", "Z===", "Zg==Zm9v", "=Zg="})
            QVERIFY_THROWS_EXCEPTION(Error, Base64::decode(bad));
    }

    void roundTrip()
    {
        Session s;
        s.modelPath = "/models/a b.pt";
        s.modelSha256 = std::string(64, 'a');
        s.imagePath = "cat.png";
        s.imageSha256 = std::string(64, 'b');
        s.imageData = {0, 1, 2, 250, 255};
        s.text = "is there a \"red\" circle ?";
        s.method = "rollout";
        s.device = "cpu";
        s.target = 3;
        s.attention = 2;
        s.head = 1;
        s.selectedToken = 70;
        s.colormap = "magma";
        s.opacity = 0.25;
        s.smooth = false;
        s.grid = true;
        s.zoom = 2.5;
        s.panX = -12.5;
        s.panY = 7;
        s.tab = 2;
        s.pair = "the second \"text\"";
        s.candidates = {"a photo of a cat", "a photo of a dog"};
        s.withoutSinks = true;
        const Session r = Session::parse(s.toJson());
        QCOMPARE(r.pair, s.pair);
        QCOMPARE(r.candidates, s.candidates);
        QCOMPARE(r.withoutSinks, true);
        QCOMPARE(r.modelPath, s.modelPath);
        QCOMPARE(r.modelSha256, s.modelSha256);
        QCOMPARE(r.imagePath, s.imagePath);
        QCOMPARE(r.imageSha256, s.imageSha256);
        QCOMPARE(r.imageData, s.imageData);
        QCOMPARE(r.text, s.text);
        QCOMPARE(r.method, s.method);
        QCOMPARE(r.device, s.device);
        QCOMPARE(r.target, 3);
        QCOMPARE(r.attention, 2);
        QCOMPARE(r.head, 1);
        QCOMPARE(r.selectedToken, 70);
        QCOMPARE(r.colormap, s.colormap);
        QCOMPARE(r.opacity, 0.25);
        QCOMPARE(r.smooth, false);
        QCOMPARE(r.grid, true);
        QCOMPARE(r.zoom, 2.5);
        QCOMPARE(r.panX, -12.5);
        QCOMPARE(r.panY, 7.0);
        QCOMPARE(r.tab, 2);
    }

    void textModelHasNoImage()
    {
        // A text classifier's session: no "image" written, none read back.
        Session s;
        s.modelPath = "bert.pt";
        s.text = "she acted";
        const std::string json = s.toJson();
        QVERIFY(json.find("\"image\"") == std::string::npos);
        const Session r = Session::parse(json);
        QVERIFY(r.imagePath.empty() && r.imageData.empty());
        QCOMPARE(r.text, s.text);
        QVERIFY(r.candidates.empty() && r.pair.empty() && !r.withoutSinks);
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        const QString image = R"("image": {"path": "a.png"})";
        QTest::newRow("not json") << "{" << "line 1";
        QTest::newRow("array") << "[]" << "a session file is a JSON object";
        QTest::newRow("no format") << R"({"model": {"path": "m.pt"}})" << "\"format\" is missing";
        QTest::newRow("other format") << R"({"format": "attnscope-session/9"})" << "this AttnScope reads";
        QTest::newRow("no model") << QStringLiteral(R"({"format": "attnscope-session/1", %1})").arg(image)
                                  << "\"model\" is missing";
        QTest::newRow("model path number") << R"({"format": "attnscope-session/1", "model": {"path": 3}})"
                                           << "model: \"path\" must be a string, not a number";
        QTest::newRow("no image") << R"({"format": "attnscope-session/1", "model": {"path": "m.pt"}, "image": {}})"
                                  << "image has neither";
        QTest::newRow("candidate number") << R"({"format": "attnscope-session/1", "model": {"path": "m.pt"}, "candidates": ["a", 2]})"
                                          << "every entry of \"candidates\" must be a caption";
        QTest::newRow("bad data") << R"({"format": "attnscope-session/1", "model": {"path": "m.pt"}, "image": {"data": "@@@@"}})"
                                  << "image \"data\": base64";
        QTest::newRow("opacity") << QStringLiteral(R"({"format": "attnscope-session/1", "model": {"path": "m.pt"}, %1, "view": {"opacity": 2}})").arg(image)
                                 << "view: \"opacity\" must be a number from 0";
        QTest::newRow("head") << QStringLiteral(R"({"format": "attnscope-session/1", "model": {"path": "m.pt"}, %1, "view": {"head": 1.5}})").arg(image)
                              << "view: \"head\" must be a whole number";
        QTest::newRow("zoom") << QStringLiteral(R"({"format": "attnscope-session/1", "model": {"path": "m.pt"}, %1, "view": {"zoom": 0}})").arg(image)
                              << "view: \"zoom\" must be a number from 1";
    }
    void rejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        try {
            Session::parse(text.toStdString(), "s.attnscope");
            QFAIL("no error");
        } catch (const Error &e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.startsWith("s.attnscope") && what.contains(message), qPrintable(what));
        }
    }
};

QTEST_APPLESS_MAIN(TestSessionFile)
#include "tst_sessionfile.moc"
