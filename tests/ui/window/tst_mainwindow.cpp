// The main window under the offscreen platform, driven as a user would with
// QTest: it starts on the demo model with an answer, a heatmap and a badge
// saying how far to trust it; unknown words are said; it fits a small
// screen; the model card, About, rollout's options; errors leave it usable;
// a burst of requests ends showing the last one; dropped files, the model
// selector and the settings.
#include "windowtest.h"

using namespace attnscope;
using namespace attnscope::test;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void init() { useTestSettings("tst_mainwindow"); }
    void startsOnTheDemoModel();
    void unknownWordsAreShownAsUnknown();
    void badgeSaysHowFarToTrustTheMap();
    void threadPrioritiesAreTheApplications();
    void fitsASmallScreenWithEveryTab();
    void modelCardAndItsLimits();
    void aboutSaysTheVersions();
    void rolloutFusionAndDiscardInTheWindow();
    void failingModelShowsErrorAndStaysUsable();
    void burstEndsWithLastRequest();
    void droppedFilesOpen();
    void modelSelectorOpensBundledModels();
    void settingsPersist();
};

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

    // A checkpoint folder dropped with an image: opened natively, its notes
    // in the banner, named in the model box by its folders.
    drop({QStringLiteral(ATTNSCOPE_ORACLES "/vit/deit_distilled_p16/hf"),
          QStringLiteral(ATTNSCOPE_ORACLES "/vit/deit_distilled_p16/image1.png")});
    QTRY_VERIFY_WITH_TIMEOUT(w.lastResult().modelName == QStringLiteral("deit_distilled_p16/hf"), 30000);
    QCOMPARE(w.lastResult().prediction.predicted, 4); // "envelope", as timm's logits say (index.json)
    QVERIFY(w.lastResult().notes().join(" ").contains("class and distillation heads"));
    QCOMPARE(w.findChild<QComboBox *>("modelSelector")->currentText(), QStringLiteral("deit_distilled_p16/hf"));
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

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
