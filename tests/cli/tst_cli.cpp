// The attnscope command line, run as a user would: exit codes, messages,
// files written, and evaluation figures against the reference.
#include "clirun.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

#include <sys/stat.h>

using namespace attnscope;

using test::Result;
using test::data;
using test::runAttnscope;
using test::runProgram;
using test::windowEnvironment;

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void infoDescribesModel();
    void infoRejectsBadModels_data();
    void infoRejectsBadModels();
    void badUsage_data();
    void badUsage();
    void versionComesFromTheProject();
    void helpListsEveryOption();
    void explainWritesJsonAndPngs();
    void targetIsAnIndexOrALabel_data();
    void targetIsAnIndexOrALabel();
    void explainRefusesValuesTheModelLacks_data();
    void explainRefusesValuesTheModelLacks();
    void explainReportsBadImage();
    void explainWritesReport();
    void reportQuotesTheCardsKnownLimit();
    void malformedCorpus_data();
    void malformedCorpus();
    void explainFromSession();
    void evalMatchesReference();
    void specialFilesAreRefused_data();
    void specialFilesAreRefused();
    void forwardThatNeverReturnsIsStopped();
    void emptyDataSetIsAnError();
    void sessionHashesAreChecked();
};

void TestCli::infoDescribesModel()
{
    const Result r = runAttnscope({"info", data("tiny_dual.pt")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("model:       tiny-dual"));
    QVERIFY(r.out.contains("map 2: layer 1 cross text -> image, 2 heads"));
    QVERIFY(r.out.contains("valid:       yes"));
    const Result j = runAttnscope({"info", data("tiny_joint.pt"), "--json"});
    QCOMPARE(j.exitCode, 0);
    const core::Json parsed = core::Json::parse(j.out.toStdString());
    QCOMPARE(parsed.find("streams")->toArray()[0].find("length")->toNumber(), 31.0);
}

void TestCli::infoRejectsBadModels_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("not a model") << "broken/not_a_model.pt" << "is not a TorchScript model archive";
    QTest::newRow("no manifest") << "broken/no_manifest.pt" << "has no AttnScope manifest";
    QTest::newRow("disagrees") << "broken/wrong_attention_count.pt" << "declares 3 attention maps but the model returned 2";
    QTest::newRow("missing") << "broken/nothing_here.pt" << "nothing_here.pt: there is no such file";
}

void TestCli::infoRejectsBadModels()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    const Result r = runAttnscope({"info", data(file.toLatin1().constData())});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QCOMPARE(r.err.trimmed().count('\n'), 0); // one clear line
    QVERIFY(r.err.startsWith("attnscope: error: "));
}

void TestCli::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("info without model") << QStringList{"info"} << "info needs exactly one model file";
    QTest::newRow("explain without out") << QStringList{"explain", "--model", "m.pt", "--image", "i.png", "--text", "t"} << "--out is required";
    QTest::newRow("unknown option") << QStringList{"eval", "--bogus"} << "unknown option --bogus";
    QTest::newRow("bad method") << QStringList{"explain", "--out", "x", "--method", "lrp"} << "unknown method \"lrp\"";
    QTest::newRow("bad device") << QStringList{"info", "m.pt", "--device", "tpu"} << "unknown device \"tpu\"";
    QTest::newRow("missing value") << QStringList{"eval", "--model"} << "--model needs a value";
    QTest::newRow("missing value with =") << QStringList{"eval", "--limit=", "--model", "m.pt", "--data", "d"} << "--limit needs a whole number, not \"\"";
    QTest::newRow("bad number") << QStringList{"explain", "--out", "x", "--model", "m.pt", "--opacity", "half"} << "--opacity needs a finite number such as 0.5, not \"half\"";
    QTest::newRow("window: unknown option") << QStringList{"--bogus"} << "Unknown option 'bogus'.";
    QTest::newRow("window: missing value") << QStringList{"--model"} << "Missing value after '--model'.";
}

