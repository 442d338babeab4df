#pragma once

#include "core/render/colormap.h"

#include <QImage>
#include <QVector>
#include <QWidget>

#include <vector>

namespace attnscope::ui {

class Selection;

/// The input image with a patch-score heatmap over it, drawn at screen
/// resolution: the heatmap is a grid-sized image scaled by the painter
/// (bilinear when smooth, else nearest), so a large photograph costs no more
/// than a small one. Zoom with the wheel or +/-, pan by dragging, double-click
/// or 0 to fit. Hovering a patch shows its score; clicking selects it.
class ImageView : public QWidget
{
    Q_OBJECT
public:
    /// How the heat is drawn. Spotlight (the default) keeps the photo's own
    /// colours: each pixel is mixed with a dimmed grey of itself, fully
    /// itself where the score is highest. Mixing a colour with a neutral grey
    /// scales all its channel differences alike, so its hue is unchanged; a
    /// colormap laid over the photo (Blend) would tint a yellow square
    /// green, which misleads on every "what colour" question.
    enum class OverlayMode { Spotlight, Blend };
    /// Height of the colour bar under the image, in pixels.
    static constexpr int kColourBarHeight = 30;

    explicit ImageView(QWidget *parent = nullptr);
    /// Shows the result's image and follows the selection: the focused
    /// token's scores (or the explanation's), the selected patch outlined; a
    /// click selects a patch there.
    void follow(Selection *selection);

    void setImage(const QImage &image);
    /// Patch scores, row-major rows x cols, scaled by their min and max for
    /// colour; NaN patches stay clear. Empty scores: no heatmap.
    void setScores(int rows, int cols, const std::vector<float> &scores, const QString &caption = {});
    /// The part of the image the model's input covers, in fractions of the
    /// image (core::InputRegion): the patch grid is laid over it, parts
    /// outside it are dimmed and outlined as not seen. (0, 0, 1, 1) by default.
    void setInputRegion(const QRectF &region);
    QRectF inputRegion() const { return m_region; }
    void setColormap(core::ColormapKind kind);
    /// Signed scores (differences): 0 maps to the middle of the colormap and
    /// the largest magnitude to its ends, instead of min-max scaling.
    void setDiverging(bool diverging);
    /// 0..1: the blend's opacity, or how far the spotlight dims the rest.
    void setOpacity(double opacity);
    void setOverlayMode(OverlayMode mode);
    void setSmooth(bool smooth);
    void setGridVisible(bool visible);
    /// Outlines a patch (-1: none) without emitting signals.
    void setSelectedPatch(int patch);
    /// Patches that are attention sinks (high-norm background patches):
    /// marked with an anchor; `leaveOut` keeps them out of the colour scale
    /// (they are drawn at its end).
    void setSinkPatches(const QVector<int> &patches, bool leaveOut);
    const QVector<int> &sinkPatches() const { return m_sinkPatches; }
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
    OverlayMode overlayMode() const { return m_mode; }
    /// True when scores are shown but none is above zero: the view then says
    /// so instead of drawing an empty picture.
    bool noPositiveEvidence() const { return m_noEvidence; }
    /// The colour bar's rectangle (empty without scores) and its end labels.
    QRect colourBarRect() const;
    QString colourBarLow() const { return m_barLow; }
    QString colourBarHigh() const { return m_barHigh; }
    /// Sets the words drawn when no score is positive.
    void setNoEvidenceText(const QString &text);
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
    /// Where the patch grid lies on the widget: the image rectangle mapped by
    /// the input region.
    QRectF gridRect() const;

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
    void paintSpotlight(QPainter &p, const QRectF &image, const QRectF &target);
    void paintColourBar(QPainter &p);
    /// The patch grid (when shown) and the hovered and selected patches.
    void paintGrid(QPainter &p, const QRectF &image, const QRectF &target);
    /// The no-evidence notice and the caption.
    void paintLabels(QPainter &p);
    void paintSinks(QPainter &p, const QRectF &target);

    QImage m_image;
    QImage m_dimmed; ///< the image as a dark grey of itself (spotlight's background)
    QImage m_heat; ///< cols x rows, one pixel per patch
    std::vector<float> m_normalized; ///< the scores as drawn, in [0, 1] (NaN kept)
    std::vector<float> m_scores;
    QString m_caption;
    int m_rows = 0;
    QRectF m_region{0.0, 0.0, 1.0, 1.0};
    int m_cols = 0;
    core::ColormapKind m_colormap = core::ColormapKind::Viridis;
    double m_opacity = 0.55;
    OverlayMode m_mode = OverlayMode::Spotlight;
    bool m_noEvidence = false;
    QString m_noEvidenceText;
    QString m_barLow;
    QString m_barHigh;
    bool m_smooth = true;
    bool m_grid = false;
    bool m_diverging = false;
    int m_selected = -1;
    int m_hovered = -1;
    QVector<int> m_sinkPatches;
    bool m_leaveOutSinks = false;
    double m_zoom = 1.0;
    QPointF m_pan;       ///< offset of the image centre from the widget centre
    QPointF m_pressAt;
    QPointF m_panAtPress;
    bool m_dragging = false;
};

} // namespace attnscope::ui
