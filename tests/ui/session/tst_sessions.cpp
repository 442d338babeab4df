// Sessions saved and opened in the window: the same pixels come back; a
// changed model is said; a damaged file or a failed save leaves the window
// as it was.
#include "../window/windowtest.h"

#include "core/io/sessionfile.h"
#include "core/io/textfile.h"
#include "ui/panels/zeroshotpanel.h"

#include <QCheckBox>

using namespace attnscope;
using namespace attnscope::test;

class TestSessions : public QObject
{
    Q_OBJECT
private slots:
    void init() { useTestSettings("tst_sessions"); }
    void sessionReopensTheSamePixels();
    void sessionSaysWhenTheModelChanged();
    void textPairSessionHasNoImage();
};

void TestSessions::sessionReopensTheSamePixels()
{
    QTemporaryDir dir;
    const QString file = dir.filePath("view.attnscope");
    QImage saved;
    {
        ui::MainWindow w;
        openReference(w, "Rollout");
        w.findChild<QComboBox *>("colormapSelector")->setCurrentIndex(1);
        w.findChild<QSlider *>("opacitySlider")->setValue(70);
        auto *tokens = w.findChild<ui::TokenView *>("tokenView");
        QTest::mouseClick(tokens, Qt::LeftButton, {}, tokens->chipRect(1).center());
        auto *image = w.findChild<ui::ImageView *>("imageView");
        image->setZoomPan(2.0, QPointF(30, -20));
        QSignalSpy written(&w, &ui::MainWindow::sessionSaved);
        QVERIFY(w.saveSession(file));
        QVERIFY(written.wait(30000));
        QCOMPARE(written.first().at(1).toString(), QString());
        QTest::qWait(100); // let the layout settle
        saved = image->grab().toImage();
    }
    QSettings().clear(); // nothing carried over but the file
    ui::MainWindow again;
    again.resize(1200, 800);
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QSignalSpy shown(&again, &ui::MainWindow::resultShown);
    QVERIFY(again.openSession(file));
    QVERIFY(waitShown(shown));
    QTRY_VERIFY_WITH_TIMEOUT(!again.controller()->isBusy(), 30000);
    QCOMPARE(again.selectedToken(), kFirstWord + 1);
    QCOMPARE(again.lastResult().explanation.method, core::Method::Rollout);
    auto *view = again.findChild<ui::ImageView *>("imageView");
    QTRY_COMPARE(view->size(), saved.size() / saved.devicePixelRatio());
    const QImage reopened = view->grab().toImage();
    QCOMPARE(reopened.size(), saved.size());
    if (reopened != saved) {
        saved.save(QDir::temp().filePath("attnscope_session_saved.png"));
        reopened.save(QDir::temp().filePath("attnscope_session_reopened.png"));
    }
    QVERIFY2(reopened == saved, "pixels differ; both images are in the temporary folder");
    QVERIFY(again.lastNotice().isEmpty());
    // The restored image is named as it was saved, not by its cache hash.
    QVERIFY2(again.windowTitle().endsWith(" - joint_exact.png"), qPrintable(again.windowTitle()));
    auto *status = again.findChild<QLabel *>("statusLabel");
    QVERIFY2(status->text().contains(" - joint_exact.png - "), qPrintable(status->text()));
}