void TestCli::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    qputenv("QT_QPA_PLATFORM", "offscreen"); // the window's rows start a QApplication
    const Result r = runAttnscope(args);
    QCOMPARE(r.exitCode, 2);
    // The first line of ours (Qt may warn about its runtime folder first).
    const QStringList lines = r.err.split('\n');
    const auto ours = std::find_if(lines.begin(), lines.end(), [](const QString &l) { return l.startsWith("attnscope: "); });
    QVERIFY2(ours != lines.end() && ours->startsWith("attnscope: " + message), qPrintable(r.err));
    QVERIFY2(r.err.contains("usage:"), qPrintable(r.err)); // and how to call it
}

// One parser: every option of every command and of the window is in
// `attnscope --help`; each command's own are in `attnscope CMD --help`; both
// `--key value` and `--key=value` are taken.
void TestCli::helpListsEveryOption()
{
    const Result all = runAttnscope({"--help"});
    QCOMPARE(all.exitCode, 0);
    const QStringList window{"--model", "--image", "--text", "--session", "--screenshot", "--probe", "--probe-requests",
                             "--probe-cancel", "--quit-after"};
    const QStringList explain{"--model", "--image", "--text", "--text-file", "--session", "--out", "--method",
                              "--target", "--start-layer", "--attention", "--head", "--fusion", "--discard-ratio",
                              "--overlay", "--colormap", "--opacity", "--interpolation", "--device", "--report",
                              "--time-limit"};
    const QStringList eval{"--model", "--data", "--method", "--limit", "--json", "--device", "--time-limit"};
    for (const QString &o : window + explain + eval)
        QVERIFY2(all.out.contains("  " + o + " ") || all.out.contains("  " + o + "\n"), qPrintable(o));
    const Result one = runAttnscope({"explain", "--help"});
    QCOMPARE(one.exitCode, 0);
    QVERIFY(one.out.startsWith("usage: attnscope explain"));
    for (const QString &o : explain)
        QVERIFY2(one.out.contains("  " + o + " ") || one.out.contains("  " + o + "\n"), qPrintable(o));
    QVERIFY(!one.out.contains("--screenshot"));
    const Result equals = runAttnscope({"info", "--device=cpu", "--json", data("tiny_joint.pt")});
    QVERIFY2(equals.exitCode == 0, qPrintable(equals.err));
    QVERIFY(core::Json::parse(equals.out.toStdString()).find("device")->toString().rfind("cpu", 0) == 0);
}

