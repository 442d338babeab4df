// The malformed corpus (models/attnscope/make_malformed_corpus.py, the same files and
// messages tst_cli runs through the command line) opened in the window, as a
// user would open them: each refused file shows its message above the image
// and the window stays usable (the next good input is explained); odd but
// valid images open at their size; long and strange texts are explained,
// with a note when words were left out.
#include "../../testsupport.h"

#include "ui/worker/explaincontroller.h"
#include "ui/window/mainwindow.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QElapsedTimer>
#include <QTest>

#include <sys/stat.h>

#include <memory>

using namespace attnscope;

namespace {

QString data(const QString &relative)
{
    return QString::fromStdString(test::dataPath(relative.toStdString()));
}

const QString kText = QStringLiteral("is there a red circle ?");

} // namespace

class TestMalformed : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void corpus_data();
    void corpus();
    void crashingLoaderLeavesTheWindowUp();
    void specialFilesAreRefused();

private:
    /// Opens a good input and waits for its answer: the window is usable.
    void expectUsable();
    std::unique_ptr<ui::MainWindow> m_window;
};

void TestMalformed::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // never the user's own settings and cache
    QCoreApplication::setOrganizationName("AttnScopeTest");
    QCoreApplication::setApplicationName("tst_malformed");
    QSettings().clear();
    m_window = std::make_unique<ui::MainWindow>();
    // As the app does: new model files are loaded in a child process first,
    // so the corpus's models reach the window through it.
    m_window->setModelProbe(QStringLiteral(ATTNSCOPE_BINARY));
    m_window->resize(1000, 700);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    expectUsable();
}

void TestMalformed::cleanupTestCase()
{
    m_window.reset();
}

void TestMalformed::expectUsable()
{
    QSignalSpy shown(m_window.get(), &ui::MainWindow::resultShown);
    m_window->open(data("tiny_joint.pt"), data("images/joint_large.png"), kText);
    QVERIFY(shown.wait(30000) || !shown.isEmpty());
    QVERIFY2(m_window->lastError().isEmpty(), qPrintable(m_window->lastError()));
    QCOMPARE(m_window->lastResult().imagePath, data("images/joint_large.png"));
}

void TestMalformed::corpus_data()
{
    QTest::addColumn<int>("entry");
    const auto &corpus = test::malformedCorpus();
    for (size_t i = 0; i < corpus.size(); ++i)
        QTest::newRow(corpus[i].name().c_str()) << static_cast<int>(i);
}

void TestMalformed::corpus()
{
    QFETCH(int, entry);
    const test::CorpusEntry &e = test::malformedCorpus()[static_cast<size_t>(entry)];
    const QString kind = QString::fromStdString(e.kind);
    const QString file = QString::fromStdString(e.file);
    const QString error = QString::fromStdString(e.error);
    const QSize size(e.width, e.height);
    const int words = e.words;
    const int dropped = e.dropped;
    ui::MainWindow &w = *m_window;
    auto *banner = w.findChild<QLabel *>("errorBanner");
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    QSignalSpy errors(w.controller(), &ui::ExplainController::errorOccurred);
    const QString path = data(file);
    bool failsLater = true; // through the worker; a session that cannot be read fails at once
    if (kind == "sessions") {
        failsLater = w.openSession(path);
    } else if (kind == "texts") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        w.open(data("tiny_joint.pt"), data("images/joint_large.png"), QString::fromUtf8(f.readAll()));
        failsLater = false; // a text too long is refused before any run
    } else if (kind == "models") {
        w.open(path, data("images/joint_large.png"), kText);
    } else {
        w.open(data("tiny_joint.pt"), path, kText);
    }

    if (!error.isEmpty()) {
        if (failsLater)
            QVERIFY(errors.wait(30000) || !errors.isEmpty());
        QVERIFY2(w.lastError().contains(error), qPrintable(w.lastError()));
        QVERIFY(banner->isVisible());
        QVERIFY2(banner->text().contains(error), qPrintable(banner->text()));
        QVERIFY(!w.controller()->isBusy());
        if (kind == "models" && w.lastResult().generation != 0) { // back on the last good model; the failed one is gone
            auto *selector = w.findChild<QComboBox *>("modelSelector");
            QCOMPARE(selector->currentData().toString(), QFileInfo(w.lastResult().modelPath).absoluteFilePath());
            QCOMPARE(selector->findData(QFileInfo(path).absoluteFilePath()), -1);
        }
        expectUsable();
        // The error is gone (the banner may still note that the random-weight
        // model's answer is close to a guess).
        QVERIFY2(!banner->isVisible() || !banner->text().contains("Could not explain"), qPrintable(banner->text()));
        return;
    }
    QVERIFY(shown.wait(30000) || !shown.isEmpty());
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    if (kind == "images") {
        QCOMPARE(w.lastResult().imagePath, path);
        QCOMPARE(w.lastResult().image.size(), size);
        return;
    }
    QCOMPARE(w.lastResult().wordCount, words);
    QCOMPARE(w.lastResult().droppedWords, dropped);
    QVERIFY(!banner->text().contains("Could not explain"));
    QCOMPARE(banner->isVisible() && banner->text().contains("words were left out"), dropped > 0);
    if (dropped > 0)
        QVERIFY2(banner->text().contains(QStringLiteral("the last %1 words were left out").arg(dropped)),
                 qPrintable(banner->text()));
}

