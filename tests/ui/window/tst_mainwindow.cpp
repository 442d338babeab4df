// The main window under the offscreen platform, driven as a user would with
// QTest: it starts on the demo model with an answer and a heatmap; selecting
// a word, a patch, a matrix row or an answer updates the linked views with
// the values an independent Python implementation computed
// (tests/data/tiny_joint.reference.json, models/attnscope/reference.py); errors leave it
// usable; a burst of requests ends showing the last one; settings persist.
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

using namespace attnscope;

namespace {

QString data(const std::string &relative) { return QString::fromStdString(test::dataPath(relative)); }

/// Case 0 of the reference: tiny_joint.pt, [CLS] + 4x6 patches + 6 words in
/// one stream, "Is there a RED zebra".
const core::Json &referenceCase()
{
    static const core::Json ref = test::readJson(test::dataPath("tiny_joint.reference.json")).find("cases")->toArray()[0];
    return ref;
}

constexpr int kFirstPatch = 1;  // layout index of patch 0
constexpr int kFirstWord = 25;  // layout index of text position 0
constexpr int kLayout = 31;

float referenceRelevance(int row, int col)
{
    return static_cast<float>(referenceCase().find("methods")->find("relevance")->find("matrix")->toArray()
                                  [static_cast<size_t>(row * kLayout + col)].toNumber());
}

/// What the status bar's progress bar showed (value, maximum, text as drawn)
/// each time the controller reported progress while `work` ran.
std::vector<std::tuple<int, int, QString>> progressOf(ui::MainWindow &w, const std::function<void()> &work)
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

void setMethod(ui::MainWindow &w, const QString &name)
{
    auto *method = w.findChild<QComboBox *>("methodSelector");
    const int index = method->findText(name, Qt::MatchStartsWith);
    QVERIFY(index >= 0);
    method->setCurrentIndex(index);
}

bool waitShown(QSignalSpy &spy)
{
    const int before = spy.count();
    return spy.wait(30000) || spy.count() > before;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void startsOnTheDemoModel();
    void unknownWordsAreShownAsUnknown();
    void badgeSaysHowFarToTrustTheMap();
    void threadPrioritiesAreTheApplications();
    void fitsASmallScreenWithEveryTab();
    void modelCardAndItsLimits();
    void aboutSaysTheVersions();
    void rolloutFusionAndDiscardInTheWindow();
    void selectingAWordShowsItsRelevanceOverTheImage();
    void clickingAPatchShowsHowEachWordReadsIt();
    void clickingAMatrixRowSelectsThatToken();
    void layerAndHeadDriveTheMatrixAndRawHeatmap();
    void clickingAnAnswerExplainsIt();
    void headGridShowsStatisticsAndSelectsHeads();
    void faithfulnessPanelMatchesReferenceCurves();
    void failingModelShowsErrorAndStaysUsable();
    void burstEndsWithLastRequest();
    void droppedFilesOpen();
    void modelSelectorOpensBundledModels();
    void settingsPersist();
    void sessionReopensTheSamePixels();
    void compareTwoMethodsInStep();
    void compareTwoTextsAndTwoModels();
    void teachingStepsThroughTheSelectedToken();
    void sessionSaysWhenTheModelChanged();

private:
    /// A shown window on reference case 0 with the given method.
    void openReference(ui::MainWindow &w, const QString &method);
};

void TestMainWindow::initTestCase()
{
    // Settings, recent files and the session cache go to ~/.qttest, never to
    // the user's own ~/.config and ~/.cache.
    QStandardPaths::setTestModeEnabled(true);
}

void TestMainWindow::init()
{
    QCoreApplication::setOrganizationName("AttnScopeTest");
    QCoreApplication::setApplicationName("tst_mainwindow");
    QSettings().clear();
}

void TestMainWindow::openReference(ui::MainWindow &w, const QString &method)
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

void TestMainWindow::startsOnTheDemoModel()
{
    ui::MainWindow w;
    w.resize(1200, 800);
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    // The sample the app opens: "is there a yellow square ?" on shapes.png,
    // whose yellow square has the box [2, 127, 53, 178] in the 192-pixel image
    // (resources/samples/dataset.json): patch columns 0-2, rows 5-7 of 8x8.
    w.open(data("../../models/zoo/shapes_single_stream.pt"), data("../../resources/samples/shapes.png"),
           "is there a yellow square ?");
    QVERIFY(waitShown(shown));
    setMethod(w, "Rollout");
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().explanation.method == core::Method::Rollout, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
    QVERIFY(w.findChild<QLabel *>("answer")->text().startsWith("Answer: yes"));

    auto *image = w.findChild<ui::ImageView *>("imageView");
    const auto &scores = image->scores();
    QCOMPARE(scores.size(), size_t(64));
    const int best = static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    QVERIFY2(best / 8 >= 5 && best % 8 <= 2, qPrintable(QStringLiteral("hottest patch %1").arg(best)));

    // The default overlay keeps the photo's colours: the yellow square's
    // centre (27, 152) has the photo's hue; the colour blend turns it green.
    QCOMPARE(w.findChild<QComboBox *>("overlaySelector")->currentIndex(), 0);
    // Mean hue difference over the photo's saturated pixels, in degrees.
    auto hueShift = [&](const QImage &shot) {
        const QRectF r = image->imageRect();
        const QImage &photo = image->image();
        double total = 0.0;
        int n = 0;
        for (int y = 2; y < photo.height(); y += 4) {
            for (int x = 2; x < photo.width(); x += 4) {
                const QColor c = photo.pixelColor(x, y);
                if (c.hsvSaturationF() < 0.4 || c.valueF() < 0.3)
                    continue;
                const QPointF at(r.left() + (x + 0.5) / photo.width() * r.width(), r.top() + (y + 0.5) / photo.height() * r.height());
                const QColor v = shot.pixelColor((at * shot.devicePixelRatio()).toPoint());
                const double d = std::fabs(v.hsvHueF() - c.hsvHueF()) * 360.0;
                total += std::min(d, 360.0 - d);
                ++n;
            }
        }
        return n > 0 ? total / n : 999.0;
    };
    const double spotShift = hueShift(image->grab().toImage());
    QVERIFY2(spotShift < 3.0, qPrintable(QStringLiteral("spotlight shifts hues by %1 degrees").arg(spotShift)));
    w.findChild<QComboBox *>("overlaySelector")->setCurrentIndex(1);
    const double blendShift = hueShift(image->grab().toImage());
    QVERIFY2(blendShift > 10.0, qPrintable(QStringLiteral("the blend shifts hues by %1 degrees").arg(blendShift)));
    w.findChild<QComboBox *>("overlaySelector")->setCurrentIndex(0);
    // A colour bar with the scores' range, below the picture.
    QVERIFY(!image->colourBarRect().isEmpty());
    QVERIFY(image->colourBarRect().top() >= image->imageRect().bottom());
    QCOMPARE(image->colourBarHigh(), QString::number(static_cast<double>(*std::max_element(scores.begin(), scores.end())), 'g', 3));

    // The heatmap is on the picture: with opacity 0 the pixels differ.
    const QImage withHeat = image->grab().toImage();
    w.findChild<QSlider *>("opacitySlider")->setValue(0);
    QVERIFY(image->grab().toImage() != withHeat);
}

// Help > This model shows the card; a question of a type the card names as a
// known limit gets the limit above the image; the first-run hint goes away
// for good when dismissed.
void TestMainWindow::modelCardAndItsLimits()
{
    {
        ui::MainWindow w;
        w.resize(1200, 800);
        w.show();
        auto *hint = w.findChild<QLabel *>("firstRunHint");
        QVERIFY(hint->isVisible());
        QSignalSpy shown(&w, &ui::MainWindow::resultShown);
        w.open(data("../../models/zoo/shapes_late_fusion.pt"), data("../../resources/samples/shapes.png"),
               "is the blue circle left of the yellow square ?");
        QVERIFY(waitShown(shown));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
        auto *banner = w.findChild<QLabel *>("errorBanner");
        QVERIFY2(banner->text().contains("Known limit of this model (its card): Spatial questions"), qPrintable(banner->text()));
        QVERIFY(w.modelCardText().contains("## Known limits"));
        w.showModelCard();
        auto *card = w.findChild<QTextBrowser *>("modelCardText");
        QVERIFY(card);
        QVERIFY(card->toPlainText().contains("52.4% correct on held-out questions"));
        // A question the card has no limit for: no such note.
        w.open(data("../../models/zoo/shapes_late_fusion.pt"), data("../../resources/samples/shapes.png"),
               "how many circles are there ?");
        QVERIFY(waitShown(shown));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
        QVERIFY(!banner->isVisible() || !banner->text().contains("Known limit"));
        emit hint->linkActivated("dismiss");
        QVERIFY(!hint->isVisible());
    }
    ui::MainWindow again;
    again.show();
    QVERIFY(!again.findChild<QLabel *>("firstRunHint")->isVisible());
    // A model without a card says so.
    QSignalSpy shown(&again, &ui::MainWindow::resultShown);
    again.open(data("tiny_joint.pt"), data("images/joint_large.png"), "is there a red circle");
    QVERIFY(waitShown(shown));
    QVERIFY(again.modelCardText().contains("This model has no model card"));
}

// Rollout's options in the window give the values of the independent
// implementation (tiny_joint.reference.json's rollout_variants), and travel
// with the session.
void TestMainWindow::aboutSaysTheVersions()
{
    ui::MainWindow w;
    QAction *about = nullptr;
    for (QAction *a : w.findChildren<QAction *>())
        if (a->text() == QStringLiteral("&About AttnScope"))
            about = a;
    QVERIFY(about);
    about->trigger();
    auto *box = w.findChild<QMessageBox *>(QStringLiteral("aboutBox"));
    QVERIFY(box);
    const QString text = box->text();
    QVERIFY2(QRegularExpression(QStringLiteral("AttnScope [0-9]+\\.[0-9]+\\.[0-9]+")).match(text).hasMatch(), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Qt ") + QString::fromLatin1(qVersion())), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("LibTorch 1.")) && text.contains(QStringLiteral("OpenCV 4.")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("CUDA")), qPrintable(text)); // which device runs the models
    box->close();
}

void TestMainWindow::rolloutFusionAndDiscardInTheWindow()
{
    ui::MainWindow w;
    openReference(w, "Rollout");
    auto *fusion = w.findChild<QComboBox *>("fusionSelector");
    auto *discard = w.findChild<QDoubleSpinBox *>("discardRatio");
    QVERIFY(fusion->isVisible() && discard->isVisible());
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    for (const core::Json &variant : referenceCase().find("rollout_variants")->toArray()) {
        const int before = shown.count();
        fusion->setCurrentIndex(fusion->findText(QString::fromStdString(variant.find("fusion")->toString())));
        discard->setValue(variant.find("discard_ratio")->toNumber());
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() > before && !w.controller()->isBusy(), 30000);
        ATTNSCOPE_COMPARE_FLOATS(w.lastResult().explanation.patchScores, test::floatsOf(*variant.find("patch_scores")));
    }
    setMethod(w, "Relevance");
    QTRY_VERIFY(!fusion->isVisible());
}

// 1024 x 700 with every tab shown: the Faithfulness tab used to force 759 x 854.
void TestMainWindow::fitsASmallScreenWithEveryTab()
{
    ui::MainWindow w;
    openReference(w, "Relevance");
    auto *tabs = w.findChild<QTabWidget *>("rightTabs");
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
        const QSize minimum = w.minimumSizeHint().expandedTo(w.minimumSize());
        QVERIFY2(minimum.width() <= 1024 && minimum.height() <= 700,
                 qPrintable(QStringLiteral("tab %1 needs %2 x %3").arg(tabs->tabText(i)).arg(minimum.width()).arg(minimum.height())));
    }
    w.resize(1024, 700);
    QTRY_COMPARE(w.size(), QSize(1024, 700));
}

