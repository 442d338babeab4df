#pragma once
// What the window tests share: the reference case they compare with, and
// how they open it and wait for results.
#include "../../testsupport.h"

#include "ui/views/attentionmatrixview.h"
#include "ui/panels/comparepanel.h"
#include "ui/worker/explaincontroller.h"
#include "ui/panels/faithfulnesspanel.h"
#include "ui/views/headgridview.h"
#include "ui/views/imageview.h"
#include "ui/window/mainwindow.h"
#include "ui/views/predictionbars.h"
#include "ui/views/teachingview.h"
#include "ui/views/tokenview.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QRegularExpression>
#include <QAction>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <QTemporaryDir>
#include <QUrl>

#include <qcustomplot.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <tuple>
#include <sys/resource.h>
#include <unistd.h>
#include <map>

namespace attnscope::test {

inline QString data(const std::string &relative) { return QString::fromStdString(test::dataPath(relative)); }

/// Case 0 of the reference: tiny_joint.pt, [CLS] + 4x6 patches + 6 words in
/// one stream, "Is there a RED zebra".
inline const core::Json &referenceCase()
{
    static const core::Json ref = test::readJson(test::dataPath("tiny_joint.reference.json")).find("cases")->toArray()[0];
    return ref;
}

constexpr int kFirstPatch = 1;  // layout index of patch 0
constexpr int kFirstWord = 25;  // layout index of text position 0
constexpr int kLayout = 31;

inline float referenceRelevance(int row, int col)
{
    return static_cast<float>(referenceCase().find("methods")->find("relevance")->find("matrix")->toArray()
                                  [static_cast<size_t>(row * kLayout + col)].toNumber());
}

/// What the status bar's progress bar showed (value, maximum, text as drawn)
/// each time the controller reported progress while `work` ran.
inline std::vector<std::tuple<int, int, QString>> progressOf(ui::MainWindow &w, const std::function<void()> &work)
{
    std::vector<std::tuple<int, int, QString>> seen;
    auto *bar = w.findChild<QProgressBar *>(QStringLiteral("busyIndicator"));
    const QMetaObject::Connection c = QObject::connect(w.controller(), &ui::ExplainController::progressChanged, &w,
                                                       [&](int, int, const QString &) {
                                                           seen.emplace_back(bar->value(), bar->maximum(), bar->text());
                                                       });
    work();
    QObject::disconnect(c);
    return seen;
}

inline void setMethod(ui::MainWindow &w, const QString &name)
{
    auto *method = w.findChild<QComboBox *>("methodSelector");
    const int index = method->findText(name, Qt::MatchStartsWith);
    QVERIFY(index >= 0);
    method->setCurrentIndex(index);
}

inline bool waitShown(QSignalSpy &spy)
{
    const int before = spy.count();
    return spy.wait(30000) || spy.count() > before;
}

/// Settings, recent files and the session cache go to ~/.qttest, never to
/// the user's own ~/.config and ~/.cache; each test starts from none.
inline void useTestSettings(const char *application)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("AttnScopeTest");
    QCoreApplication::setApplicationName(application);
    QSettings().clear();
}

/// A shown window on reference case 0 with the given method.
inline void openReference(ui::MainWindow &w, const QString &method)
{
    w.resize(1200, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    const core::Json &ref = referenceCase();
    w.open(data(ref.find("model")->toString()), data(ref.find("image")->toString()),
           QString::fromStdString(ref.find("text")->toString()));
    QVERIFY(waitShown(shown));
    setMethod(w, method);
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().explanation.summary.rfind(method.toLower().left(3).toStdString(), 0) == 0, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
}

} // namespace attnscope::test
