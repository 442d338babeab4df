#pragma once

#include "core/explain/explanation.h"
#include "core/explain/streamlayout.h"
#include "core/render/colormap.h"

#include <QSize>
#include <QWidget>

#include <utility>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPItemRect;
class QLabel;

namespace attnscope::ui {

/// A token x token matrix (an attention map, or the matrix a method works on)
/// as a QCustomPlot colour map: queries as rows (top to bottom), keys as
/// columns, token labels on the axes, lines between modality segments, the
/// value under the mouse, wheel zoom and drag. Clicking a cell selects its row.
///
/// Only what fits on screen is coloured: when more cells are in view than the
/// plot has pixels, each pixel shows the cell of its block farthest from zero
/// (so one strong link never disappears into its neighbours), and a zoom or
/// a drag reduces the cells then in view again. Colours keep the whole
/// matrix's range at every zoom; hover reports each cell's exact value.
class AttentionMatrixView : public QWidget
{
    Q_OBJECT
public:
    explicit AttentionMatrixView(QWidget *parent = nullptr);

    /// `matrix` rows and columns are layout ranges starting at its offsets.
    /// `leaveOutSinks`: the colour range comes from the columns of keys that
    /// are not attention sinks or registers (matrix.sinkTokens); theirs are
    /// drawn at its top.
    void setMatrix(const core::Explanation &matrix, const std::vector<core::LayoutToken> &layout,
                   const QString &title = {}, bool leaveOutSinks = false);
    void setColormap(core::ColormapKind kind);
    /// Highlights the row of a layout index (-1: none) without emitting signals.
    void setSelectedToken(int layoutIndex);
    void resetZoom();

    int selectedToken() const { return m_selected; }
    int rows() const { return m_matrix.rows(); }
    int cols() const { return m_matrix.cols(); }
    QCustomPlot *plot() const { return m_plot; }
    /// The colour bar's range (the matrix's lowest and highest value, the
    /// sinks' columns left out when asked).
    std::pair<double, double> colourRange() const;
    /// Position of a cell's centre in plot() coordinates (matrix row, column).
    QPoint cellCenter(int row, int col) const;
    /// Layout index of a matrix row.
    int rowToken(int row) const { return m_rowOffset + row; }
    /// Size of the grid the colour map holds now: the matrix, or fewer cells
    /// when it is reduced to the plot's pixels.
    QSize shownGrid() const;

signals:
    void tokenSelected(int layoutIndex); ///< a row was clicked
    void cellHovered(int row, int col, double value);

private:
    void onMouseMove(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);
    bool cellAt(const QPointF &position, int &row, int &col) const;
    void updateSelection();
    /// After each layout, before drawing: fills the colour map with the cells in view,
    /// reduced to the plot's pixels where there are more of them.
    void updateCells();

    QCustomPlot *m_plot = nullptr;
    QCPColorMap *m_map = nullptr;
    QCPItemRect *m_selection = nullptr;
    QLabel *m_hover = nullptr;
    core::Matrix m_matrix;
    int m_rowOffset = 0;
    int m_colOffset = 0;
    QStringList m_labels; ///< of the whole layout
    int m_selected = -1;
    QPointF m_pressAt;
    /// What the colour map holds: first column and row, cells in view, grid.
    struct Shown
    {
        int col = 0, row = 0, cols = 0, rows = 0, gridCols = 0, gridRows = 0;
        bool operator==(const Shown &o) const
        {
            return col == o.col && row == o.row && cols == o.cols && rows == o.rows && gridCols == o.gridCols
                && gridRows == o.gridRows;
        }
    };
    Shown m_shown;
};

} // namespace attnscope::ui
