// The Compare tab in the window: side B (another method, text or model) kept
// in step with side A, and the difference map.
#include "../window/windowtest.h"

using namespace attnscope;
using namespace attnscope::test;

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

class TestComparePanel : public QObject
{
    Q_OBJECT
private slots:
    void init() { useTestSettings("tst_comparepanel"); }
    void compareTwoMethodsInStep();
    void compareTwoTextsAndTwoModels();
};

void TestComparePanel::compareTwoMethodsInStep()
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

void TestComparePanel::compareTwoTextsAndTwoModels()
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

QTEST_MAIN(TestComparePanel)
#include "tst_comparepanel.moc"