// The library renices no thread unless the application asks (attnscope's
// main() does, once); asked, the worker thread lowers its own priority.
void TestMainWindow::threadPrioritiesAreTheApplications()
{
    auto niceOf = [](const QString &task) {
        errno = 0;
        const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(task.toInt()));
        return errno == 0 ? nice : 0;
    };
    auto tasks = [] { return QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot); };
    // The suite may itself run under nice: compare with the main thread's.
    const int base = niceOf(QString::number(::getpid()));
    {
        ui::MainWindow w;
        openReference(w, "Relevance");
        for (const QString &task : tasks())
            QCOMPARE(niceOf(task), base);
    }
    if (base >= 7)
        QSKIP("the suite runs at nice 7 or more already: a worker at 7 cannot be told apart");
    ui::ExplainController::setWorkerNice(7);
    ui::ExplainController controller;
    ui::ExplainController::setWorkerNice(0);
    QString worker;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QString &task : tasks()) {
                QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(task));
                if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "attnscope-worke" && niceOf(task) == 7)
                    worker = task;
            }
            return !worker.isEmpty();
        }(),
        5000);
}

// On "what shape is the blue object ?" the demo model's relevance map fails
// its own test: hiding its top quarter hurts "circle" no more than hiding a
// random quarter. The badge says so, with the numbers in its tooltip.
void TestMainWindow::badgeSaysHowFarToTrustTheMap()
{
    ui::MainWindow w;
    w.resize(1200, 800);
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("../../models/zoo/shapes_single_stream.pt"), data("../../resources/samples/shapes.png"),
           "what shape is the blue object ?");
    QVERIFY(waitShown(shown));
    setMethod(w, "Relevance");
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().explanation.method == core::Method::Relevance, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
    auto *badge = w.findChild<QLabel *>("trustBadge");
    QVERIFY(badge->isVisible());
    const core::TrustCheck &t = w.lastResult().trust;
    QCOMPARE(badge->text(), QStringLiteral("relevance: %1").arg(core::TrustCheck::verdictName(t.verdict)));
    QCOMPARE(t.verdict, core::TrustCheck::judge(t.original, t.withoutMostRelevant, t.withoutLeastRelevant, t.withoutRandom));
    QCOMPARE(t.verdict, core::TrustCheck::Verdict::NoBetterThanRandom);
    QVERIFY(badge->toolTip().contains("Hiding the 25% most relevant image patches"));
    // Rollout passes on the same input (the finding: only rollout does).
    setMethod(w, "Rollout");
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().explanation.method == core::Method::Rollout, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
    QVERIFY2(w.lastResult().trust.verdict != core::TrustCheck::Verdict::NoBetterThanRandom, qPrintable(badge->text()));
    QVERIFY(badge->text().startsWith("rollout: "));
}

