// The window's views linked through the shared selection, driven with QTest:
// selecting a word, a patch, a matrix row, a map and head or an answer, the
// head grid, the faithfulness tab and the teaching step show the values an
// independent Python implementation computed
// (tests/data/tiny_joint.reference.json, models/attnscope/reference.py).
#include "windowtest.h"

using namespace attnscope;
using namespace attnscope::test;

class TestLinkedViews : public QObject
{
    Q_OBJECT
private slots:
    void init() { useTestSettings("tst_linkedviews"); }
    void selectingAWordShowsItsRelevanceOverTheImage();
    void clickingAPatchShowsHowEachWordReadsIt();
    void clickingAMatrixRowSelectsThatToken();
    void layerAndHeadDriveTheMatrixAndRawHeatmap();
    void clickingAnAnswerExplainsIt();
    void headGridShowsStatisticsAndSelectsHeads();
    void faithfulnessPanelMatchesReferenceCurves();
    void teachingStepsThroughTheSelectedToken();
};

void TestLinkedViews::selectingAWordShowsItsRelevanceOverTheImage()
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

void TestLinkedViews::clickingAPatchShowsHowEachWordReadsIt()
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

void TestLinkedViews::clickingAMatrixRowSelectsThatToken()
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

void TestLinkedViews::layerAndHeadDriveTheMatrixAndRawHeatmap()
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

void TestLinkedViews::clickingAnAnswerExplainsIt()
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

void TestLinkedViews::headGridShowsStatisticsAndSelectsHeads()
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

void TestLinkedViews::faithfulnessPanelMatchesReferenceCurves()
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

void TestLinkedViews::teachingStepsThroughTheSelectedToken()
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

QTEST_MAIN(TestLinkedViews)
#include "tst_linkedviews.moc"
