// The matrix view colours no more cells than it has pixels: a long input's
// matrix is reduced to the plot's size, a zoom shows the cells in view at
// full resolution again, and a strong cell survives the reduction. Values are
// checked against matrices built by hand.
#include "ui/views/attentionmatrixview.h"

#include <QSignalSpy>
#include <QTest>

#include <qcustomplot.h>

#include <cmath>

using namespace attnscope;

namespace {

std::vector<core::LayoutToken> textLayout(int count)
{
    std::vector<core::LayoutToken> layout(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        layout[static_cast<size_t>(i)].label = "w" + std::to_string(i);
        layout[static_cast<size_t>(i)].modality = core::Modality::Text;
        layout[static_cast<size_t>(i)].textIndex = i;
    }
    return layout;
}

core::Explanation matrixOf(int rows, int cols, float (*value)(int, int))
{
    std::vector<float> values;
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c)
            values.push_back(value(r, c));
    }
    core::Explanation e;
    e.matrix = core::Matrix(rows, cols, std::move(values));
    return e;
}

QCPColorMap *colourMap(ui::AttentionMatrixView &view)
{
    return qobject_cast<QCPColorMap *>(view.plot()->plottable(0));
}

/// The value the colour map shows at a matrix cell (column, row coordinates).
/// The value the colour map shows at a matrix cell, where the grid is the
/// matrix cell for cell (or a zoomed part of it).
double shownAt(ui::AttentionMatrixView &view, int row, int col)
{
    int key = 0;
    int value = 0;
    colourMap(view)->data()->coordToCell(col, row, &key, &value);
    return colourMap(view)->data()->cell(key, value);
}

} // namespace