// "Is there a RED zebra": tiny_joint knows no zebra.
void TestMainWindow::unknownWordsAreShownAsUnknown()
{
    ui::MainWindow w;
    openReference(w, "Relevance");
    auto *tokens = w.findChild<ui::TokenView *>("tokenView");
    for (int i = 0; i < 5; ++i)
        QCOMPARE(tokens->isUnknown(i), i == 4);
    QCOMPARE(tokens->chipText(4), QStringLiteral("zebra?"));
    QCOMPARE(tokens->chipText(3), QStringLiteral("red"));
    QVERIFY(tokens->toolTipFor(4).contains("not in this model's vocabulary"));
    // Drawn unlike a known word of the same score: the chip's pixels are grey
    // and hatched whatever its score.
    const QImage chips = tokens->grab().toImage();
    const QColor unknownCentre = chips.pixelColor(tokens->chipRect(4).topLeft() + QPoint(3, 3));
    QVERIFY2(unknownCentre.saturation() < 20, qPrintable(unknownCentre.name()));
    auto *banner = w.findChild<QLabel *>("errorBanner");
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains("1 of 5 words is not in this model's vocabulary: zebra."), qPrintable(banner->text()));

    // A question the model knows entirely: no note, no unknown chip.
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_joint.pt"), data("images/joint_large.png"), "is there a red circle");
    QVERIFY(waitShown(shown));
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 30000);
    for (int i = 0; i < 5; ++i)
        QVERIFY(!tokens->isUnknown(i));
    QVERIFY(!banner->isVisible() || !banner->text().contains("vocabulary"));
}

