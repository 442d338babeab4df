#include "ui/attentionmatrixview.h"

#include "ui/plotstyle.h"

#include <QLabel>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {

/// Tick labels: every word and special token, and the first patch of each
/// row of the patch grid ("patch 3,0"); past 60 ticks, every k-th of those.
QSharedPointer<QCPAxisTickerText> labelTicker(const std::vector<core::LayoutToken> &layout, int offset, int count)
{
    std::vector<int> ticks;
    for (int i = 0; i < count; ++i) {
        const core::LayoutToken &t = layout[static_cast<size_t>(offset + i)];
        const bool rowStart = t.patchIndex >= 0 && QString::fromStdString(t.label).endsWith(QLatin1String(",0"));
        if ((t.patchIndex < 0 && !t.padding) || rowStart)
            ticks.push_back(i);
    }
    const size_t step = std::max<size_t>(1, (ticks.size() + 59) / 60);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (size_t k = 0; k < ticks.size(); k += step)
        ticker->addTick(ticks[k], QString::fromStdString(layout[static_cast<size_t>(offset + ticks[k])].label));
    return ticker;
}

/// Positions between tokens where the modality or the stream changes.
std::vector<double> segmentBoundaries(const std::vector<core::LayoutToken> &layout, int offset, int count)
{
    std::vector<double> lines;
    for (int i = 1; i < count; ++i) {
        const auto &a = layout[static_cast<size_t>(offset + i - 1)];
        const auto &b = layout[static_cast<size_t>(offset + i)];
        if (a.modality != b.modality || a.stream != b.stream)
            lines.push_back(i - 0.5);
    }
    return lines;
}

} // namespace

AttentionMatrixView::AttentionMatrixView(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_plot, 1);
    m_hover = new QLabel(this);
    m_hover->setObjectName(QStringLiteral("matrixHover"));
    m_hover->setText(tr("Hover a cell for its value; click to select its row's token"));
    layout->addWidget(m_hover);

    PlotStyle::apply(m_plot);
    m_plot->setMinimumSize(260, 220);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->yAxis->setRangeReversed(true);
    m_plot->xAxis->setTickLabelRotation(60);
    m_plot->xAxis->setLabel(tr("key"));
    m_plot->yAxis->setLabel(tr("query"));
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->grid()->setVisible(false);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(true);
    m_map->setGradient(PlotStyle::gradient(core::ColormapKind::Viridis));
    m_selection = new QCPItemRect(m_plot);
    m_selection->setPen(QPen(QColor(230, 40, 40), 2));
    m_selection->setBrush(Qt::NoBrush);
    m_selection->setVisible(false);

    connect(m_plot, &QCustomPlot::mouseMove, this, &AttentionMatrixView::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) { m_pressAt = event->position(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, &AttentionMatrixView::onMouseRelease);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent *) { resetZoom(); });
}