// One version, in the top CMakeLists.txt's project() call; read from there
// here, independently of how the build passes it on.
void TestCli::versionComesFromTheProject()
{
    QFile cmake(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/CMakeLists.txt"));
    QVERIFY(cmake.open(QIODevice::ReadOnly));
    const QRegularExpression project(QStringLiteral(R"(project\(AttnScope VERSION ([0-9.]+))"));
    const QRegularExpressionMatch m = project.match(QString::fromUtf8(cmake.readAll()));
    QVERIFY(m.hasMatch());
    const Result r = runProgram({"--version"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed(), QStringLiteral("attnscope ") + m.captured(1));
}

void TestCli::explainWritesJsonAndPngs()
{
    QTemporaryDir dir;
    const Result r = runAttnscope({"explain", "--model", data("tiny_joint.pt"), "--image", data("images/joint_large.png"),
                                "--text", "is there a red circle ?", "--out", dir.path(), "--colormap", "magma"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const core::Json j = test::readJson(dir.filePath("explanation.json").toStdString());
    for (const char *method : {"raw", "rollout", "relevance", "gradcam"}) {
        const core::Json *m = j.find("methods")->find(method);
        QVERIFY2(m && m->find("patch_scores"), method);
        QCOMPARE(m->find("patch_scores")->toArray().size(), size_t(24));
        QCOMPARE(m->find("token_scores")->toArray().size(), size_t(6));
        const QImage png(dir.filePath(QStringLiteral("%1.png").arg(method)));
        QCOMPARE(png.size(), QSize(72, 48)); // the original image's size
    }
    const core::Json &p = *j.find("prediction");
    double sum = 0;
    for (const auto &item : p.find("top")->toArray())
        sum += item.find("probability")->toNumber();
    QVERIFY(sum > 0.5 && sum <= 1.0 + 1e-6);
    QCOMPARE(j.find("input")->find("tokens")->toArray().size(), size_t(6));
    const core::Json &share = *j.find("modality_weights")->find("relevance_share");
    QVERIFY(std::fabs(share.find("image")->toNumber() + share.find("text")->toNumber() - 1.0) < 1e-6);
}

// tiny_joint's labels: yes no red green blue 0 1 2 (indices 0-7).
void TestCli::targetIsAnIndexOrALabel_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("index"); // -1: refused with exit 2
    QTest::addColumn<QString>("label");
    QTest::newRow("a label") << "red" << 2 << "red";
    QTest::newRow("an index") << "3" << 3 << "green"; // no label "3"
    QTest::newRow("index:1") << "index:1" << 1 << "no";
    QTest::newRow("label:1") << "label:1" << 6 << "1";
    QTest::newRow("ambiguous 1") << "1" << -1 << "is ambiguous: say label:1";
    QTest::newRow("index out of range") << "index:8" << -1 << "indices are 0 to 7";
    QTest::newRow("no such label") << "label:cat" << -1 << "has no label \"cat\"";
    QTest::newRow("neither") << "cat" << -1 << "is neither a label";
}

void TestCli::targetIsAnIndexOrALabel()
{
    QFETCH(QString, target);
    QFETCH(int, index);
    QFETCH(QString, label);
    QTemporaryDir dir;
    const Result r = runAttnscope({"explain", "--model", data("tiny_joint.pt"), "--image", data("images/joint_large.png"),
                                   "--text", "is there a red circle ?", "--out", dir.path(), "--method", "rollout",
                                   "--target", target});
    if (index < 0) {
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("attnscope: --target " + target) && r.err.contains(label), qPrintable(r.err));
        return;
    }
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const core::Json j = test::readJson(dir.filePath("explanation.json").toStdString());
    QCOMPARE(static_cast<int>(j.find("target")->find("index")->toNumber()), index);
    QCOMPARE(QString::fromStdString(j.find("target")->find("label")->toString()), label);
}

void TestCli::explainRefusesValuesTheModelLacks_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    // tiny_joint: 2 layers (one map each), 2 heads.
    QTest::newRow("head 99") << QStringList{"--head", "99"} << "--head 99: the maps have heads 0 to 1";
    QTest::newRow("head -1") << QStringList{"--head", "-1"} << "--head needs a head number";
    QTest::newRow("start layer 99") << QStringList{"--start-layer", "99"} << "--start-layer 99: the model has layers 0 to 1";
    QTest::newRow("attention 99") << QStringList{"--attention", "99"} << "--attention 99: the model returns maps 0 to 1";
    QTest::newRow("opacity nan") << QStringList{"--opacity", "nan"} << "--opacity needs a finite number";
    QTest::newRow("opacity comma") << QStringList{"--opacity", "0,5"} << "--opacity needs a finite number";
    QTest::newRow("discard 1") << QStringList{"--discard-ratio", "1"} << "--discard-ratio must be at least 0 and below 1";
    QTest::newRow("fusion") << QStringList{"--fusion", "median"} << "--fusion must be mean, max or min";
}

void TestCli::explainRefusesValuesTheModelLacks()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const Result r = runAttnscope(QStringList{"explain", "--model", data("tiny_joint.pt"), "--image",
                                              data("images/joint_large.png"), "--text", "a", "--out", dir.path()}
                                  + args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.startsWith("attnscope: " + message), qPrintable(r.err));
    QVERIFY(!QFile::exists(dir.filePath("explanation.json")));
}