void TestMainWindow::selectingAWordShowsItsRelevanceOverTheImage()
{
    ui::MainWindow w;
    openReference(w, "Relevance");
    auto *image = w.findChild<ui::ImageView *>("imageView");
    auto *tokens = w.findChild<ui::TokenView *>("tokenView");
    const QImage before = image->grab().toImage();

    QTest::mouseClick(tokens, Qt::LeftButton, {}, tokens->chipRect(3).center()); // "red"
    QCOMPARE(tokens->selected(), 3);
    QCOMPARE(w.selectedToken(), kFirstWord + 3);
    std::vector<float> expected;
    for (int p = 0; p < 24; ++p)
        expected.push_back(referenceRelevance(kFirstWord + 3, kFirstPatch + p));
    ATTNSCOPE_COMPARE_FLOATS(image->scores(), expected);
    QVERIFY(image->caption().contains("red"));
    QVERIFY(image->grab().toImage() != before);

    // Clicking it again clears the selection: the decision's relevance is back.
    QTest::mouseClick(tokens, Qt::LeftButton, {}, tokens->chipRect(3).center());
    QCOMPARE(w.selectedToken(), -1);
    ATTNSCOPE_COMPARE_FLOATS(image->scores(),
                             test::floatsOf(*referenceCase().find("methods")->find("relevance")->find("patch_scores")));
}

void TestMainWindow::clickingAPatchShowsHowEachWordReadsIt()
{
    ui::MainWindow w;
    openReference(w, "Relevance");
    auto *image = w.findChild<ui::ImageView *>("imageView");
    auto *tokens = w.findChild<ui::TokenView *>("tokenView");
    const int patch = 9; // row 1, column 3 of the 4x6 grid
    QTest::mouseClick(image, Qt::LeftButton, {}, image->patchCenter(patch));
    QCOMPARE(image->selectedPatch(), patch);
    QCOMPARE(w.selectedToken(), kFirstPatch + patch);
    std::vector<float> expected;
    for (int i = 0; i < 6; ++i) {
        const bool special = w.lastResult().layout[static_cast<size_t>(kFirstWord + i)].special;
        expected.push_back(special ? 0.0f : referenceRelevance(kFirstWord + i, kFirstPatch + patch));
    }
    ATTNSCOPE_COMPARE_FLOATS(tokens->scores(), expected);
    QVERIFY(tokens->caption().contains("patch 1,3"));
}

void TestMainWindow::clickingAMatrixRowSelectsThatToken()
{
    ui::MainWindow w;
    openReference(w, "Relevance");
    auto *matrix = w.findChild<ui::AttentionMatrixView *>("attentionMatrix");
    matrix->plot()->replot();
    QCOMPARE(matrix->rows(), kLayout);
    const int row = kFirstWord + 2; // "a"
    QTest::mouseClick(matrix->plot(), Qt::LeftButton, {}, matrix->cellCenter(row, 10));
    QCOMPARE(matrix->selectedToken(), row);
    QCOMPARE(w.selectedToken(), row);
    QCOMPARE(w.findChild<ui::TokenView *>("tokenView")->selected(), 2);
    // A patch row selects the patch in the image view.
    QTest::mouseClick(matrix->plot(), Qt::LeftButton, {}, matrix->cellCenter(kFirstPatch + 7, 3));
    QCOMPARE(w.findChild<ui::ImageView *>("imageView")->selectedPatch(), 7);
    QCOMPARE(w.findChild<ui::TokenView *>("tokenView")->selected(), -1);
}

void TestMainWindow::layerAndHeadDriveTheMatrixAndRawHeatmap()
{
    ui::MainWindow w;
    openReference(w, "Raw");
    auto *image = w.findChild<ui::ImageView *>("imageView");
    auto *slider = w.findChild<QSlider *>("layerSlider");
    QCOMPARE(slider->maximum(), 1);
    QCOMPARE(slider->value(), 1); // the last map the decision reads patches from
    const std::vector<float> lastLayer =
        test::floatsOf(*referenceCase().find("methods")->find("raw")->find("patch_scores"));
    ATTNSCOPE_COMPARE_FLOATS(image->scores(), lastLayer);

    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    slider->setValue(0);
    QVERIFY(waitShown(shown));
    QCOMPARE(w.lastResult().attentionIndex, 0);
    QVERIFY(w.lastResult().reusedRun); // no new forward pass for another map
    QVERIFY(w.findChild<QLabel *>("layerLabel")->text().startsWith("layer 0"));
    QVERIFY(test::maxDifference(image->scores(), lastLayer) > 1e-3);

    // Head 2 alone, then back to the mean: the mean of the heads is the mean
    // of what each head shows.
    auto *head = w.findChild<QComboBox *>("headSelector");
    QCOMPARE(head->count(), 3);
    head->setCurrentIndex(2);
    QVERIFY(waitShown(shown));
    QCOMPARE(w.lastResult().head, 1);
    const std::vector<float> head2 = image->scores();
    head->setCurrentIndex(1);
    QVERIFY(waitShown(shown));
    const std::vector<float> head1 = image->scores();
    head->setCurrentIndex(0);
    QVERIFY(waitShown(shown));
    std::vector<float> mean;
    for (size_t i = 0; i < head1.size(); ++i)
        mean.push_back(0.5f * (head1[i] + head2[i]));
    ATTNSCOPE_COMPARE_FLOATS(image->scores(), mean);
}

