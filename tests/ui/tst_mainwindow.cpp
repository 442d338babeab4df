// The main window under the offscreen platform: it starts on a model and
// shows an answer and a heatmap; errors leave it usable; a burst of requests
// ends showing the last one.
#include "../testsupport.h"

#include "ui/explaincontroller.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

using namespace attnscope;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void showsAnswerAndHeatmap();
    void failingModelShowsErrorAndStaysUsable();
    void burstEndsWithLastRequest();

private:
    static QString data(const char *relative) { return QString::fromStdString(test::dataPath(relative)); }
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName("AttnScopeTest");
    QCoreApplication::setApplicationName("tst_mainwindow");
}

void TestMainWindow::showsAnswerAndHeatmap()
{
    ui::MainWindow w;
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_joint.pt"), data("images/joint_large.png"), "is there a red circle ?");
    QVERIFY(shown.wait(30000));
    auto *answer = w.findChild<QLabel *>("answer");
    QVERIFY(answer->text().startsWith("Answer: "));
    const QImage overlay = w.lastResult().overlay;
    QCOMPARE(overlay.size(), QSize(72, 48));
    // The heatmap changed the picture: the overlay is not the plain image.
    QImage plain(data("images/joint_large.png"));
    QVERIFY(overlay.convertToFormat(QImage::Format_RGB888) != plain.convertToFormat(QImage::Format_RGB888));
    auto *view = w.findChild<QLabel *>("imageView");
    QVERIFY(!view->pixmap().isNull());
}

void TestMainWindow::failingModelShowsErrorAndStaysUsable()
{
    ui::MainWindow w;
    w.show();
    QSignalSpy errors(w.controller(), &ui::ExplainController::errorOccurred);
    w.open(data("broken/no_manifest.pt"), data("images/joint_large.png"), "is there a red circle ?");
    QVERIFY(errors.wait(30000));
    QVERIFY(w.lastError().contains("has no AttnScope manifest"));
    QVERIFY(w.findChild<QLabel *>("answer")->text().contains("Could not explain"));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_joint.pt"), data("images/joint_large.png"), "is there a red circle ?");
    QVERIFY(shown.wait(30000));
    QVERIFY(w.lastError().isEmpty());
}

void TestMainWindow::burstEndsWithLastRequest()
{
    ui::MainWindow w;
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    auto *text = w.findChild<QLineEdit *>();
    w.open(data("tiny_joint.pt"), data("images/joint_large.png"), "a");
    for (int i = 0; i < 30; ++i) {
        text->setText(QStringLiteral("is there a red circle %1").arg(i));
        w.run();
    }
    text->setText("what color is the square ?");
    w.run();
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 60000);
    QVERIFY(shown.count() >= 1);
    // Only the last request's result is shown: its tokens are the last text's.
    QCOMPARE(w.lastResult().tokens.mid(0, 5), QStringList({"what", "color", "is", "the", "square"}));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