void TestCli::explainWritesReport()
{
    QTemporaryDir dir;
    const QString pdf = dir.filePath("report.pdf");
    // "zebra" is not in tiny_joint's vocabulary.
    const Result r = runProgram({"explain", "--model", data("tiny_joint.pt"), "--image", data("images/joint_large.png"),
                                "--text", "is there a red zebra ?", "--out", dir.path(), "--report", pdf});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString note = "1 of 6 words is not in this model's vocabulary: zebra.";
    QVERIFY2(r.err.contains("attnscope: note: " + note), qPrintable(r.err));
    QProcess text;
    text.start("pdftotext", {pdf, "-"}); // poppler-utils
    QVERIFY(text.waitForFinished(60000));
    QCOMPARE(text.exitCode(), 0);
    const QString body = QString::fromUtf8(text.readAllStandardOutput()).simplified().replace(QChar(0xFB01), "fi");
    const core::Json j = test::readJson(dir.filePath("explanation.json").toStdString());
    const std::string answer = j.find("prediction")->find("top")->toArray()[0].find("label")->toString();
    QVERIFY2(body.contains(QStringLiteral("Answer: %1 (confidence").arg(QString::fromStdString(answer))), qPrintable(body.left(400)));
    QVERIFY(body.contains("tiny-joint"));
    QVERIFY(body.contains("most faithful on this input"));
    // Named as unknown, and never listed among the relevant words.
    QVERIFY2(body.contains(note), qPrintable(body));
    const int words = body.indexOf("that word says.");
    const int next = body.indexOf("How much each modality weighed");
    QVERIFY(words > 0 && next > words);
    QVERIFY2(!body.mid(words, next - words).contains("zebra"), qPrintable(body.mid(words, next - words)));
    QVERIFY(body.mid(words, next - words).contains("there")); // the known words are listed
    const core::Json &unknown = *j.find("input")->find("unknown_words");
    QCOMPARE(unknown.toArray().size(), size_t(1));
    QCOMPARE(unknown.toArray()[0].toString(), std::string("zebra"));
    // An unwritable report path: exit 1 and one line naming it.
    const Result bad = runProgram({"explain", "--model", data("tiny_joint.pt"), "--image", data("images/joint_large.png"),
                                  "--text", "a", "--out", dir.path(), "--report", "/nonexistent/folder/r.pdf"});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("/nonexistent/folder/r.pdf"), qPrintable(bad.err));
}

// The late-fusion demo model's card names spatial questions as a known limit
// (52.4%, at chance): a spatial question gets it on stderr and in the report.
void TestCli::reportQuotesTheCardsKnownLimit()
{
    QTemporaryDir dir;
    const QString pdf = dir.filePath("report.pdf");
    const QString root = QStringLiteral(ATTNSCOPE_SOURCE_DIR);
    const Result r = runProgram({"explain", "--model", root + "/models/zoo/shapes_late_fusion.pt", "--image",
                                   root + "/resources/samples/shapes.png", "--text", "is the blue circle left of the yellow square ?",
                                   "--method", "relevance", "--out", dir.path(), "--report", pdf});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("attnscope: note: known limit of this model (its card): Spatial questions"), qPrintable(r.err));
    QProcess text;
    text.start("pdftotext", {pdf, "-"});
    QVERIFY(text.waitForFinished(60000));
    const QString body = QString::fromUtf8(text.readAllStandardOutput()).simplified();
    QVERIFY2(body.contains("Known limit of this model, from its card: Spatial questions"), qPrintable(body.right(600)));
}