void TestMainWindow::clickingAnAnswerExplainsIt()
{
    ui::MainWindow w;
    openReference(w, "Relevance");
    auto *bars = w.findChild<ui::PredictionBars *>("predictionBars");
    bars->plot()->replot();
    QVERIFY(bars->shown().size() >= 2);
    const int second = bars->shown()[1];
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    QTest::mouseClick(bars->plot(), Qt::LeftButton, {}, bars->barCenter(1));
    QVERIFY(waitShown(shown));
    QCOMPARE(w.lastResult().explanation.target, second);
    QVERIFY(w.findChild<QLabel *>("answer")->text().contains("explaining"));
    QCOMPARE(w.lastResult().prediction.predicted, static_cast<int>(referenceCase().find("target")->toNumber()));
}

void TestMainWindow::headGridShowsStatisticsAndSelectsHeads()
{
    ui::MainWindow w;
    // Opening a model is counted too: checked in a separate process, loaded.
    const auto opening = progressOf(w, [&] { openReference(w, "Relevance"); });
    QVERIFY(std::find(opening.begin(), opening.end(), std::make_tuple(1, 2, QStringLiteral("Opening the model 1/2")))
            != opening.end());
    QVERIFY(w.lastResult().heads.empty()); // computed only while the head grid is shown
    {
        QSignalSpy shown(&w, &ui::MainWindow::resultShown);
        const std::vector<std::tuple<int, int, QString>> bar = progressOf(w, [&] {
            w.findChild<QTabWidget *>("rightTabs")->setCurrentIndex(1);
            QVERIFY(waitShown(shown));
        });
        // The status bar counted the grid in maps: the model has two.
        QVERIFY(std::find(bar.begin(), bar.end(), std::make_tuple(1, 2, QStringLiteral("Head grid 1/2"))) != bar.end());
        QVERIFY(std::find(bar.begin(), bar.end(), std::make_tuple(2, 2, QStringLiteral("Head grid 2/2"))) != bar.end());
    }
    QCOMPARE(w.lastResult().heads.size(), size_t(4));
    auto *grid = w.findChild<ui::HeadGridView *>("headGrid");
    QTableWidget *table = grid->table();
    // 2 maps x 2 heads; sorted by gradient weight, the top row is the head the
    // reference weighs most, with its value.
    QCOMPARE(table->rowCount(), 4);
    double best = -1.0;
    int bestMap = -1;
    int bestHead = -1;
    const auto &maps = referenceCase().find("heads")->toArray();
    for (size_t m = 0; m < maps.size(); ++m) {
        for (size_t h = 0; h < maps[m].toArray().size(); ++h) {
            const double weight = maps[m].toArray()[h].find("gradient_weight")->toNumber();
            if (weight > best) {
                best = weight;
                bestMap = static_cast<int>(m);
                bestHead = static_cast<int>(h);
            }
        }
    }
    table->sortByColumn(5, Qt::DescendingOrder);
    QVERIFY(std::fabs(table->item(0, 5)->data(Qt::UserRole).toDouble() - best) < 1e-4);
    QCOMPARE(table->item(0, 1)->text(), QString::number(bestHead) /* heads numbered from 0, as everywhere */);
    QCOMPARE(table->item(0, 0)->text(), w.lastResult().maps[bestMap].title());

    // Clicking a thumbnail selects its map and head everywhere.
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    QTest::mouseClick(grid->thumbnails(), Qt::LeftButton, {}, grid->thumbnailCenter(0, 1));
    QVERIFY(waitShown(shown));
    QCOMPARE(w.lastResult().attentionIndex, 0);
    QCOMPARE(w.lastResult().head, 1);
    QCOMPARE(w.findChild<QSlider *>("layerSlider")->value(), 0);
    QCOMPARE(w.findChild<QComboBox *>("headSelector")->currentIndex(), 2);
    // Clicking a table row does the same.
    const int row = 0;
    const int map = table->item(row, 0)->data(Qt::UserRole + 1).toInt();
    const int head = table->item(row, 1)->data(Qt::UserRole + 1).toInt();
    emit table->cellClicked(row, 2);
    QVERIFY(waitShown(shown));
    QCOMPARE(w.lastResult().attentionIndex, map);
    QCOMPARE(w.lastResult().head, head);
}

