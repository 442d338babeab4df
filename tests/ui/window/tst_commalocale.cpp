// The window under a comma locale (de_DE.UTF-8), as on a German desktop:
// QApplication sets the C library's LC_NUMERIC from the environment, and the
// model's manifest ("std": [0.229, ...]), the session file ("opacity": 0.55)
// and the explanation JSON must still be read and written with '.'.
#include "../../testsupport.h"

#include "core/json/json.h"
#include "ui/worker/explaincontroller.h"
#include "ui/window/mainwindow.h"

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <clocale>
#include <cstdio>
#include <cstdlib>

using namespace attnscope;

class TestCommaLocale : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void windowAnswersAndSavesValidSessions();
};

void TestCommaLocale::initTestCase()
{
    // The locale QApplication took from LC_ALL: a decimal comma.
    char probe[16];
    std::snprintf(probe, sizeof probe, "%.2f", 0.55);
    QVERIFY2(QByteArray(probe) == "0,55",
             "LC_ALL=de_DE.UTF-8 is not in effect; tests/run.sh generates the locale (localedef)");
}

void TestCommaLocale::windowAnswersAndSavesValidSessions()
{
    ui::MainWindow w;
    w.resize(1200, 800);
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    QSignalSpy failed(w.controller(), &ui::ExplainController::errorOccurred);
    w.open(QString::fromStdString(test::dataPath("../../models/zoo/shapes_single_stream.pt")),
           QString::fromStdString(test::dataPath("../../resources/samples/shapes.png")), "is there a yellow square ?");
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() > 0 || failed.count() > 0, 60000);
    // Under the old strtod reader: "manifest field 'image.std' must be positive".
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
    QVERIFY(w.findChild<QLabel *>("answer")->text().startsWith("Answer: yes"));

    w.findChild<QSlider *>("opacitySlider")->setValue(55);
    QTemporaryDir dir;
    const QString file = dir.filePath("de.attnscope");
    QSignalSpy written(&w, &ui::MainWindow::sessionSaved);
    QVERIFY(w.saveSession(file));
    QVERIFY(written.wait(30000));
    QCOMPARE(written.first().at(1).toString(), QString());
    QFile saved(file);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const std::string text = saved.readAll().toStdString();
    // Valid JSON with '.' numbers (the reader refuses "0,55" as a number).
    const core::Json session = core::Json::parse(text, "de.attnscope");
    const core::Json *view = session.find("view");
    QVERIFY(view && view->find("opacity"));
    QCOMPARE(view->find("opacity")->toNumber(), 0.55);
    QVERIFY2(text.find("0,55") == std::string::npos, text.c_str());

    // And it opens again under the same locale.
    QVERIFY(w.openSession(file));
    QVERIFY(shown.wait(60000) || shown.count() > 1);
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
    QCOMPARE(w.findChild<QSlider *>("opacitySlider")->value(), 55);
    QVERIFY(failed.isEmpty());
}

int main(int argc, char **argv)
{
    // Before QApplication, which calls setlocale(LC_ALL, "") from these.
    qputenv("LC_ALL", "de_DE.UTF-8");
    qputenv("LANG", "de_DE.UTF-8");
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName("AttnScopeTest");
    QCoreApplication::setApplicationName("tst_commalocale");
    TestCommaLocale test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_commalocale.moc"
