// The attnscope program's window, started as a user starts it: on the demo
// model, on a session, closing during a forward pass that never returns, and
// the priorities its threads run at.
#include "clirun.h"

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace attnscope;
using test::data;
using test::windowEnvironment;

class TestWindowProgram : public QObject
{
    Q_OBJECT
private slots:
    void windowOpensOnTheDemoModel();
    void sessionOpensFromTheCommandLine();
    void pairAndCandidatesFromTheCommandLine();
    void windowClosesDuringAForwardThatNeverReturns_data();
    void windowClosesDuringAForwardThatNeverReturns();
    void workThreadsYieldToTheGui();
};

void TestWindowProgram::sessionOpensFromTheCommandLine()
{
    QTemporaryDir dir;
    const QString session = dir.filePath("s.attnscope");
    QFile file(session);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QStringLiteral(R"({"format": "attnscope-session/1", "model": {"path": "%1"}, "image": {"path": "%2"},
                                 "text": "what color is the square ?", "view": {"method": "rollout"}})")
                   .arg(data("tiny_dual.pt"), data("images/dual_exact.png"))
                   .toUtf8());
    file.close();
    QProcess p;
    p.setProcessEnvironment(windowEnvironment(dir.path()));
    p.start(QStringLiteral(ATTNSCOPE_BINARY), {"--session", session, "--screenshot", dir.filePath("shot.png")});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
    QVERIFY(!QImage(dir.filePath("shot.png")).isNull());
    // The session's model, not the demo model the window opens without one
    // (Qt takes "-session" for X11 session management if it sees it).
    QVERIFY2(out.contains("model: " + data("tiny_dual.pt")), qPrintable(out));
}

// --text-pair reaches a BERT's second text, --candidate the Zero-shot tab
// (--tab shows it); a tab that does not exist exits 2.
void TestWindowProgram::pairAndCandidatesFromTheCommandLine()
{
    QTemporaryDir dir;
    QProcess p;
    p.setProcessEnvironment(windowEnvironment(dir.path()));
    p.start(QStringLiteral(ATTNSCOPE_BINARY), {"--model", data("tiny_bert.pt"), "--text", "he acted", "--text-pair", "she",
                                              "--screenshot", dir.filePath("pair.png")});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
    QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains("pair: she"));
    QProcess clip;
    clip.setProcessEnvironment(windowEnvironment(dir.path()));
    clip.start(QStringLiteral(ATTNSCOPE_BINARY), {"--model", data("tiny_clip.pt"), "--image", data("images/joint_exact.png"),
                                                 "--text", "a zebra", "--candidate", "the actor was playing a very bad story",
                                                 "--candidate", "a good film",
                                                 "--tab", "zero-shot", "--screenshot", dir.filePath("clip.png")});
    QVERIFY(clip.waitForFinished(120000));
    QVERIFY2(clip.exitCode() == 0, qPrintable(QString::fromUtf8(clip.readAllStandardError())));
    // The Python reference's logits (model_kinds.reference.json) put "a good
    // film" above the other caption on this image.
    QVERIFY(QString::fromUtf8(clip.readAllStandardOutput()).contains("zero-shot: a good film"));
    QProcess bad;
    bad.setProcessEnvironment(windowEnvironment(dir.path()));
    bad.start(QStringLiteral(ATTNSCOPE_BINARY), {"--tab", "nope"});
    QVERIFY(bad.waitForFinished(60000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(QString::fromUtf8(bad.readAllStandardError()).contains("--tab must be one of matrix, heads"));
}

// Closing the window while the worker is inside a forward pass that never
// returns. never_returns.pt loops on tensors: every operator asks whether
// the request still stands, so the worker stops and the window closes at
// once. never_returns_unchecked.pt loops on plain integers, which
// TorchScript runs without LibTorch operators: the window waits a few
// seconds for the worker, then the process ends anyway (it used to wait for
// ever). 12 s leaves the model check in a child process and the load time to
// finish on a loaded machine.
void TestWindowProgram::windowClosesDuringAForwardThatNeverReturns_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("workerStops");
    QTest::newRow("loops on tensors") << "malformed/models/never_returns.pt" << true;
    QTest::newRow("loops on integers") << "malformed/models/never_returns_unchecked.pt" << false;
}

void TestWindowProgram::windowClosesDuringAForwardThatNeverReturns()
{
    QFETCH(QString, model);
    QFETCH(bool, workerStops);
    QTemporaryDir dir;
    QProcess p;
    p.setProcessEnvironment(windowEnvironment(dir.path()));
    p.start(QStringLiteral(ATTNSCOPE_BINARY), {"--model", data(qPrintable(model)), "--image",
                                               data("images/joint_exact.png"), "--text", "a", "--quit-after", "12"});
    const bool finished = p.waitForFinished(60000);
    if (!finished)
        p.kill();
    QVERIFY2(finished, "the window did not close");
    QCOMPARE(p.exitCode(), 0);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains("the worker did not stop within") != workerStops, qPrintable(err));
}

// `attnscope` with no model opens the bundled single-stream demo model on a
// sample and shows an answer (the --screenshot run quits after the first one).
// The application (not the libraries) lowers the work's threads - the worker,
// LibTorch's, OpenBLAS's - to nice +10 once at start-up; the GUI thread keeps
// its own. Read by the window probe from /proc/self/task/TID/stat.
void TestWindowProgram::workThreadsYieldToTheGui()
{
    QTemporaryDir dir;
    QProcess p;
    p.setProcessEnvironment(windowEnvironment(dir.path()));
    const QString out = dir.filePath("probe.json");
    p.start(QStringLiteral(ATTNSCOPE_BINARY), {"--probe", out, "--probe-requests", "3"});
    QVERIFY(p.waitForFinished(300000));
    QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
    const core::Json j = test::readJson(out.toStdString());
    const core::Json &threads = *j.find("thread_nice");
    const int gui = static_cast<int>(threads.find("gui")->toNumber());
    const auto &others = threads.find("others")->toArray();
    int work = 0;
    for (const core::Json &thread : others) {
        // Qt's pooled threads scale and convert images for the GUI thread's
        // painting: they keep its priority.
        if (thread.find("name")->toString() == "Thread (pooled)")
            continue;
        ++work;
        QVERIFY2(thread.find("nice")->toNumber() >= std::max(10, gui), qPrintable(QString::fromStdString(threads.dump())));
    }
    QVERIFY2(work >= 2, qPrintable(QString::fromStdString(threads.dump()))); // the worker and LibTorch's or OpenBLAS's
}

void TestWindowProgram::windowOpensOnTheDemoModel()
{
    QTemporaryDir dir;
    const QString png = dir.filePath("window.png");
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    env.insert("XDG_CONFIG_HOME", dir.path()); // fresh settings
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(ATTNSCOPE_BINARY), {"--screenshot", png});
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
    QVERIFY2(out.contains("models/zoo/shapes_single_stream.pt"), qPrintable(out));
    QVERIFY(out.contains("answer: "));
    const QImage shot(png);
    QVERIFY(shot.width() > 300 && shot.height() > 200);
}

QTEST_GUILESS_MAIN(TestWindowProgram)
#include "tst_windowprogram.moc"
