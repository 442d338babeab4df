#include "ui/views/attentionmatrixview.h"

#include "ui/views/plotstyle.h"

#include <QLabel>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {

/// Token labels on a matrix axis, as many as fit: every token in view when
/// there is room for each; otherwise the words and special tokens and the
/// first patch of each row of the patch grid ("patch 3,0"), skipping any
/// that would overlap the one before. Worked out again at each zoom.
class TokenTicker : public QCPAxisTicker
{
public:
    /// `labels` are the whole layout's; the axis shows `count` of them from `offset`.
    TokenTicker(QCPAxis *axis, const std::vector<core::LayoutToken> &layout, const QStringList &labels, int offset,
                int count)
        : m_axis(axis)
        , m_labels(labels.mid(offset, count))
    {
        for (int i = 0; i < count; ++i) {
            const core::LayoutToken &t = layout[static_cast<size_t>(offset + i)];
            const bool rowStart = t.patchIndex >= 0 && m_labels[i].endsWith(QLatin1String(",0"));
            if ((t.patchIndex < 0 && !t.padding) || rowStart)
                m_landmarks.push_back(i);
        }
    }

    void generate(const QCPRange &range, const QLocale &, QChar, int, QVector<double> &ticks, QVector<double> *subTicks,
                  QVector<QString> *tickLabels) override
    {
        ticks.clear();
        if (subTicks)
            subTicks->clear();
        if (tickLabels)
            tickLabels->clear();
        const int first = std::max(0, static_cast<int>(std::ceil(range.lower)));
        const int last = std::min(static_cast<int>(m_labels.size()) - 1, static_cast<int>(std::floor(range.upper)));
        if (last < first)
            return;
        // One label per line of text (rotated x labels need a little more).
        const QRect area = m_axis->axisRect()->rect();
        const double pixels = m_axis->orientation() == Qt::Horizontal ? area.width() : area.height();
        const double perLabel = QFontMetricsF(m_axis->tickLabelFont()).height() * (m_axis->orientation() == Qt::Horizontal ? 1.3 : 1.05);
        const int room = std::max(1, static_cast<int>(pixels / perLabel));
        // Every token when all fit; else the landmarks, each at least a line
        // of text from the one before.
        std::vector<int> shown;
        if (last - first + 1 <= room) {
            for (int i = first; i <= last; ++i)
                shown.push_back(i);
        } else {
            const double cellsPerLabel = perLabel * range.size() / std::max(1.0, pixels);
            const auto begin = std::lower_bound(m_landmarks.begin(), m_landmarks.end(), first);
            const auto end = std::upper_bound(m_landmarks.begin(), m_landmarks.end(), last);
            for (auto it = begin; it != end; ++it) {
                if (shown.empty() || *it - shown.back() >= cellsPerLabel)
                    shown.push_back(*it);
            }
        }
        for (int i : shown) {
            ticks << i;
            if (tickLabels)
                *tickLabels << m_labels[i];
        }
    }

private:
    QCPAxis *m_axis;
    QStringList m_labels;
    std::vector<int> m_landmarks; ///< words, special tokens, first patch of each grid row
};

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
    m_plot->setMinimumSize(260, 180); // the window fits 1024 x 700
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
    // A colour bar with the matrix's range, beside (never over) the cells.
    auto *scale = new QCPColorScale(m_plot);
    scale->setObjectName(QStringLiteral("matrixColourScale"));
    m_plot->plotLayout()->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(8);
    m_map->setColorScale(scale); // keeps the bar's gradient and range with the map's
    auto *margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_selection = new QCPItemRect(m_plot);
    m_selection->setPen(QPen(QColor(230, 40, 40), 2));
    m_selection->setBrush(Qt::NoBrush);
    m_selection->setVisible(false);

    connect(m_plot, &QCustomPlot::afterLayout, this, &AttentionMatrixView::updateCells);
    connect(m_plot, &QCustomPlot::mouseMove, this, &AttentionMatrixView::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) { m_pressAt = event->position(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, &AttentionMatrixView::onMouseRelease);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent *) { resetZoom(); });
}

std::pair<double, double> AttentionMatrixView::colourRange() const
{
    const QCPRange r = m_map->colorScale() ? m_map->colorScale()->dataRange() : m_map->dataRange();
    return {r.lower, r.upper};
}