void TestMainWindow::faithfulnessPanelMatchesReferenceCurves()
{
    ui::MainWindow w;
    openReference(w, "Relevance");
    QVERIFY(w.lastResult().faithfulness.empty()); // only computed while its tab is shown
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    const std::vector<std::tuple<int, int, QString>> bar = progressOf(w, [&] {
        w.findChild<QTabWidget *>("rightTabs")->setCurrentIndex(2);
        QVERIFY(waitShown(shown));
    });
    // Counted in curves: 4 methods x 2 modalities (the model reads both) x
    // most and least relevant first = 16, one step at a time.
    std::vector<int> counted;
    for (const auto &[value, maximum, text] : bar)
        if (text.startsWith(QStringLiteral("Faithfulness curves"))) {
            QCOMPARE(maximum, 16);
            QCOMPARE(text, QStringLiteral("Faithfulness curves %1/16").arg(value));
            counted.push_back(value);
        }
    std::vector<int> expectedCount(17);
    std::iota(expectedCount.begin(), expectedCount.end(), 0);
    QCOMPARE(counted, expectedCount);
    const auto &curves = w.lastResult().faithfulness;
    QVERIFY(!curves.empty());
    const core::Json &expected = *referenceCase().find("perturbation")->find("relevance");
    int checked = 0;
    std::map<core::Method, double> gap;
    for (const core::FaithfulnessCurve &c : curves) {
        if (c.curve.modality != core::Modality::Image)
            continue;
        gap[c.method] += c.curve.positive ? -c.curve.auc : c.curve.auc;
        if (c.method != core::Method::Relevance)
            continue;
        const char *key = c.curve.positive ? "positive" : "negative";
        ATTNSCOPE_COMPARE_FLOATS(c.curve.probabilities, test::floatsOf(*expected.find(key)));
        QVERIFY(std::fabs(c.curve.auc - expected.find(std::string(key) + "_auc")->toNumber()) < 1e-4);
        ++checked;
    }
    QCOMPARE(checked, 2);
    QCOMPARE(gap.size(), size_t(4)); // every method has both image curves
    const auto best = std::max_element(gap.begin(), gap.end(), [](auto a, auto b) { return a.second < b.second; });
    auto *panel = w.findChild<ui::FaithfulnessPanel *>("faithfulnessPanel");
    QCOMPARE(panel->mostFaithful(), static_cast<int>(best->first));
    QVERIFY(panel->verdict().contains(QString::fromLatin1(core::methodName(best->first))));
    QCOMPARE(panel->plot()->graphCount(), 8);
}

void TestMainWindow::failingModelShowsErrorAndStaysUsable()
{
    ui::MainWindow w;
    w.show();
    QSignalSpy errors(w.controller(), &ui::ExplainController::errorOccurred);
    w.open(data("broken/no_manifest.pt"), data("images/joint_large.png"), "is there a red circle ?");
    QVERIFY(errors.wait(30000));
    QVERIFY(w.lastError().contains("has no AttnScope manifest"));
    auto *banner = w.findChild<QLabel *>("errorBanner");
    QVERIFY(banner->isVisible());
    QVERIFY(banner->text().contains("Could not explain"));
    QVERIFY(!w.controller()->isBusy());
    // Still usable: the next run works and clears the message.
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_joint.pt"), data("images/joint_large.png"), "is there a red circle ?");
    QVERIFY(waitShown(shown));
    QVERIFY(w.lastError().isEmpty());
    // The random-weight model is close to a guess, which the banner may say;
    // the error is gone.
    QVERIFY2(!banner->isVisible() || !banner->text().contains("Could not explain"), qPrintable(banner->text()));
    // A failure after a result keeps the result on screen.
    w.openImageFile(data("images/no_such_image.png"));
    QVERIFY(errors.wait(30000));
    QVERIFY(banner->text().contains("previous result"));
    QVERIFY(banner->text().contains("no_such_image.png"));
    QCOMPARE(w.lastResult().modelName, QStringLiteral("tiny-joint"));
    // ... and does not poison the next run: a new question runs on the last
    // good image and model.
    const int errorsBefore = errors.count();
    w.findChild<QLineEdit *>("textInput")->setText("is there a blue square");
    w.run();
    QVERIFY(waitShown(shown));
    QCOMPARE(errors.count(), errorsBefore);
    QCOMPARE(w.lastResult().imagePath, data("images/joint_large.png"));
    QCOMPARE(w.lastResult().text, QStringLiteral("is there a blue square"));
    // A bad model, then a good image: the good image runs on the last good model.
    w.openModelFile(data("broken/no_manifest.pt"));
    QVERIFY(errors.wait(30000));
    QCOMPARE(w.findChild<QComboBox *>("modelSelector")->findData(QFileInfo(data("broken/no_manifest.pt")).absoluteFilePath()), -1);
    w.openImageFile(data("images/joint_exact.png"));
    QVERIFY(waitShown(shown));
    QCOMPARE(w.lastResult().modelPath, data("tiny_joint.pt"));
    QCOMPARE(w.lastResult().imagePath, data("images/joint_exact.png"));
}

// 200 requests as fast as the keyboard can send them: the window ends showing
// the last one, and a second burst of 200 leaves memory where the first did.
void TestMainWindow::burstEndsWithLastRequest()
{
    ui::MainWindow w;
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    auto *text = w.findChild<QLineEdit *>("textInput");
    w.open(data("tiny_joint.pt"), data("images/joint_large.png"), "a");
    auto burst = [&](const QString &last) {
        for (int i = 0; i < 199; ++i) {
            text->setText(QStringLiteral("is there a red circle %1").arg(i));
            w.run();
        }
        text->setText(last);
        w.run();
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isBusy(), 60000);
    };
    burst(QStringLiteral("what color is the square ?"));
    QVERIFY(shown.count() >= 1);
    // Only the last request's result is shown: its tokens are the last text's.
    QCOMPARE(w.lastResult().tokens.mid(0, 5), QStringList({"what", "color", "is", "the", "square"}));
    QTest::qWait(200);
    const qint64 before = test::residentBytes();
    burst(QStringLiteral("is there a blue square ?"));
    QCOMPARE(w.lastResult().tokens.mid(0, 5), QStringList({"is", "there", "a", "blue", "square"}));
    QTest::qWait(200);
    const qint64 after = test::residentBytes();
    QVERIFY(before > 0);
    QVERIFY2(after - before < 16 * 1024 * 1024,
             qPrintable(QStringLiteral("resident memory grew by %1 MB").arg((after - before) / 1048576.0)));

}

