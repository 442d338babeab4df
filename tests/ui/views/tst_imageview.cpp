// ImageView lays the patch grid over the part of the photo the model saw: a
// centre crop's window, a padded input's larger frame; positions map to
// patches there only, and what a crop cut off is dimmed. Geometry by hand
// for a 200 x 100 photo in a 430 x 330 view (430 x 300 above the colour bar):
// scaled by min(430 / 200, 300 / 100) = 2.15 to 430 x 215, centred at
// y = (300 - 215) / 2 = 42.5.
#include "ui/views/imageview.h"

#include <QApplication>
#include <QTest>

#include <cmath>

using attnscope::ui::ImageView;

class TestImageView : public QObject
{
    Q_OBJECT
private slots:
    void gridOverACentreCrop();
    void gridOverAPaddedInput();
    void cutOffEdgesAreDimmed();

private:
    static void prepare(ImageView &view, int rows, int cols, const QRectF &region);
};

void TestImageView::prepare(ImageView &view, int rows, int cols, const QRectF &region)
{
    view.resize(430, 300 + ImageView::kColourBarHeight);
    QImage photo(200, 100, QImage::Format_RGB32);
    photo.fill(QColor(200, 150, 50));
    view.setImage(photo);
    std::vector<float> scores(static_cast<size_t>(rows * cols), 0.0f);
    scores[0] = 1.0f;
    view.setScores(rows, cols, scores);
    view.setInputRegion(region);
    QCOMPARE(view.imageRect(), QRectF(0.0, 42.5, 430.0, 215.0));
}

// shortest_edge: the middle half of the width, a 2 x 2 grid over
// x 107.5-322.5 (215 wide, cells of 107.5).
void TestImageView::gridOverACentreCrop()
{
    ImageView view;
    prepare(view, 2, 2, QRectF(0.25, 0.0, 0.5, 1.0));
    QCOMPARE(view.gridRect(), QRectF(107.5, 42.5, 215.0, 215.0));
    QCOMPARE(view.patchAt(QPointF(50.0, 100.0)), -1);  // cut off: no patch of the model's there
    QCOMPARE(view.patchAt(QPointF(400.0, 100.0)), -1);
    QCOMPARE(view.patchAt(QPointF(110.0, 50.0)), 0);
    QCOMPARE(view.patchAt(QPointF(220.0, 50.0)), 1);   // 107.5 + 107.5 = 215 is the middle
    QCOMPARE(view.patchAt(QPointF(320.0, 250.0)), 3);
    QCOMPARE(view.patchCenter(3), QPointF(107.5 + 1.5 * 107.5, 42.5 + 1.5 * 107.5).toPoint());
}

// pad: the photo is the middle half of a square input's height, so a 4 x 4
// grid spans y -65 to 365 (cells of 107.5); rows 0 and 3 lie on the bars,
// off the photo.
void TestImageView::gridOverAPaddedInput()
{
    ImageView view;
    prepare(view, 4, 4, QRectF(0.0, -0.5, 1.0, 2.0));
    QCOMPARE(view.gridRect(), QRectF(0.0, -65.0, 430.0, 430.0));
    QCOMPARE(view.patchAt(QPointF(10.0, 30.0)), -1); // above the photo, on a bar
    QCOMPARE(view.patchAt(QPointF(10.0, 50.0)), 4);  // (50 + 65) / 107.5 = 1.07: row 1
    QCOMPARE(view.patchAt(QPointF(429.0, 250.0)), 11); // (250 + 65) / 107.5 = 2.9: row 2, column 3
}

// Spotlight over a crop: patch 0 (score 1) keeps the photo's colour; the cut
// off left edge is dimmed to grey like the least relevant parts.
void TestImageView::cutOffEdgesAreDimmed()
{
    ImageView view;
    prepare(view, 2, 2, QRectF(0.25, 0.0, 0.5, 1.0));
    view.setOverlayMode(ImageView::OverlayMode::Spotlight);
    view.setOpacity(0.8);
    view.setSmooth(false);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage shot = view.grab().toImage();
    const QColor seen = shot.pixelColor(160, 100);  // inside patch 0
    QVERIFY2(std::abs(seen.red() - 200) <= 3 && std::abs(seen.green() - 150) <= 3 && std::abs(seen.blue() - 50) <= 3,
             qPrintable(seen.name()));
    const QColor cut = shot.pixelColor(50, 100);
    QVERIFY2(std::abs(cut.red() - cut.blue()) <= 3 && cut.red() < 120, qPrintable(cut.name())); // dimmed grey
    const QColor lowest = shot.pixelColor(300, 200); // patch 3, score 0: dimmed as well, not grey-free
    QVERIFY2(lowest.red() < seen.red(), qPrintable(lowest.name()));
}

QTEST_MAIN(TestImageView)
#include "tst_imageview.moc"