void AttentionMatrixView::setMatrix(const core::Explanation &matrix, const std::vector<core::LayoutToken> &layout,
                                    const QString &title, bool leaveOutSinks)
{
    const bool sameShape = matrix.matrix.cols() == m_matrix.cols() && matrix.matrix.rows() == m_matrix.rows();
    m_matrix = matrix.matrix;
    m_rowOffset = matrix.matrixRowOffset;
    m_colOffset = matrix.matrixColOffset;
    m_labels.clear();
    if (m_matrix.empty() || m_rowOffset + m_matrix.rows() > static_cast<int>(layout.size())
        || m_colOffset + m_matrix.cols() > static_cast<int>(layout.size())) {
        m_matrix = {};
        m_shown = {};
        m_map->data()->clear();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    m_labels.reserve(static_cast<qsizetype>(layout.size()));
    for (const core::LayoutToken &t : layout)
        m_labels << QString::fromStdString(t.label);

    // Colours span the whole matrix, whatever part is in view; "without
    // sinks" leaves the sinks' key columns out (unless nothing else is left).
    std::vector<uint8_t> sinkColumn(static_cast<size_t>(m_matrix.cols()), 0);
    int sinkColumns = 0;
    for (int index : leaveOutSinks ? matrix.sinkTokens : std::vector<int>{}) {
        const int c = index - m_colOffset;
        if (c >= 0 && c < m_matrix.cols() && !sinkColumn[static_cast<size_t>(c)]) {
            sinkColumn[static_cast<size_t>(c)] = 1;
            ++sinkColumns;
        }
    }
    if (sinkColumns == m_matrix.cols())
        std::fill(sinkColumn.begin(), sinkColumn.end(), 0);
    float low = 0.0f;
    float high = 0.0f;
    bool any = false;
    for (int r = 0; r < m_matrix.rows(); ++r) {
        for (int c = 0; c < m_matrix.cols(); ++c) {
            const float v = m_matrix.at(r, c);
            if (std::isnan(v) || sinkColumn[static_cast<size_t>(c)])
                continue; // NaN: drawn as 0, shown as NaN on hover
            low = any ? std::min(low, v) : v;
            high = any ? std::max(high, v) : v;
            any = true;
        }
    }
    m_map->setDataRange(QCPRange(low, high > low ? high : low + 1.0));
    m_shown = {}; // refill at the next replot
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new TokenTicker(m_plot->xAxis, layout, m_labels, m_colOffset, m_matrix.cols())));
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new TokenTicker(m_plot->yAxis, layout, m_labels, m_rowOffset, m_matrix.rows())));

    // Segment lines: cleared and redrawn (the selection rectangle stays).
    for (int i = m_plot->itemCount() - 1; i >= 0; --i) {
        if (m_plot->item(i) != m_selection)
            m_plot->removeItem(i);
    }
    const QPen line(QColor(255, 255, 255, 220), 1.5);
    for (double x : segmentBoundaries(layout, m_colOffset, m_matrix.cols())) {
        auto *l = new QCPItemStraightLine(m_plot);
        l->setPen(line);
        l->point1->setCoords(x, 0);
        l->point2->setCoords(x, 1);
    }
    for (double y : segmentBoundaries(layout, m_rowOffset, m_matrix.rows())) {
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

QSize AttentionMatrixView::shownGrid() const
{
    return QSize(m_map->data()->keySize(), m_map->data()->valueSize());
}

void AttentionMatrixView::updateCells()
{
    if (m_matrix.empty())
        return;
    // Cells in view, and the pixels they have.
    const QCPRange x = m_plot->xAxis->range();
    const QCPRange y = m_plot->yAxis->range();
    Shown want;
    want.col = std::clamp(static_cast<int>(std::floor(x.lower + 0.5)), 0, m_matrix.cols() - 1);
    want.row = std::clamp(static_cast<int>(std::floor(y.lower + 0.5)), 0, m_matrix.rows() - 1);
    want.cols = std::clamp(static_cast<int>(std::ceil(x.upper - 0.5)), want.col, m_matrix.cols() - 1) - want.col + 1;
    want.rows = std::clamp(static_cast<int>(std::ceil(y.upper - 0.5)), want.row, m_matrix.rows() - 1) - want.row + 1;
    const QRect area = m_plot->axisRect()->rect();
    const int pixelsX = std::max(1, area.width());
    const int pixelsY = std::max(1, area.height());
    if (m_matrix.cols() <= pixelsX && m_matrix.rows() <= pixelsY)
        want = {0, 0, m_matrix.cols(), m_matrix.rows(), m_matrix.cols(), m_matrix.rows()}; // all of it, once
    want.gridCols = std::min(want.cols, pixelsX);
    want.gridRows = std::min(want.rows, pixelsY);
    if (want == m_shown)
        return;
    m_shown = want;

    // The grid's cells are evenly spaced over the cells in view; grid cell i
    // takes the matrix columns whose centres fall inside it, the first being
    // the smallest c with c + 0.5 >= i * cols / gridCols (rows alike). It
    // shows the value of its block farthest from zero (never NaN: an all-NaN
    // block shows 0).
    QCPColorMapData *data = m_map->data();
    data->setSize(want.gridCols, want.gridRows);
    const double cellX = static_cast<double>(want.cols) / want.gridCols;
    const double cellY = static_cast<double>(want.rows) / want.gridRows;
    data->setRange(QCPRange(want.col - 0.5 + 0.5 * cellX, want.col - 0.5 + (want.gridCols - 0.5) * cellX),
                   QCPRange(want.row - 0.5 + 0.5 * cellY, want.row - 0.5 + (want.gridRows - 0.5) * cellY));
    auto blockStart = [](int i, int cells, int grid) {
        const long long twice = 2LL * i * cells - grid; // 2 * grid * (i * cells / grid - 0.5)
        return twice <= 0 ? 0 : static_cast<int>((twice + 2LL * grid - 1) / (2LL * grid));
    };
    std::vector<int> firstCol(static_cast<size_t>(want.gridCols) + 1);
    for (int i = 0; i <= want.gridCols; ++i)
        firstCol[static_cast<size_t>(i)] = want.col + blockStart(i, want.cols, want.gridCols);
    std::vector<float> strongest(static_cast<size_t>(want.gridCols));
    for (int j = 0; j < want.gridRows; ++j) {
        const int r0 = want.row + blockStart(j, want.rows, want.gridRows);
        const int r1 = want.row + blockStart(j + 1, want.rows, want.gridRows);
        std::fill(strongest.begin(), strongest.end(), 0.0f);
        for (int r = r0; r < r1; ++r) {
            const float *row = m_matrix.values().data() + static_cast<size_t>(r) * static_cast<size_t>(m_matrix.cols());
            for (int i = 0; i < want.gridCols; ++i) {
                float &best = strongest[static_cast<size_t>(i)];
                for (int c = firstCol[static_cast<size_t>(i)]; c < firstCol[static_cast<size_t>(i) + 1]; ++c)
                    best = std::abs(row[c]) > std::abs(best) ? row[c] : best;
            }
        }
        for (int i = 0; i < want.gridCols; ++i)
            data->setCell(i, j, static_cast<double>(strongest[static_cast<size_t>(i)]));
    }
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
    m_plot->xAxis->setRange(-0.5, std::max(0, m_matrix.cols()) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max(0, m_matrix.rows()) - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionMatrixView::updateSelection()
{
    const int row = m_selected - m_rowOffset;
    const bool visible = m_selected >= 0 && row >= 0 && row < m_matrix.rows();
    m_selection->setVisible(visible);
    if (visible) {
        m_selection->topLeft->setCoords(-0.5, row - 0.5);
        m_selection->bottomRight->setCoords(m_matrix.cols() - 0.5, row + 0.5);
    }
}

bool AttentionMatrixView::cellAt(const QPointF &position, int &row, int &col) const
{
    if (m_matrix.empty() || !m_plot->axisRect()->rect().contains(position.toPoint()))
        return false;
    col = static_cast<int>(std::lround(m_plot->xAxis->pixelToCoord(position.x())));
    row = static_cast<int>(std::lround(m_plot->yAxis->pixelToCoord(position.y())));
    return row >= 0 && row < m_matrix.rows() && col >= 0 && col < m_matrix.cols();
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
    m_hover->setText(tr("%1 → %2: %3").arg(m_labels.value(m_rowOffset + row), m_labels.value(m_colOffset + col)).arg(value, 0, 'g', 4));
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