// A model file that crashes the loader takes down only the child process that
// checks it: the window shows what happened and stays usable.
void TestMalformed::crashingLoaderLeavesTheWindowUp()
{
    ui::MainWindow &w = *m_window;
    QTemporaryDir dir;
    const QString stranger = dir.filePath(QStringLiteral("stranger.pt"));
    QVERIFY(QFile::copy(data("tiny_joint.pt"), stranger));
    w.setModelProbe(QStringLiteral(ATTNSCOPE_SOURCE_DIR "/tests/ui/window/crashing_probe.sh"));
    QSignalSpy errors(w.controller(), &ui::ExplainController::errorOccurred);
    w.open(stranger, data("images/joint_large.png"), kText);
    QVERIFY(errors.wait(30000) || !errors.isEmpty());
    QVERIFY2(w.lastError().contains(QStringLiteral("crashed PyTorch's model loader")), qPrintable(w.lastError()));
    QVERIFY(w.findChild<QLabel *>("errorBanner")->isVisible());
    QVERIFY(w.isVisible());

    // The real check passes the same file, which then opens.
    w.setModelProbe(QStringLiteral(ATTNSCOPE_BINARY));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(stranger, data("images/joint_large.png"), kText);
    QVERIFY(shown.wait(30000) || !shown.isEmpty());
    QCOMPARE(w.lastResult().modelPath, stranger);
}

// Paths that name no regular file (a FIFO, a device, a folder) are refused
// by name at once, through the worker and through a session, and the window
// stays usable; /dev/zero named as a session's model was hashed for ever.
void TestMalformed::specialFilesAreRefused()
{
    ui::MainWindow &w = *m_window;
    QTemporaryDir dir;
    const QString fifo = dir.filePath("pipe");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    struct Case
    {
        QString model, image, message;
    };
    const Case cases[] = {
        {data("tiny_joint.pt"), fifo, "pipe: is not a regular file"},
        {QStringLiteral("/dev/zero"), data("images/joint_large.png"), "/dev/zero: is not a regular file"},
        {dir.path(), data("images/joint_large.png"), "is a folder without model.safetensors"},
    };
    for (const Case &c : cases) {
        QSignalSpy errors(w.controller(), &ui::ExplainController::errorOccurred);
        w.open(c.model, c.image, kText);
        QVERIFY(errors.wait(30000) || !errors.isEmpty());
        QVERIFY2(w.lastError().contains(c.message), qPrintable(w.lastError()));
        expectUsable();
    }
    const QString session = dir.filePath("zero.attnscope");
    QFile f(session);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral(R"({"format": "attnscope-session/1", "model": {"path": "/dev/zero", "sha256": "%1"},
                               "image": {"path": "%2"}, "text": "a"})")
                .arg(QString(64, QLatin1Char('a')), data("images/joint_large.png"))
                .toUtf8());
    f.close();
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!w.openSession(session));
    QVERIFY2(w.lastError().contains("/dev/zero: is not a regular file"), qPrintable(w.lastError()));
    QVERIFY(!w.openSession(fifo));
    QVERIFY2(w.lastError().contains("is not a regular file"), qPrintable(w.lastError()));
    QVERIFY(timer.elapsed() < 10000);
    expectUsable();
}

QTEST_MAIN(TestMalformed)
#include "tst_malformed.moc"