// A BERT sentence pair with "without sinks" and zero-shot captions typed:
// saved without an image, reopened with both texts, the option and the
// captions.
void TestSessions::textPairSessionHasNoImage()
{
    QTemporaryDir dir;
    const QString file = dir.filePath("pair.attnscope");
    {
        ui::MainWindow w;
        w.resize(1600, 750);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy shown(&w, &ui::MainWindow::resultShown);
        w.open(data("tiny_bert.pt"), QString(), QStringLiteral("he acted"));
        QVERIFY(waitShown(shown));
        auto *pair = w.findChild<QLineEdit *>("pairInput");
        pair->setText(QStringLiteral("she"));
        QTest::keyClick(pair, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(w.lastResult().pair, QStringLiteral("she"), 30000);
        w.findChild<QCheckBox *>("excludeSinks")->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().sinksLeftOut, 30000);
        w.findChild<ui::ZeroShotPanel *>("zeroShotPanel")->setCandidates({QStringLiteral("a cat"), QStringLiteral("a dog")});
        QSignalSpy written(&w, &ui::MainWindow::sessionSaved);
        QVERIFY(w.saveSession(file));
        QVERIFY(written.wait(30000));
        QCOMPARE(written.first().at(1).toString(), QString());
    }
    const core::Session saved = core::Session::parse(core::TextFile::read(file.toStdString()));
    QVERIFY(saved.imagePath.empty() && saved.imageData.empty());
    QSettings().clear(); // nothing carried over but the file
    ui::MainWindow again;
    again.resize(1600, 750);
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QSignalSpy shown(&again, &ui::MainWindow::resultShown);
    QVERIFY(again.openSession(file));
    QVERIFY(waitShown(shown));
    QTRY_VERIFY_WITH_TIMEOUT(!again.controller()->isBusy(), 30000);
    QCOMPARE(again.lastResult().text, QStringLiteral("he acted"));
    QCOMPARE(again.lastResult().pair, QStringLiteral("she"));
    QCOMPARE(again.lastResult().tokens.mid(0, 7), (QStringList{"[CLS]", "he", "act", "##ed", "[SEP]", "she", "[SEP]"}));
    QVERIFY(again.findChild<QCheckBox *>("excludeSinks")->isChecked());
    QVERIFY(again.lastResult().sinksLeftOut);
    QCOMPARE(again.findChild<ui::ZeroShotPanel *>("zeroShotPanel")->candidates(),
             (QStringList{QStringLiteral("a cat"), QStringLiteral("a dog")}));
    QVERIFY(again.lastNotice().isEmpty());
}

void TestSessions::sessionSaysWhenTheModelChanged()
{
    QTemporaryDir dir;
    const QString model = dir.filePath("model.pt");
    QVERIFY(QFile::copy(data("tiny_joint.pt"), model));
    ui::MainWindow w;
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(model, data("images/joint_large.png"), "is there a red circle ?");
    QVERIFY(waitShown(shown));
    QSignalSpy written(&w, &ui::MainWindow::sessionSaved);
    QVERIFY(w.saveSession(dir.filePath("s.attnscope")));
    QVERIFY(written.wait(30000));
    // Another model under the same name.
    QVERIFY(QFile::remove(model));
    QVERIFY(QFile::copy(data("tiny_late.pt"), model));
    QVERIFY(w.openSession(dir.filePath("s.attnscope")));
    QVERIFY(waitShown(shown));
    // Hashed off the GUI thread: said with the result, or just after it.
    QTRY_VERIFY_WITH_TIMEOUT(w.lastNotice().contains("has changed since this session was saved"), 30000);
    QVERIFY(w.findChild<QLabel *>("errorBanner")->isVisible());
    QCOMPARE(w.lastResult().modelName, QStringLiteral("tiny-late"));
    // A damaged session file: a clear error, the window keeps its result.
    QFile bad(dir.filePath("bad.attnscope"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"format\": \"attnscope-session/1\"}");
    bad.close();
    QVERIFY(!w.openSession(bad.fileName()));
    QVERIFY(w.lastError().contains("\"model\" is missing"));
    QCOMPARE(w.lastResult().modelName, QStringLiteral("tiny-late"));
    // A save that fails (it ends on a pool thread) says so and leaves the inputs alone.
    written.clear();
    QVERIFY(w.saveSession(QStringLiteral("/nonexistent/folder/s.attnscope")));
    QVERIFY(written.wait(30000));
    QVERIFY(!written.first().at(1).toString().isEmpty());
    QVERIFY2(w.lastError().contains("the session was not saved"), qPrintable(w.lastError()));
    QVERIFY(w.findChild<QLabel *>("errorBanner")->isVisible());
    QCOMPARE(w.lastResult().modelName, QStringLiteral("tiny-late"));
}

QTEST_MAIN(TestSessions)
#include "tst_sessions.moc"