class TestAttentionMatrixView : public QObject
{
    Q_OBJECT

private slots:
    void smallMatrixIsShownCellForCell()
    {
        ui::AttentionMatrixView view;
        view.resize(500, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setMatrix(matrixOf(5, 7, [](int r, int c) { return 0.1f * r - 0.01f * c; }), textLayout(7));
        view.plot()->replot();
        QCOMPARE(view.shownGrid(), QSize(7, 5));
        for (int r = 0; r < 5; ++r) {
            for (int c = 0; c < 7; ++c)
                QCOMPARE(shownAt(view, r, c), static_cast<double>(0.1f * r - 0.01f * c));
        }
        // The colour bar spans the values: 0.1*0 - 0.01*6 = -0.06 to 0.1*4 - 0 = 0.4.
        QVERIFY(std::fabs(view.colourRange().first - (-0.06)) < 1e-6);
        QVERIFY(std::fabs(view.colourRange().second - 0.4) < 1e-6);
        QVERIFY(view.findChild<QCPColorScale *>("matrixColourScale"));
    }

    // 2,048 tokens on a few hundred pixels: one value per pixel at most, and
    // the one strong cell and the one strongly negative cell are still there.
    void longMatrixIsReducedToThePixels()
    {
        ui::AttentionMatrixView view;
        view.resize(520, 460);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const int n = 2048;
        view.setMatrix(matrixOf(n, n,
                                [](int r, int c) {
                                    if (r == 1000 && c == 77)
                                        return 1.0f;
                                    if (r == 5 && c == 2000)
                                        return -2.0f;
                                    return 0.001f * static_cast<float>((r * 31 + c * 17) % 100) / 100.0f;
                                }),
                       textLayout(n));
        view.plot()->replot();
        const QRect pixels = view.plot()->axisRect()->rect();
        const QSize grid = view.shownGrid();
        QVERIFY2(grid.width() <= pixels.width() && grid.height() <= pixels.height(),
                 qPrintable(QStringLiteral("%1x%2 cells on %3x%4 pixels")
                                .arg(grid.width())
                                .arg(grid.height())
                                .arg(pixels.width())
                                .arg(pixels.height())));
        QVERIFY(grid.width() > 100 && grid.height() > 100);
        // Each outlier in exactly one grid cell, and that cell covers the
        // outlier's place in the matrix.
        QCPColorMapData *data = colourMap(view)->data();
        const double cellWidth = static_cast<double>(n) / grid.width();
        const double cellHeight = static_cast<double>(n) / grid.height();
        int strong = 0;
        int negative = 0;
        for (int j = 0; j < grid.height(); ++j) {
            for (int i = 0; i < grid.width(); ++i) {
                const double v = data->cell(i, j);
                QVERIFY(v == 1.0 || v == -2.0 || (v >= 0.0 && v < 0.001));
                if (v != 1.0 && v != -2.0)
                    continue;
                double x = 0;
                double y = 0;
                data->cellToCoord(i, j, &x, &y);
                const double wantX = v == 1.0 ? 77 : 2000;
                const double wantY = v == 1.0 ? 1000 : 5;
                QVERIFY2(std::abs(x - wantX) <= cellWidth / 2 + 1e-9 && std::abs(y - wantY) <= cellHeight / 2 + 1e-9,
                         qPrintable(QStringLiteral("%1 shown at %2,%3").arg(v).arg(x).arg(y)));
                (v == 1.0 ? strong : negative) += 1;
            }
        }
        QCOMPARE(strong, 1);
        QCOMPARE(negative, 1);
        // Colours span the matrix's own range.
        QCOMPARE(colourMap(view)->dataRange().lower, -2.0);
        QCOMPARE(colourMap(view)->dataRange().upper, 1.0);

        // Zoomed to 40 x 30 cells: every cell in view, at full resolution.
        view.plot()->xAxis->setRange(59.5, 99.5);
        view.plot()->yAxis->setRange(979.5, 1009.5);
        view.plot()->replot();
        QCOMPARE(view.shownGrid(), QSize(40, 30));
        for (int r = 980; r < 1010; ++r) {
            for (int c = 60; c < 100; ++c) {
                const float expected = r == 1000 && c == 77 ? 1.0f : 0.001f * static_cast<float>((r * 31 + c * 17) % 100) / 100.0f;
                QCOMPARE(shownAt(view, r, c), static_cast<double>(expected));
            }
        }

        // Zoomed in to 10 x 10 cells, every token in view has its label.
        view.plot()->xAxis->setRange(69.5, 79.5);
        view.plot()->yAxis->setRange(994.5, 1004.5);
        view.plot()->replot();
        QCOMPARE(view.plot()->xAxis->tickVectorLabels(),
                 QVector<QString>({"w70", "w71", "w72", "w73", "w74", "w75", "w76", "w77", "w78", "w79"}));
        QCOMPARE(view.plot()->yAxis->tickVector().size(), 10);
        QCOMPARE(view.plot()->yAxis->tickVectorLabels().back(), QStringLiteral("w1004"));

        // Hover reports the exact cell, whatever the grid.
        QSignalSpy hovered(&view, &ui::AttentionMatrixView::cellHovered);
        QTest::mouseMove(view.plot(), view.cellCenter(1000, 77));
        QTRY_VERIFY(!hovered.isEmpty());
        QCOMPARE(hovered.last().at(0).toInt(), 1000);
        QCOMPARE(hovered.last().at(1).toInt(), 77);
        QCOMPARE(hovered.last().at(2).toDouble(), 1.0);

        // Back to the whole matrix: reduced again, and no more labels than
        // lines of text fit along each axis.
        view.resetZoom();
        view.plot()->replot();
        QCOMPARE(view.shownGrid(), grid);
        const double lineHeight = QFontMetricsF(view.plot()->yAxis->tickLabelFont()).height();
        const QVector<double> yTicks = view.plot()->yAxis->tickVector();
        QVERIFY(yTicks.size() >= 3);
        for (int i = 1; i < yTicks.size(); ++i) {
            const double apart = std::abs(view.plot()->yAxis->coordToPixel(yTicks[i]) - view.plot()->yAxis->coordToPixel(yTicks[i - 1]));
            QVERIFY2(apart >= lineHeight, qPrintable(QStringLiteral("labels %1 and %2 are %3 px apart").arg(yTicks[i - 1]).arg(yTicks[i]).arg(apart)));
        }
    }

    // NaN cells are drawn as 0 and reported as NaN; they never set the colour range.
    void nanCellsStayOutOfTheColours()
    {
        ui::AttentionMatrixView view;
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setMatrix(matrixOf(3, 3, [](int r, int c) { return r == c ? std::nanf("") : 0.5f + r + c; }), textLayout(3));
        view.plot()->replot();
        QCOMPARE(shownAt(view, 1, 1), 0.0);
        QCOMPARE(shownAt(view, 0, 1), 1.5);
        QCOMPARE(colourMap(view)->dataRange().lower, 1.5);
        QCOMPARE(colourMap(view)->dataRange().upper, 3.5);
    }
};

QTEST_MAIN(TestAttentionMatrixView)
#include "tst_attentionmatrixview.moc"
