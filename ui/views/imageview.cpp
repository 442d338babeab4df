#include "ui/views/imageview.h"

#include "ui/state/selection.h"

#include "core/render/heatmap.h"

#include <QKeyEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainterPath>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope::ui {

namespace {
constexpr double kMinZoom = 1.0;
constexpr double kMaxZoom = 32.0;
/// Spotlight's darkest: 40% of a pixel's luma, in grey.
constexpr double kDim = 0.4;

QString scoreText(float value)
{
    return QString::number(static_cast<double>(value), 'g', 3);
}
}

ImageView::ImageView(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(240, 200);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage &image)
{
    if (image.size() != m_image.size())
        resetZoom();
    m_image = image;
    // The dimmed grey of each pixel, once per image: luma (Rec. 601) x kDim.
    m_dimmed = image.isNull() ? QImage() : image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < m_dimmed.height(); ++y) {
        auto *row = reinterpret_cast<QRgb *>(m_dimmed.scanLine(y));
        for (int x = 0; x < m_dimmed.width(); ++x) {
            const QRgb c = row[x];
            const int g = static_cast<int>(kDim * (0.299 * qRed(c) + 0.587 * qGreen(c) + 0.114 * qBlue(c)) + 0.5);
            row[x] = qRgb(g, g, g);
        }
    }
    update();
}

void ImageView::setScores(int rows, int cols, const std::vector<float> &scores, const QString &caption)
{
    m_rows = rows;
    m_cols = cols;
    m_scores = scores;
    m_caption = caption;
    if (rows * cols != static_cast<int>(scores.size()))
        m_scores.clear();
    rebuildHeat();
    update();
}

void ImageView::setInputRegion(const QRectF &region)
{
    const QRectF r = region.isValid() ? region : QRectF(0.0, 0.0, 1.0, 1.0);
    if (r == m_region)
        return;
    m_region = r;
    update();
}

void ImageView::setColormap(core::ColormapKind kind)
{
    m_colormap = kind;
    rebuildHeat();
    update();
}

void ImageView::setDiverging(bool diverging)
{
    m_diverging = diverging;
    rebuildHeat();
    update();
}

void ImageView::setOpacity(double opacity)
{
    m_opacity = std::clamp(opacity, 0.0, 1.0);
    update();
}

void ImageView::setOverlayMode(OverlayMode mode)
{
    m_mode = mode;
    update();
}

void ImageView::setNoEvidenceText(const QString &text)
{
    m_noEvidenceText = text;
    update();
}

void ImageView::setSmooth(bool smooth)
{
    m_smooth = smooth;
    update();
}

void ImageView::setGridVisible(bool visible)
{
    m_grid = visible;
    update();
}

void ImageView::setSelectedPatch(int patch)
{
    m_selected = patch;
    update();
}

void ImageView::resetZoom()
{
    m_zoom = 1.0;
    m_pan = {};
    update();
}

void ImageView::setZoomPan(double zoom, const QPointF &pan)
{
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    m_pan = m_zoom == kMinZoom ? QPointF() : pan;
    update();
}

void ImageView::zoomBy(double factor)
{
    m_zoom = std::clamp(m_zoom * factor, kMinZoom, kMaxZoom);
    if (m_zoom == kMinZoom)
        m_pan = {};
    update();
}

