#include "ui/views/tokenview.h"

#include "ui/state/selection.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {
constexpr int kMargin = 6;
constexpr int kGap = 6;
constexpr int kPadX = 8;
constexpr int kPadY = 4;
}

TokenView::TokenView(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void TokenView::setTokens(const QStringList &tokens, const QVector<bool> &padding, const QVector<bool> &unknown)
{
    if (tokens == m_tokens && padding == m_padding && unknown == m_unknown)
        return; // a new map or head of the same input: nothing to lay out
    m_tokens = tokens;
    m_padding = padding;
    m_unknown = unknown;
    if (m_selected >= tokens.size())
        m_selected = -1;
    measure();
    m_chips = layoutChips(width());
    updateGeometry();
    update();
}

void TokenView::setScores(const std::vector<float> &scores, const QString &caption)
{
    m_scores = scores;
    m_caption = caption;
    update();
}

void TokenView::setColormap(core::ColormapKind kind)
{
    m_colormap = kind;
    update();
}

void TokenView::setSelected(int index)
{
    m_selected = index;
    update();
}

QVector<QRect> TokenView::layoutChips(int width) const
{
    QVector<QRect> chips;
    const QFontMetrics fm(font());
    const int h = fm.height() + 2 * kPadY;
    int x = kMargin;
    int y = kMargin + fm.height() + 4; // below the caption line
    for (int i = 0; i < m_tokens.size(); ++i) {
        if (i < m_padding.size() && m_padding[i]) {
            chips << QRect();
            continue;
        }
        const int w = m_textWidths.value(i) + 2 * kPadX;
        if (x > kMargin && x + w > width - kMargin) {
            x = kMargin;
            y += h + kGap;
        }
        chips << QRect(x, y, w, h);
        x += w + kGap;
    }
    return chips;
}

int TokenView::heightForWidth(int width) const
{
    const QVector<QRect> chips = layoutChips(width);
    int bottom = kMargin + QFontMetrics(font()).height() + 4;
    for (const QRect &r : chips) {
        if (!r.isNull())
            bottom = std::max(bottom, r.bottom() + 1);
    }
    return bottom + kMargin;
}

QSize TokenView::sizeHint() const
{
    return {400, heightForWidth(400)};
}

QRect TokenView::chipRect(int index) const
{
    return index >= 0 && index < m_chips.size() ? m_chips[index] : QRect();
}

int TokenView::tokenAt(const QPoint &position) const
{
    for (int i = 0; i < m_chips.size(); ++i) {
        if (!m_chips[i].isNull() && m_chips[i].contains(position))
            return i;
    }
    return -1;
}

QString TokenView::chipText(int index) const
{
    if (index < 0 || index >= m_tokens.size())
        return {};
    return isUnknown(index) ? m_tokens[index] + QLatin1Char('?') : m_tokens[index];
}

QString TokenView::toolTipFor(int index) const
{
    if (index < 0 || index >= m_tokens.size())
        return {};
    if (isUnknown(index))
        return tr("\"%1\" is not in this model's vocabulary: the model read it as its unknown token, "
                  "like every other word it does not know.").arg(m_tokens[index]);
    if (index < static_cast<int>(m_scores.size()))
        return QStringLiteral("%1: %2").arg(m_tokens[index]).arg(static_cast<double>(m_scores[static_cast<size_t>(index)]), 0, 'g', 4);
    return m_tokens[index];
}

QColor TokenView::chipColour(int index) const
{
    if (isUnknown(index))
        return QColor(225, 225, 225);
    if (index >= static_cast<int>(m_scores.size()))
        return palette().button().color();
    float top = 0.0f;
    for (float s : m_scores)
        top = std::max(top, std::isnan(s) ? 0.0f : std::abs(s));
    const float s = m_scores[static_cast<size_t>(index)];
    const float t = top > 0.0f && !std::isnan(s) ? std::clamp(s / top, 0.0f, 1.0f) : 0.0f;
    const auto rgb = core::Colormap::get(m_colormap).map(t);
    return QColor(rgb[0], rgb[1], rgb[2]);
}

void TokenView::paintEvent(QPaintEvent *event)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(palette().windowText().color());
    p.drawText(QRect(kMargin, kMargin, width() - 2 * kMargin, QFontMetrics(font()).height()),
               Qt::AlignLeft | Qt::AlignVCenter, m_caption);
    for (int i = 0; i < m_chips.size(); ++i) {
        const QRect &r = m_chips[i];
        if (r.isNull() || !event->rect().intersects(r))
            continue; // padding, or outside the part being repainted
        const QColor fill = chipColour(i);
        const bool unknown = isUnknown(i);
        p.setBrush(fill);
        const bool selected = i == m_selected;
        QPen border = selected ? QPen(QColor(230, 40, 40), 2.5)
                               : QPen(i == m_hovered ? palette().highlight().color() : QColor(0, 0, 0, unknown ? 160 : 60), 1);
        if (unknown && !selected)
            border.setStyle(Qt::DashLine);
        p.setPen(border);
        const QRectF chip = QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5);
        p.drawRoundedRect(chip, 5, 5);
        if (unknown) {
            p.setPen(Qt::NoPen);
            p.setBrush(QBrush(QColor(150, 150, 150), Qt::BDiagPattern));
            p.drawRoundedRect(chip, 5, 5);
            QFont italic = font();
            italic.setItalic(true);
            p.setFont(italic);
            p.setPen(QColor(70, 70, 70));
            p.drawText(r, Qt::AlignCenter, chipText(i));
            p.setFont(font());
            continue;
        }
        p.setPen(fill.lightnessF() > 0.55 ? Qt::black : Qt::white);
        p.drawText(r, Qt::AlignCenter, m_tokens[i]);
    }
}

