#include "ui/imageview.h"

#include "core/render/heatmap.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
constexpr double kMinZoom = 1.0;
constexpr double kMaxZoom = 32.0;
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
    if (m_scores.empty()) {
        m_heat = QImage();
        return;
    }
    std::vector<float> t = m_scores;
    if (m_diverging) {
        float top = 0.0f;
        for (float v : m_scores)
            top = std::isnan(v) ? top : std::max(top, std::abs(v));
        for (float &v : t)
            v = top > 0.0f ? 0.5f + 0.5f * v / top : 0.5f;
    } else {
        t = core::Heatmap::normalize(m_scores);
    }
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

QRectF ImageView::imageRect() const
{
    if (m_image.isNull())
        return {};
    const QSizeF fitted = QSizeF(m_image.size()).scaled(QSizeF(size()), Qt::KeepAspectRatio) * m_zoom;
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + m_pan;
    return QRectF(centre - QPointF(fitted.width() / 2.0, fitted.height() / 2.0), fitted);
}

int ImageView::patchAt(const QPointF &position) const
{
    const QRectF rect = imageRect();
    if (m_rows <= 0 || m_cols <= 0 || !rect.contains(position))
        return -1;
    const int c = std::clamp(static_cast<int>((position.x() - rect.left()) / rect.width() * m_cols), 0, m_cols - 1);
    const int r = std::clamp(static_cast<int>((position.y() - rect.top()) / rect.height() * m_rows), 0, m_rows - 1);
    return r * m_cols + c;
}

QPoint ImageView::patchCenter(int patch) const
{
    const QRectF rect = imageRect();
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
    const QRectF target = imageRect();
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(target, m_image);
    if (!m_heat.isNull()) {
        p.setOpacity(m_opacity);
        p.setRenderHint(QPainter::SmoothPixmapTransform, m_smooth);
        p.drawImage(target, m_heat);
        p.setOpacity(1.0);
    }
    if (m_cols > 0 && m_rows > 0) {
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
    }
    if (!m_caption.isEmpty()) {
        const QRect box = p.fontMetrics().boundingRect(m_caption).adjusted(-6, -3, 6, 3);
        const QRect placed(QPoint(8, 8), box.size());
        p.fillRect(placed, QColor(0, 0, 0, 150));
        p.setPen(Qt::white);
        p.drawText(placed, Qt::AlignCenter, m_caption);
    }
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

} // namespace attnscope::ui