void ImageView::rebuildHeat()
{
    m_normalized.clear();
    m_noEvidence = false;
    m_barLow.clear();
    m_barHigh.clear();
    if (m_scores.empty()) {
        m_heat = QImage();
        return;
    }
    std::vector<float> t = m_scores;
    // "without sinks": the colour scale spans the other patches only.
    std::vector<uint8_t> leftOut(m_scores.size(), 0);
    size_t left = 0;
    for (int patch : m_sinkPatches) {
        if (m_leaveOutSinks && patch >= 0 && static_cast<size_t>(patch) < leftOut.size()) {
            left += leftOut[static_cast<size_t>(patch)] ? 0 : 1;
            leftOut[static_cast<size_t>(patch)] = 1;
        }
    }
    if (left == m_scores.size())
        std::fill(leftOut.begin(), leftOut.end(), 0);
    float lo = std::numeric_limits<float>::infinity(), hi = -lo, top = 0.0f;
    for (size_t i = 0; i < m_scores.size(); ++i) {
        const float v = m_scores[i];
        if (std::isnan(v) || leftOut[i])
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        top = std::max(top, std::abs(v));
    }
    if (m_diverging) {
        for (float &v : t)
            v = top > 0.0f ? std::clamp(0.5f + 0.5f * v / top, 0.0f, 1.0f) : 0.5f;
        m_barLow = scoreText(-top);
        m_barHigh = scoreText(top);
    } else {
        t = core::Heatmap::normalize(m_scores, leftOut);
        m_noEvidence = !(hi > 0.0f);
        m_barLow = std::isfinite(lo) ? scoreText(lo) : QString();
        m_barHigh = std::isfinite(hi) ? scoreText(hi) : QString();
    }
    m_normalized = t;
    const core::Colormap &map = core::Colormap::get(m_colormap);
    m_heat = QImage(m_cols, m_rows, QImage::Format_ARGB32);
    for (int r = 0; r < m_rows; ++r) {
        for (int c = 0; c < m_cols; ++c) {
            const float v = t[static_cast<size_t>(r * m_cols + c)];
            if (std::isnan(v)) {
                m_heat.setPixel(c, r, qRgba(0, 0, 0, 0));
                continue;
            }
            const auto rgb = map.map(v);
            m_heat.setPixel(c, r, qRgb(rgb[0], rgb[1], rgb[2]));
        }
    }
}

QRect ImageView::colourBarRect() const
{
    if (m_scores.empty() || m_image.isNull())
        return {};
    return QRect(8, height() - kColourBarHeight + 4, std::max(0, width() - 16), kColourBarHeight - 8);
}

QRectF ImageView::imageRect() const
{
    if (m_image.isNull())
        return {};
    // The colour bar has its own strip: it never covers the picture.
    const QSizeF area(width(), std::max(1, height() - (m_scores.empty() ? 0 : kColourBarHeight)));
    const QSizeF fitted = QSizeF(m_image.size()).scaled(area, Qt::KeepAspectRatio) * m_zoom;
    const QPointF centre = QPointF(area.width() / 2.0, area.height() / 2.0) + m_pan;
    return QRectF(centre - QPointF(fitted.width() / 2.0, fitted.height() / 2.0), fitted);
}

QRectF ImageView::gridRect() const
{
    const QRectF image = imageRect();
    return QRectF(image.left() + m_region.x() * image.width(), image.top() + m_region.y() * image.height(),
                  m_region.width() * image.width(), m_region.height() * image.height());
}

int ImageView::patchAt(const QPointF &position) const
{
    // Only where the model saw the image: on the photo and inside its input.
    const QRectF rect = gridRect();
    if (m_rows <= 0 || m_cols <= 0 || !rect.contains(position) || !imageRect().contains(position))
        return -1;
    const int c = std::clamp(static_cast<int>((position.x() - rect.left()) / rect.width() * m_cols), 0, m_cols - 1);
    const int r = std::clamp(static_cast<int>((position.y() - rect.top()) / rect.height() * m_rows), 0, m_rows - 1);
    return r * m_cols + c;
}

QPoint ImageView::patchCenter(int patch) const
{
    const QRectF rect = gridRect();
    if (m_cols <= 0 || m_rows <= 0)
        return {};
    const int r = patch / m_cols;
    const int c = patch % m_cols;
    return QPointF(rect.left() + (c + 0.5) * rect.width() / m_cols, rect.top() + (r + 0.5) * rect.height() / m_rows)
        .toPoint();
}

