#pragma once

#include "core/render/colormap.h"

#include <QImage>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

/// The input image with a patch-score heatmap over it, drawn at screen
/// resolution: the heatmap is a grid-sized image scaled by the painter
/// (bilinear when smooth, else nearest), so a large photograph costs no more
/// than a small one. Zoom with the wheel or +/-, pan by dragging, double-click
/// or 0 to fit. Hovering a patch shows its score; clicking selects it.
class ImageView : public QWidget
{
    Q_OBJECT
public:
    explicit ImageView(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    /// Patch scores, row-major rows x cols, scaled by their min and max for
    /// colour; NaN patches stay clear. Empty scores: no heatmap.
    void setScores(int rows, int cols, const std::vector<float> &scores, const QString &caption = {});
    void setColormap(core::ColormapKind kind);
    /// Signed scores (differences): 0 maps to the middle of the colormap and
    /// the largest magnitude to its ends, instead of min-max scaling.
    void setDiverging(bool diverging);
    void setOpacity(double opacity); ///< 0..1
    void setSmooth(bool smooth);
    void setGridVisible(bool visible);
    /// Outlines a patch (-1: none) without emitting signals.
    void setSelectedPatch(int patch);
    void resetZoom();
    void zoomBy(double factor);

    int selectedPatch() const { return m_selected; }
    double zoom() const { return m_zoom; }
    QPointF pan() const { return m_pan; }
    /// Restores a zoom and pan (e.g. from a session).
    void setZoomPan(double zoom, const QPointF &pan);
    const std::vector<float> &scores() const { return m_scores; }
    QString caption() const { return m_caption; }
    const QImage &image() const { return m_image; }
    /// The heatmap as drawn: one pixel per patch, colour-mapped; null when none.
    const QImage &heatImage() const { return m_heat; }
    double opacity() const { return m_opacity; }
    bool smooth() const { return m_smooth; }
    bool gridVisible() const { return m_grid; }
    int gridRows() const { return m_rows; }
    int gridCols() const { return m_cols; }
    /// Row-major patch under a widget position; -1 outside the image.
    int patchAt(const QPointF &position) const;
    /// Widget position of a patch's centre.
    QPoint patchCenter(int patch) const;
    /// The image's rectangle in widget coordinates.
    QRectF imageRect() const;

signals:
    void patchHovered(int patch); ///< -1 when leaving the image
    void patchClicked(int patch);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    void rebuildHeat();

    QImage m_image;
    QImage m_heat; ///< cols x rows, one pixel per patch
    std::vector<float> m_scores;
    QString m_caption;
    int m_rows = 0;
    int m_cols = 0;
    core::ColormapKind m_colormap = core::ColormapKind::Viridis;
    double m_opacity = 0.55;
    bool m_smooth = true;
    bool m_grid = false;
    bool m_diverging = false;
    int m_selected = -1;
    int m_hovered = -1;
    double m_zoom = 1.0;
    QPointF m_pan;       ///< offset of the image centre from the widget centre
    QPointF m_pressAt;
    QPointF m_panAtPress;
    bool m_dragging = false;
};

} // namespace attnscope::ui