void TestMainWindow::droppedFilesOpen()
{
    ui::MainWindow w;
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_joint.pt"), data("images/joint_large.png"), "is there a red circle ?");
    QVERIFY(waitShown(shown));

    auto drop = [&w](const QStringList &paths) {
        QMimeData mime;
        QList<QUrl> urls;
        for (const QString &p : paths)
            urls << QUrl::fromLocalFile(p);
        mime.setUrls(urls);
        // As a drag does it: enter (which must be accepted), then drop.
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(w.centralWidget(), &enter);
        QDropEvent event(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(w.centralWidget(), &event);
    };
    drop({data("tiny_dual.pt"), data("images/joint_exact.png")});
    QVERIFY2(waitShown(shown), qPrintable(w.lastError()));
    QCOMPARE(w.lastResult().modelName, QStringLiteral("tiny-dual"));
    QVERIFY(w.lastResult().imagePath.endsWith("joint_exact.png"));

    QSignalSpy errors(w.controller(), &ui::ExplainController::errorOccurred);
    drop({data("eval/dataset.json")});
    QVERIFY(w.findChild<QLabel *>("errorBanner")->text().contains("dataset.json"));
    QCOMPARE(w.lastResult().modelName, QStringLiteral("tiny-dual"));
}

void TestMainWindow::modelSelectorOpensBundledModels()
{
    ui::MainWindow w;
    w.setBundledModels({data("tiny_dual.pt"), data("tiny_late.pt")});
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_joint.pt"), data("images/joint_large.png"), "is there a red circle ?");
    QVERIFY(waitShown(shown));
    auto *models = w.findChild<QComboBox *>("modelSelector");
    QCOMPARE(models->currentText(), QStringLiteral("tiny_joint"));
    const int late = models->findText("tiny_late");
    QVERIFY(late >= 0);
    QVERIFY(models->findText("tiny_dual") >= 0);
    emit models->activated(late);
    QVERIFY(waitShown(shown));
    QCOMPARE(w.lastResult().modelName, QStringLiteral("tiny-late"));
    QCOMPARE(models->currentText(), QStringLiteral("tiny_late"));
}

void TestMainWindow::settingsPersist()
{
    {
        ui::MainWindow w;
        w.findChild<QComboBox *>("colormapSelector")->setCurrentIndex(2);
        w.findChild<QSlider *>("opacitySlider")->setValue(30);
        setMethod(w, "Rollout");
    }
    ui::MainWindow again;
    QCOMPARE(again.findChild<QComboBox *>("colormapSelector")->currentIndex(), 2);
    QCOMPARE(again.findChild<QSlider *>("opacitySlider")->value(), 30);
    QVERIFY(again.findChild<QComboBox *>("methodSelector")->currentText() == "rollout");
}

void TestMainWindow::sessionReopensTheSamePixels()
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

void TestMainWindow::sessionSaysWhenTheModelChanged()
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

namespace {
std::vector<float> minMax(const std::vector<float> &v)
{
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    std::vector<float> out;
    for (float x : v)
        out.push_back((x - *lo) / (*hi - *lo));
    return out;
}
} // namespace

void TestMainWindow::compareTwoMethodsInStep()
{
    ui::MainWindow w;
    openReference(w, "Relevance");
    QSignalSpy compared(w.compareController(), &ui::ExplainController::resultReady);
    w.findChild<QTabWidget *>("rightTabs")->setCurrentIndex(3);
    auto *panel = w.findChild<ui::ComparePanel *>("comparePanel");
    QCOMPARE(panel->methodSelector()->currentText(), QStringLiteral("rollout"));
    QVERIFY(compared.wait(30000));
    const core::Json &methods = *referenceCase().find("methods");
    const std::vector<float> rollout = test::floatsOf(*methods.find("rollout")->find("patch_scores"));
    const std::vector<float> relevance = test::floatsOf(*methods.find("relevance")->find("patch_scores"));
    ATTNSCOPE_COMPARE_FLOATS(panel->sideB()->scores(), rollout);
    std::vector<float> difference;
    const auto a = minMax(relevance), b = minMax(rollout);
    for (size_t i = 0; i < a.size(); ++i)
        difference.push_back(a[i] - b[i]);
    ATTNSCOPE_COMPARE_FLOATS(panel->difference()->scores(), difference);

    // Selecting a word on side A shows that word's rollout row on side B.
    auto *tokens = w.findChild<ui::TokenView *>("tokenView");
    QTest::mouseClick(tokens, Qt::LeftButton, {}, tokens->chipRect(3).center());
    const auto &matrix = methods.find("rollout")->find("matrix")->toArray();
    std::vector<float> row;
    for (int p = 0; p < 24; ++p)
        row.push_back(static_cast<float>(matrix[static_cast<size_t>((kFirstWord + 3) * kLayout + kFirstPatch + p)].toNumber()));
    ATTNSCOPE_COMPARE_FLOATS(panel->sideB()->scores(), row);
    QVERIFY(panel->sideB()->caption().contains("red"));
}

void TestMainWindow::compareTwoTextsAndTwoModels()
{
    ui::MainWindow w;
    w.setBundledModels({data("tiny_late.pt")});
    openReference(w, "Relevance");
    QSignalSpy compared(w.compareController(), &ui::ExplainController::resultReady);
    w.findChild<QTabWidget *>("rightTabs")->setCurrentIndex(3);
    QVERIFY(compared.wait(30000));
    auto *panel = w.findChild<ui::ComparePanel *>("comparePanel");
    panel->modeSelector()->setCurrentIndex(1); // another text, prefilled with A's
    QCOMPARE(panel->textInput()->text(), w.findChild<QLineEdit *>("textInput")->text());
    panel->textInput()->setText("Is there a RED circle");
    QTest::keyClick(panel->textInput(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(w.compareResult().tokens.value(4) == "circle", 30000);
    QCOMPARE(w.compareResult().explanation.target, w.lastResult().explanation.target); // the same answer explained
    QCOMPARE(panel->difference()->scores().size(), size_t(24));

    panel->modeSelector()->setCurrentIndex(2); // another model: tiny_late has a 2x3 grid
    // Until the user picks, "another model" is another one than side A's.
    QVERIFY(panel->modelSelector()->count() >= 2);
    QVERIFY(panel->modelSelector()->currentData().toString() != QFileInfo(w.lastResult().modelPath).absoluteFilePath());
    const int late = panel->modelSelector()->findText("tiny_late");
    QVERIFY(late >= 0);
    panel->modelSelector()->setCurrentIndex(late);
    emit panel->modelSelector()->activated(late);
    QTRY_VERIFY_WITH_TIMEOUT(w.compareResult().modelName == "tiny-late", 30000);
    QCOMPARE(panel->sideB()->scores().size(), size_t(6));
    QVERIFY(panel->difference()->scores().empty());
    QVERIFY(panel->findChild<QLabel *>("compareMessage")->text().contains("different patch grids"));
}

void TestMainWindow::teachingStepsThroughTheSelectedToken()
{
    ui::MainWindow w;
    w.resize(1200, 800);
    w.show();
    QSignalSpy shown(&w, &ui::MainWindow::resultShown);
    w.open(data("tiny_teach.pt"), data("images/joint_exact.png"), "Is there a RED zebra");
    QVERIFY(waitShown(shown));
    w.findChild<QTabWidget *>("rightTabs")->setCurrentIndex(4);
    QVERIFY(waitShown(shown));
    auto *teaching = w.findChild<ui::TeachingView *>("teachingView");
    QCOMPARE(w.lastResult().teaching.query, 0); // nothing selected: the stream's first token, [CLS]

    auto *tokens = w.findChild<ui::TokenView *>("tokenView");
    QTest::mouseClick(tokens, Qt::LeftButton, {}, tokens->chipRect(3).center()); // "red"
    QVERIFY(waitShown(shown));
    const core::AttentionStep &step = w.lastResult().teaching;
    QCOMPARE(step.query, kFirstWord + 3);
    QVERIFY(step.fromModel);
    QTableWidget *table = teaching->table();
    QCOMPARE(table->rowCount(), kLayout);
    // Row by row, the softmax of the exported q.k/sqrt(d) is the weight PyTorch returned.
    // Columns: key, q.k, score = q.k/sqrt(d), e^(score - max), softmax, model's weight.
    double expSum = 0.0;
    for (int row = 0; row < table->rowCount(); ++row) {
        QVERIFY(std::fabs(table->item(row, 4)->data(Qt::UserRole).toDouble() - table->item(row, 5)->data(Qt::UserRole).toDouble()) < 1e-5);
        expSum += table->item(row, 3)->text().toDouble();
    }
    // The shown e-values add up to the shown denominator (rounded to 4 places each).
    QVERIFY2(std::fabs(expSum - step.expSum) < 2e-3 * table->rowCount(), qPrintable(QString::number(expSum)));
    // q.k is the score times sqrt(d) = the dot product of the exported q and k.
    const int d = step.headWidth;
    const size_t strongest = static_cast<size_t>(std::max_element(step.weights.begin(), step.weights.end()) - step.weights.begin());
    double dot = 0.0;
    for (int i = 0; i < d; ++i)
        dot += static_cast<double>(step.queryVector[static_cast<size_t>(i)]) * step.keyVectors[strongest * static_cast<size_t>(d) + static_cast<size_t>(i)];
    QVERIFY(std::fabs(dot / std::sqrt(static_cast<double>(d)) - step.scores[strongest]) < 1e-4);
    QVERIFY2(std::fabs(table->item(0, 1)->text().toDouble() - dot) < 2e-3 * std::max(1.0, std::fabs(dot)),
             qPrintable(table->item(0, 1)->text()));
    // The first row is the key the word attends to most.
    const double top = *std::max_element(step.returned.begin(), step.returned.end());
    QVERIFY(std::fabs(table->item(0, 5)->data(Qt::UserRole).toDouble() - top) < 1e-6);
    QVERIFY(teaching->formula().contains("q<sub>1</sub>k<sub>1</sub>"));
    QVERIFY(teaching->formula().contains(QStringLiteral("divided by √%1").arg(d)));
    QVERIFY(teaching->formula().contains("Σ of e<sup>score − max</sup>"));
    QVERIFY(teaching->notes().contains("Early fusion"));
    QVERIFY(teaching->notes().contains("2×2 modality matrix"));

    // A model that does not export them: the step starts from the weights, and says so.
    w.openModelFile(data("tiny_joint.pt"));
    QVERIFY(waitShown(shown));
    QVERIFY(!w.lastResult().teaching.fromModel);
    QVERIFY(teaching->formula().contains("does not export its queries and keys"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