void ImageView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (m_image.isNull()) {
        p.drawText(rect(), Qt::AlignCenter, tr("Open an image (Ctrl+O) or drop one here"));
        return;
    }
    const QRectF image = imageRect();
    const QRectF target = gridRect();
    const bool cropped = !target.contains(image);
    p.save();
    p.setClipRect(QRectF(0, 0, width(), height() - (m_scores.empty() ? 0 : kColourBarHeight)));
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    if (m_mode == OverlayMode::Spotlight && !m_normalized.empty() && !m_noEvidence) {
        paintSpotlight(p, image, target);
    } else {
        p.drawImage(image, m_image);
        if (!m_heat.isNull() && !m_noEvidence) {
            p.save();
            p.setClipRect(image.intersected(target), Qt::IntersectClip);
            p.setOpacity(m_opacity);
            p.setRenderHint(QPainter::SmoothPixmapTransform, m_smooth);
            p.drawImage(target, m_heat);
            p.restore();
            if (cropped) {
                // What a centre crop cut off: the model never saw it.
                QPainterPath outside;
                outside.addRect(image);
                QPainterPath seen;
                seen.addRect(target);
                p.fillPath(outside.subtracted(seen), QColor(0, 0, 0, 140));
            }
        }
    }
    if (cropped && !m_scores.empty()) {
        p.setPen(QPen(QColor(255, 255, 255, 220), 1.5, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawRect(target.intersected(image));
    }
    p.restore();
    paintColourBar(p);
    paintGrid(p, image, target);
    paintSinks(p, target);
    paintLabels(p);
}

void ImageView::setSinkPatches(const QVector<int> &patches, bool leaveOut)
{
    if (patches == m_sinkPatches && leaveOut == m_leaveOutSinks)
        return;
    m_sinkPatches = patches;
    m_leaveOutSinks = leaveOut;
    rebuildHeat();
    update();
}

void ImageView::paintSinks(QPainter &p, const QRectF &target)
{
    if (m_sinkPatches.isEmpty() || m_cols <= 0 || m_rows <= 0 || m_scores.empty())
        return;
    // An anchor in a dark disc at the patch's corner: the patch draws
    // attention without carrying content (the matrix marks it the same way).
    p.save();
    p.setClipRect(imageRect(), Qt::IntersectClip);
    const double cw = target.width() / m_cols;
    const double ch = target.height() / m_rows;
    const double d = std::clamp(std::min(cw, ch) * 0.45, 12.0, 22.0);
    QFont f = font();
    f.setPixelSize(static_cast<int>(d * 0.7));
    p.setFont(f);
    for (int patch : m_sinkPatches) {
        if (patch < 0 || patch >= m_rows * m_cols)
            continue;
        const QRectF cell(target.left() + (patch % m_cols) * cw, target.top() + (patch / m_cols) * ch, cw, ch);
        p.setPen(QPen(QColor(255, 255, 255, 200), 1.0, Qt::DotLine));
        p.setBrush(Qt::NoBrush);
        p.drawRect(cell);
        const QRectF badge(cell.left() + 2, cell.top() + 2, d, d);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(20, 20, 20, 190));
        p.drawEllipse(badge);
        p.setPen(Qt::white);
        p.drawText(badge, Qt::AlignCenter, QStringLiteral("\u2693"));
    }
    p.restore();
}

void ImageView::paintGrid(QPainter &p, const QRectF &image, const QRectF &target)
{
    if (m_cols <= 0 || m_rows <= 0)
        return;
    p.save();
    p.setClipRect(image, Qt::IntersectClip); // a padded input's grid stops at the photo
    const double cw = target.width() / m_cols;
    const double ch = target.height() / m_rows;
    if (m_grid) {
        p.setPen(QPen(QColor(255, 255, 255, 110), 1));
        for (int c = 1; c < m_cols; ++c)
            p.drawLine(QPointF(target.left() + c * cw, target.top()), QPointF(target.left() + c * cw, target.bottom()));
        for (int r = 1; r < m_rows; ++r)
            p.drawLine(QPointF(target.left(), target.top() + r * ch), QPointF(target.right(), target.top() + r * ch));
    }
    auto outline = [&](int patch, const QColor &colour, qreal widthPx) {
        if (patch < 0 || patch >= m_rows * m_cols)
            return;
        p.setPen(QPen(colour, widthPx));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(target.left() + (patch % m_cols) * cw, target.top() + (patch / m_cols) * ch, cw, ch));
    };
    outline(m_hovered, QColor(255, 255, 255, 200), 1.0);
    outline(m_selected, QColor(255, 60, 60), 2.5);
    p.restore();
}

void ImageView::paintLabels(QPainter &p)
{
    if (m_noEvidence) {
        const QString text = m_noEvidenceText.isEmpty() ? tr("No positive evidence for this answer: no patch scores above zero")
                                                        : m_noEvidenceText;
        const QRect box = p.fontMetrics().boundingRect(QRect(0, 0, std::max(60, width() - 40), 200), Qt::TextWordWrap, text)
                              .adjusted(-8, -5, 8, 5);
        const QRect placed(QPoint((width() - box.width()) / 2, (height() - kColourBarHeight - box.height()) / 2), box.size());
        p.fillRect(placed, QColor(0, 0, 0, 170));
        p.setPen(Qt::white);
        p.drawText(placed, Qt::AlignCenter | Qt::TextWordWrap, text);
    }
    if (!m_caption.isEmpty()) {
        const QRect box = p.fontMetrics().boundingRect(m_caption).adjusted(-6, -3, 6, 3);
        const QRect placed(QPoint(8, 8), box.size());
        p.fillRect(placed, QColor(0, 0, 0, 150));
        p.setPen(Qt::white);
        p.drawText(placed, Qt::AlignCenter, m_caption);
    }
}

