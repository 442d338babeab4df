#pragma once

#include "core/explain/explanation.h"
#include "core/explain/streamlayout.h"
#include "core/render/colormap.h"

#include <QWidget>

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
class AttentionMatrixView : public QWidget
{
    Q_OBJECT
public:
    explicit AttentionMatrixView(QWidget *parent = nullptr);

    /// `matrix` rows and columns are layout ranges starting at its offsets.
    void setMatrix(const core::Explanation &matrix, const std::vector<core::LayoutToken> &layout,
                   const QString &title = {});
    void setColormap(core::ColormapKind kind);
    /// Highlights the row of a layout index (-1: none) without emitting signals.
    void setSelectedToken(int layoutIndex);
    void resetZoom();

    int selectedToken() const { return m_selected; }
    int rows() const { return m_matrix.rows; }
    int cols() const { return m_matrix.cols; }
    QCustomPlot *plot() const { return m_plot; }
    /// Position of a cell's centre in plot() coordinates (matrix row, column).
    QPoint cellCenter(int row, int col) const;
    /// Layout index of a matrix row.
    int rowToken(int row) const { return m_rowOffset + row; }

signals:
    void tokenSelected(int layoutIndex); ///< a row was clicked
    void cellHovered(int row, int col, double value);

private:
    void onMouseMove(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);
    bool cellAt(const QPointF &position, int &row, int &col) const;
    void updateSelection();

    QCustomPlot *m_plot = nullptr;
    QCPColorMap *m_map = nullptr;
    QCPItemRect *m_selection = nullptr;
    QLabel *m_hover = nullptr;
    core::Matrix m_matrix;
    int m_rowOffset = 0;
    int m_colOffset = 0;
    QStringList m_rowLabels;
    QStringList m_colLabels;
    int m_selected = -1;
    QPointF m_pressAt;
};

} // namespace attnscope::ui