void TestCli::explainReportsBadImage()
{
    QTemporaryDir dir;
    const Result r = runAttnscope({"explain", "--model", data("tiny_joint.pt"), "--image", data("broken/not_a_model.pt"),
                                "--text", "x", "--out", dir.path()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("is a text file, not an image"), qPrintable(r.err));
}

// Every input of the malformed corpus (models/attnscope/make_malformed_corpus.py) through
// `attnscope explain`: refused ones exit 1 with their one-line message, odd
// but valid images and texts are explained, with truncation counted.
void TestCli::malformedCorpus_data()
{
    QTest::addColumn<int>("entry");
    const auto &corpus = test::malformedCorpus();
    for (size_t i = 0; i < corpus.size(); ++i)
        QTest::newRow(corpus[i].name().c_str()) << static_cast<int>(i);
}

void TestCli::malformedCorpus()
{
    QFETCH(int, entry);
    const test::CorpusEntry &e = test::malformedCorpus()[static_cast<size_t>(entry)];
    const QString kind = QString::fromStdString(e.kind);
    const QString file = QString::fromStdString(e.file);
    const QString error = QString::fromStdString(e.error);
    const int words = e.words;
    const int dropped = e.dropped;
    QTemporaryDir dir;
    const QString path = data(file.toUtf8().constData());
    QStringList args{"explain", "--out", dir.path(), "--method", "raw"};
    if (kind == "images")
        args << "--model" << data("tiny_joint.pt") << "--image" << path << "--text" << "is there a red circle ?";
    else if (kind == "models")
        args << "--model" << path << "--image" << data("images/joint_exact.png") << "--text" << "is there a red circle ?";
    else if (kind == "texts")
        args << "--model" << data("tiny_joint.pt") << "--image" << data("images/joint_exact.png") << "--text-file" << path;
    else
        args << "--session" << path;
    const Result r = runAttnscope(args);
    if (!error.isEmpty()) {
        QCOMPARE(r.exitCode, 1); // not a crash (-2), not a usage error (2)
        QVERIFY2(r.err.startsWith("attnscope: error: "), qPrintable(r.err));
        QVERIFY2(r.err.contains(error), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count('\n'), 0);
        return;
    }
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const core::Json j = test::readJson(dir.filePath("explanation.json").toStdString());
    if (kind != "texts")
        return;
    const core::Json &input = *j.find("input");
    QCOMPARE(static_cast<int>(input.find("words")->toNumber()), words);
    QCOMPARE(static_cast<int>(input.find("truncated_words")->toNumber()), dropped);
    QCOMPARE(r.err.contains("the text was cut to the model's"), dropped > 0);
    // Every token shown is clean: no control characters, no direction overrides.
    for (const core::Json &token : input.find("tokens")->toArray()) {
        const QString text = QString::fromStdString(token.find("text") ? token.find("text")->toString() : token.toString());
        for (const QChar c : text)
            QVERIFY2(c.unicode() >= 0x20 && !(c.unicode() >= 0x7f && c.unicode() <= 0x9f)
                         && !(c.unicode() >= 0x202a && c.unicode() <= 0x202e),
                     qPrintable(QStringLiteral("U+%1 in a token").arg(c.unicode(), 4, 16, QLatin1Char('0'))));
    }
}

void TestCli::explainFromSession()
{
    QTemporaryDir dir;
    const QString session = dir.filePath("saved.attnscope.json");
    QFile f(session);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("{\"format\": \"attnscope-session/1\", \"model\": {\"path\": \"%1\"}, "
                           "\"image\": {\"path\": \"%2\"}, \"text\": \"is there a red circle ?\", "
                           "\"view\": {\"method\": \"rollout\", \"colormap\": \"magma\"}}")
                .arg(data("tiny_joint.pt"), data("images/joint_large.png"))
                .toUtf8());
    f.close();
    const Result r = runAttnscope({"explain", "--session", session, "--out", dir.filePath("out")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const core::Json j = test::readJson(dir.filePath("out/explanation.json").toStdString());
    QVERIFY(j.find("methods")->find("rollout"));
    QVERIFY(!j.find("methods")->find("relevance")); // the session's method only
    QCOMPARE(QString::fromStdString(j.find("input")->find("text")->toString()), QStringLiteral("is there a red circle ?"));
    const Result both = runAttnscope({"explain", "--session", session, "--model", "m.pt", "--out", dir.path()});
    QCOMPARE(both.exitCode, 2);
}

// Paths that name no regular file: refused by name, at once (opening a FIFO
// blocks until a writer comes; /dev/zero never ends).
void TestCli::specialFilesAreRefused_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("path"); // "FIFO": a named pipe made here
    QTest::addColumn<QString>("message");
    QTest::newRow("fifo image") << "image" << "FIFO" << "is not a regular file (a pipe, a device or a socket)";
    QTest::newRow("fifo text") << "text" << "FIFO" << "is not a regular file";
    QTest::newRow("fifo model") << "model" << "FIFO" << "is not a regular file";
    QTest::newRow("device model") << "model" << "/dev/zero" << "/dev/zero: is not a regular file";
    QTest::newRow("device image") << "image" << "/dev/zero" << "/dev/zero: is not a regular file";
    // A folder is a checkpoint folder to AttnScope, which says what it lacks.
    QTest::newRow("folder model") << "model" << "/tmp" << "/tmp: is a folder without model.safetensors";
    QTest::newRow("folder image") << "image" << "/tmp" << "/tmp: is a folder, not a file";
    QTest::newRow("empty model path") << "model" << "" << "no model file was given (the path is empty)";
    QTest::newRow("fifo session") << "session" << "FIFO" << "is not a regular file";
    QTest::newRow("session naming /dev/zero") << "session model" << "/dev/zero" << "/dev/zero: is not a regular file";
}

void TestCli::specialFilesAreRefused()
{
    QFETCH(QString, role);
    QFETCH(QString, path);
    QFETCH(QString, message);
    QTemporaryDir dir;
    if (path == "FIFO") {
        path = dir.filePath("pipe");
        QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0600), 0);
    }
    QString model = data("tiny_joint.pt"), image = data("images/joint_exact.png");
    QStringList args{"explain", "--out", dir.filePath("out"), "--method", "raw"};
    if (role == "session" || role == "session model") {
        QString session = path;
        if (role == "session model") {
            session = dir.filePath("s.attnscope");
            QFile f(session);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QStringLiteral(R"({"format": "attnscope-session/1", "model": {"path": "%1", "sha256": "%2"},
                                       "image": {"path": "%3"}, "text": "a"})")
                        .arg(path, QString(64, QLatin1Char('a')), image)
                        .toUtf8());
        }
        args << "--session" << session;
    } else {
        args << "--model" << (role == "model" ? path : model) << "--image" << (role == "image" ? path : image);
        if (role == "text")
            args << "--text-file" << path;
        else
            args << "--text" << "is there a red circle";
    }
    QElapsedTimer timer;
    timer.start();
    QProcess p;
    p.start(QStringLiteral(ATTNSCOPE_BINARY), args);
    const bool finished = p.waitForFinished(60000);
    if (!finished)
        p.kill();
    QVERIFY2(finished, "attnscope hung on a special file");
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(err.startsWith("attnscope: error: ") && err.contains(message), qPrintable(err));
    QCOMPARE(err.trimmed().count('\n'), 0);
}