void AttentionMatrixView::setMatrix(const core::Explanation &matrix, const std::vector<core::LayoutToken> &layout,
                                    const QString &title)
{
    m_matrix = matrix.matrix;
    m_rowOffset = matrix.matrixRowOffset;
    m_colOffset = matrix.matrixColOffset;
    const bool sameShape = m_map->data()->keySize() == m_matrix.cols && m_map->data()->valueSize() == m_matrix.rows;
    m_rowLabels.clear();
    m_colLabels.clear();
    if (m_matrix.empty() || m_rowOffset + m_matrix.rows > static_cast<int>(layout.size())
        || m_colOffset + m_matrix.cols > static_cast<int>(layout.size())) {
        m_matrix = {};
        m_map->data()->clear();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    for (int r = 0; r < m_matrix.rows; ++r)
        m_rowLabels << QString::fromStdString(layout[static_cast<size_t>(m_rowOffset + r)].label);
    for (int c = 0; c < m_matrix.cols; ++c)
        m_colLabels << QString::fromStdString(layout[static_cast<size_t>(m_colOffset + c)].label);

    m_map->data()->setSize(m_matrix.cols, m_matrix.rows);
    m_map->data()->setRange(QCPRange(0, m_matrix.cols - 1), QCPRange(0, m_matrix.rows - 1));
    for (int r = 0; r < m_matrix.rows; ++r) {
        for (int c = 0; c < m_matrix.cols; ++c) {
            const float v = m_matrix.at(r, c);
            m_map->data()->setCell(c, r, std::isnan(v) ? 0.0 : static_cast<double>(v));
        }
    }
    m_map->rescaleDataRange(true);
    m_plot->xAxis->setTicker(labelTicker(layout, m_colOffset, m_matrix.cols));
    m_plot->yAxis->setTicker(labelTicker(layout, m_rowOffset, m_matrix.rows));

    // Segment lines: cleared and redrawn (the selection rectangle stays).
    for (int i = m_plot->itemCount() - 1; i >= 0; --i) {
        if (m_plot->item(i) != m_selection)
            m_plot->removeItem(i);
    }
    const QPen line(QColor(255, 255, 255, 220), 1.5);
    for (double x : segmentBoundaries(layout, m_colOffset, m_matrix.cols)) {
        auto *l = new QCPItemStraightLine(m_plot);
        l->setPen(line);
        l->point1->setCoords(x, 0);
        l->point2->setCoords(x, 1);
    }
    for (double y : segmentBoundaries(layout, m_rowOffset, m_matrix.rows)) {
        auto *l = new QCPItemStraightLine(m_plot);
        l->setPen(line);
        l->point1->setCoords(0, y);
        l->point2->setCoords(1, y);
    }
    m_plot->xAxis->setLabel(title.isEmpty() ? tr("key") : title);
    if (!sameShape)
        resetZoom();
    updateSelection();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionMatrixView::setColormap(core::ColormapKind kind)
{
    m_map->setGradient(PlotStyle::gradient(kind));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionMatrixView::setSelectedToken(int layoutIndex)
{
    m_selected = layoutIndex;
    updateSelection();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionMatrixView::resetZoom()
{
    m_plot->xAxis->setRange(-0.5, std::max(0, m_matrix.cols) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max(0, m_matrix.rows) - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionMatrixView::updateSelection()
{
    const int row = m_selected - m_rowOffset;
    const bool visible = m_selected >= 0 && row >= 0 && row < m_matrix.rows;
    m_selection->setVisible(visible);
    if (visible) {
        m_selection->topLeft->setCoords(-0.5, row - 0.5);
        m_selection->bottomRight->setCoords(m_matrix.cols - 0.5, row + 0.5);
    }
}

bool AttentionMatrixView::cellAt(const QPointF &position, int &row, int &col) const
{
    if (m_matrix.empty() || !m_plot->axisRect()->rect().contains(position.toPoint()))
        return false;
    col = static_cast<int>(std::lround(m_plot->xAxis->pixelToCoord(position.x())));
    row = static_cast<int>(std::lround(m_plot->yAxis->pixelToCoord(position.y())));
    return row >= 0 && row < m_matrix.rows && col >= 0 && col < m_matrix.cols;
}

QPoint AttentionMatrixView::cellCenter(int row, int col) const
{
    return QPointF(m_plot->xAxis->coordToPixel(col), m_plot->yAxis->coordToPixel(row)).toPoint();
}

void AttentionMatrixView::onMouseMove(QMouseEvent *event)
{
    int row = 0;
    int col = 0;
    if (!cellAt(event->position(), row, col))
        return;
    const double value = m_matrix.at(row, col);
    m_hover->setText(tr("%1 → %2: %3").arg(m_rowLabels.value(row), m_colLabels.value(col)).arg(value, 0, 'g', 4));
    emit cellHovered(row, col, value);
}

void AttentionMatrixView::onMouseRelease(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || (event->position() - m_pressAt).manhattanLength() > 4)
        return; // a drag, not a click
    int row = 0;
    int col = 0;
    if (!cellAt(event->position(), row, col))
        return;
    m_selected = rowToken(row);
    updateSelection();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    emit tokenSelected(m_selected);
}

} // namespace attnscope::ui