void TokenView::mouseMoveEvent(QMouseEvent *event)
{
    const int index = tokenAt(event->position().toPoint());
    if (index != m_hovered) {
        m_hovered = index;
        update();
        emit tokenHovered(index);
    }
    if (index >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), toolTipFor(index), this);
}

void TokenView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    const int index = tokenAt(event->position().toPoint());
    if (index < 0)
        return;
    m_selected = index == m_selected ? -1 : index;
    update();
    emit tokenClicked(m_selected);
}

void TokenView::leaveEvent(QEvent *)
{
    if (m_hovered != -1) {
        m_hovered = -1;
        update();
        emit tokenHovered(-1);
    }
}

void TokenView::resizeEvent(QResizeEvent *)
{
    m_chips = layoutChips(width());
}

void TokenView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange) {
        measure();
        m_chips = layoutChips(width());
        updateGeometry();
    }
    QWidget::changeEvent(event);
}

void TokenView::measure()
{
    const QFontMetrics fm(font());
    m_textWidths.clear();
    m_textWidths.reserve(m_tokens.size());
    QFont italic = font();
    italic.setItalic(true);
    const QFontMetrics fi(italic);
    for (int i = 0; i < m_tokens.size(); ++i)
        m_textWidths << (isUnknown(i) ? fi.horizontalAdvance(chipText(i)) : fm.horizontalAdvance(m_tokens[i]));
}

void TokenView::follow(Selection *selection)
{
    connect(this, &TokenView::tokenClicked, selection, &Selection::selectWord);
    connect(this, &TokenView::tokenHovered, selection, &Selection::hoverWord);
    connect(selection, &Selection::resultChanged, this, [this, selection] {
        const ExplainResult &r = selection->result();
        setVisible(r.readsText); // an image model has no words to show
        setTokens(r.tokens, r.padding, r.unknown);
    });
    connect(selection, &Selection::focusChanged, this, [this, selection] {
        QString caption;
        const std::vector<float> scores = selection->wordScores(&caption);
        setScores(scores, caption);
        setSelected(selection->selectedWord());
    });
}

} // namespace attnscope::ui