void ImageView::paintSpotlight(QPainter &p, const QRectF &image, const QRectF &target)
{
    // The whole photo dimmed, then the part the model saw lit by its heat.
    // Only the visible part is composed: at 32x zoom the whole image would
    // be tens of thousands of pixels wide.
    const QRectF shown = image.intersected(QRectF(0, 0, width(), height()));
    if (shown.isEmpty())
        return;
    const double sx = m_image.width() / image.width(), sy = m_image.height() / image.height();
    auto sourceOf = [&](const QRectF &r) {
        return QRectF((r.left() - image.left()) * sx, (r.top() - image.top()) * sy, r.width() * sx, r.height() * sy);
    };
    p.drawImage(shown, m_dimmed, sourceOf(shown));
    const QRectF visible = shown.intersected(target);
    if (visible.isEmpty())
        return;
    const QSize layerSize(static_cast<int>(std::ceil(visible.width())), static_cast<int>(std::ceil(visible.height())));
    const QRectF source = sourceOf(QRectF(visible.topLeft(), QSizeF(layerSize)));
    const double gx = m_cols / target.width(), gy = m_rows / target.height();
    const QRectF sourceGrid((visible.left() - target.left()) * gx, (visible.top() - target.top()) * gy,
                            layerSize.width() * gx, layerSize.height() * gy);
    // Alpha per patch: 1 - opacity * (1 - heat); NaN patches are not dimmed.
    QImage mask(m_cols, m_rows, QImage::Format_ARGB32_Premultiplied);
    for (int r = 0; r < m_rows; ++r) {
        for (int c = 0; c < m_cols; ++c) {
            const float v = m_normalized[static_cast<size_t>(r * m_cols + c)];
            const double a = std::isnan(v) ? 1.0 : 1.0 - m_opacity * (1.0 - std::clamp(static_cast<double>(v), 0.0, 1.0));
            const int alpha = static_cast<int>(255.0 * a + 0.5);
            mask.setPixel(c, r, qRgba(alpha, alpha, alpha, alpha));
        }
    }
    QImage layer(layerSize, QImage::Format_ARGB32_Premultiplied);
    layer.fill(Qt::transparent);
    {
        QPainter lp(&layer);
        lp.setRenderHint(QPainter::SmoothPixmapTransform, true);
        lp.drawImage(QRectF(QPointF(0, 0), QSizeF(layerSize)), m_image, source);
        lp.setCompositionMode(QPainter::CompositionMode_DestinationIn);
        lp.setRenderHint(QPainter::SmoothPixmapTransform, m_smooth);
        lp.drawImage(QRectF(QPointF(0, 0), QSizeF(layerSize)), mask, sourceGrid);
    }
    p.drawImage(visible.topLeft(), layer);
}

void ImageView::paintColourBar(QPainter &p)
{
    const QRect bar = colourBarRect();
    if (bar.isEmpty())
        return;
    const QFontMetrics fm(font());
    const int labelWidth = std::max(fm.horizontalAdvance(m_barLow), fm.horizontalAdvance(m_barHigh)) + 8;
    const QRect strip(bar.left() + labelWidth, bar.top() + 2, std::max(20, bar.width() / 3), bar.height() - 4);
    QLinearGradient g(strip.topLeft(), strip.topRight());
    if (m_mode == OverlayMode::Spotlight && !m_diverging) {
        // From dimmed grey to the photo as it is (drawn as a light neutral).
        g.setColorAt(0.0, QColor(70, 70, 70));
        g.setColorAt(1.0, QColor(245, 245, 245));
    } else {
        const core::Colormap &map = core::Colormap::get(m_colormap);
        for (int k = 0; k <= 8; ++k) {
            const auto c = map.map(k / 8.0f);
            g.setColorAt(k / 8.0, QColor(c[0], c[1], c[2]));
        }
    }
    p.fillRect(strip, g);
    p.setPen(QColor(0, 0, 0, 90));
    p.drawRect(strip.adjusted(0, 0, -1, -1));
    p.setPen(palette().windowText().color());
    p.drawText(QRect(bar.left(), bar.top(), labelWidth - 4, bar.height()), Qt::AlignRight | Qt::AlignVCenter, m_barLow);
    p.drawText(QRect(strip.right() + 5, bar.top(), labelWidth, bar.height()), Qt::AlignLeft | Qt::AlignVCenter, m_barHigh);
    const QString what = m_diverging ? tr("A - B")
        : m_mode == OverlayMode::Spotlight ? tr("score: dimmed where low, the photo's own colours where high")
                                           : tr("score");
    const int textLeft = strip.right() + 5 + labelWidth + 6;
    p.drawText(QRect(textLeft, bar.top(), std::max(0, bar.right() - textLeft), bar.height()), Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(what, Qt::ElideRight, std::max(0, bar.right() - textLeft)));
}

