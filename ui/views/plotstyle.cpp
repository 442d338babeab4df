#include "ui/views/plotstyle.h"

#include <qcustomplot.h>

namespace attnscope::ui {

QCPColorGradient PlotStyle::gradient(core::ColormapKind kind)
{
    QCPColorGradient g;
    g.clearColorStops();
    const core::Colormap &map = core::Colormap::get(kind);
    for (int i = 0; i < 256; i += 5) {
        const auto &c = map.entry(i);
        g.setColorStopAt(i / 255.0, QColor(c[0], c[1], c[2]));
    }
    const auto &last = map.entry(255);
    g.setColorStopAt(1.0, QColor(last[0], last[1], last[2]));
    g.setLevelCount(256);
    return g;
}

void PlotStyle::apply(QCustomPlot *plot)
{
    QFont small = plot->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
        axis->setTickLabelFont(small);
        axis->setLabelFont(small);
    }
    plot->setNoAntialiasingOnDrag(true);
}

void PlotStyle::legendBelow(QCustomPlot *plot, int columns)
{
    plot->legend->setVisible(true);
    if (plot->axisRect()->insetLayout()->elements(false).contains(plot->legend))
        plot->axisRect()->insetLayout()->take(plot->legend);
    auto *row = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, row);
    row->setMargins(QMargins(0, 0, 0, 2));
    row->addElement(0, 0, plot->legend);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setWrap(columns);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
}

} // namespace attnscope::ui