// tests/data/malformed/models/never_returns.pt loops for ever on a real
// image (not on the load probe's): --time-limit ends it with a message.
void TestCli::forwardThatNeverReturnsIsStopped()
{
    QTemporaryDir dir;
    const Result r = runProgram({"explain", "--model", data("malformed/models/never_returns.pt"), "--image",
                                   data("images/joint_exact.png"), "--text", "a", "--out", dir.path(), "--time-limit", "3"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("attnscope: error: explain did not finish within 3 s (--time-limit)"), qPrintable(r.err));
    const Result bad = runAttnscope({"info", data("tiny_joint.pt"), "--time-limit", "-1"});
    QCOMPARE(bad.exitCode, 2);
}



void TestCli::emptyDataSetIsAnError()
{
    QTemporaryDir dir;
    QFile f(dir.filePath("dataset.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"samples": []})");
    f.close();
    const Result r = runAttnscope({"eval", "--model", data("tiny_joint.pt"), "--data", dir.path()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("the data set has no samples"), qPrintable(r.err));
    QVERIFY(!r.out.contains("accuracy"));
    const Result zero = runAttnscope({"eval", "--model", data("tiny_joint.pt"), "--data", data("eval"), "--limit", "0"});
    QCOMPARE(zero.exitCode, 2);
    QVERIFY2(zero.err.contains("--limit must be 1 or more"), qPrintable(zero.err));
}

// A session's hashes are checked as the window checks them: a changed model
// is said (and used), a damaged embedded image refused.
void TestCli::sessionHashesAreChecked()
{
    QTemporaryDir dir;
    QFile image(data("images/joint_exact.png"));
    QVERIFY(image.open(QIODevice::ReadOnly));
    const QByteArray bytes = image.readAll();
    auto write = [&](const QString &name, const QString &modelHash, const QString &imageHash) {
        const QString path = dir.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(QStringLiteral(R"({"format": "attnscope-session/1", "model": {"path": "%1", "sha256": "%2"},
                                   "image": {"path": "joint_exact.png", "data": "%3", "sha256": "%4"}, "text": "a"})")
                    .arg(data("tiny_joint.pt"), modelHash, QString::fromLatin1(bytes.toBase64()), imageHash)
                    .toUtf8());
        return path;
    };
    const QString rightImage = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    const Result changed = runAttnscope({"explain", "--session", write("m.attnscope", QString(64, 'a'), rightImage),
                                         "--out", dir.filePath("o1"), "--method", "raw"});
    QVERIFY2(changed.exitCode == 0, qPrintable(changed.err));
    QVERIFY2(changed.err.contains("has changed since the session was saved"), qPrintable(changed.err));
    const Result damaged = runAttnscope({"explain", "--session", write("i.attnscope", QString(), QString(64, 'b')),
                                         "--out", dir.filePath("o2"), "--method", "raw"});
    QCOMPARE(damaged.exitCode, 1);
    QVERIFY2(damaged.err.contains("the image embedded in the session is damaged"), qPrintable(damaged.err));
    // A map the model does not have, from the session (with --head, which reads the map's heads).
    const QString far = dir.filePath("far.attnscope");
    QFile f(far);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral(R"({"format": "attnscope-session/1", "model": {"path": "%1"}, "image": {"path": "%2"},
                               "text": "a", "view": {"attention": 99}})")
                .arg(data("tiny_joint.pt"), data("images/joint_exact.png"))
                .toUtf8());
    f.close();
    const Result map = runAttnscope({"explain", "--session", far, "--head", "0", "--out", dir.filePath("o3"), "--method", "raw"});
    QCOMPARE(map.exitCode, 1);
    QVERIFY2(map.err.contains("the session's attention map 99 does not exist"), qPrintable(map.err));
}

void TestCli::evalMatchesReference()
{
    QTemporaryDir dir;
    const QString json = dir.filePath("eval.json");
    const Result r = runAttnscope({"eval", "--model", data("tiny_joint.pt"), "--data", data("eval"), "--json", json});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("pointing game"));
    const core::Json got = test::readJson(json.toStdString());
    const core::Json ref = test::readJson(test::dataPath("eval.reference.json"));
    QCOMPARE(got.find("samples")->toNumber(), ref.find("samples")->toNumber());
    QVERIFY(std::fabs(got.find("accuracy")->toNumber() - ref.find("accuracy")->toNumber()) < 1e-9);
    for (const char *method : {"rollout", "relevance"}) {
        const double expected = ref.find("pointing_game")->find(method)->toNumber();
        const double actual = got.find("methods")->find(method)->find("pointing_game")->toNumber();
        QVERIFY2(std::fabs(expected - actual) < 1e-9, method);
    }
    const double pos = got.find("methods")->find("relevance")->find("positive_auc")->toNumber();
    QVERIFY(pos > 0.0 && pos < 1.0);
}




QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