void ImageView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragging || ((event->buttons() & Qt::LeftButton)
                       && (event->position() - m_pressAt).manhattanLength() > 4 && m_zoom > 1.0)) {
        m_dragging = true;
        m_pan = m_panAtPress + (event->position() - m_pressAt);
        update();
        return;
    }
    const int patch = patchAt(event->position());
    if (patch != m_hovered) {
        m_hovered = patch;
        update();
        emit patchHovered(patch);
    }
    if (patch >= 0 && patch < static_cast<int>(m_scores.size())) {
        QToolTip::showText(event->globalPosition().toPoint(),
                           tr("patch %1,%2: %3").arg(patch / m_cols).arg(patch % m_cols)
                               .arg(static_cast<double>(m_scores[static_cast<size_t>(patch)]), 0, 'g', 4),
                           this);
    }
}

void ImageView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_pressAt = event->position();
    m_panAtPress = m_pan;
    m_dragging = false;
}

void ImageView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    if (m_dragging) {
        m_dragging = false;
        return;
    }
    const int patch = patchAt(event->position());
    if (patch < 0)
        return;
    m_selected = patch == m_selected ? -1 : patch;
    update();
    emit patchClicked(m_selected);
}

void ImageView::mouseDoubleClickEvent(QMouseEvent *)
{
    resetZoom();
}

void ImageView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0)
        return;
    const double before = m_zoom;
    const double after = std::clamp(before * std::pow(1.25, steps), kMinZoom, kMaxZoom);
    // Keep the point under the cursor where it is.
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0);
    const QPointF cursor = event->position();
    m_pan = after == kMinZoom ? QPointF() : cursor - centre - (cursor - centre - m_pan) * (after / before);
    m_zoom = after;
    update();
}

void ImageView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(1.25); break;
    case Qt::Key_Minus: zoomBy(0.8); break;
    case Qt::Key_0: resetZoom(); break;
    default: QWidget::keyPressEvent(event);
    }
}

void ImageView::leaveEvent(QEvent *)
{
    if (m_hovered != -1) {
        m_hovered = -1;
        update();
        emit patchHovered(-1);
    }
}

namespace {

/// The row-major patches among the result's sinks.
QVector<int> sinkPatchesOf(const ExplainResult &r)
{
    QVector<int> patches;
    for (int index : r.explanation.sinkTokens) {
        if (index >= 0 && static_cast<size_t>(index) < r.layout.size() && r.layout[static_cast<size_t>(index)].patchIndex >= 0)
            patches << r.layout[static_cast<size_t>(index)].patchIndex;
    }
    return patches;
}

} // namespace

void ImageView::follow(Selection *selection)
{
    connect(this, &ImageView::patchClicked, selection, &Selection::selectPatch);
    connect(selection, &Selection::resultChanged, this, [this, selection] {
        setVisible(selection->result().readsImage); // a text model has no image to show
        setImage(selection->result().image);
        setInputRegion(selection->result().inputRegion);
    });
    connect(selection, &Selection::focusChanged, this, [this, selection] {
        QString caption;
        const std::vector<float> scores = selection->imageScores(&caption);
        const core::Explanation &e = selection->result().explanation;
        setScores(e.gridRows, e.gridCols, scores, caption);
        setSinkPatches(sinkPatchesOf(selection->result()), selection->result().sinksLeftOut);
        setSelectedPatch(selection->selectedPatch());
    });
}

} // namespace attnscope::ui
