#include "ui/views/tokenview.h"

#include "ui/state/selection.h"

#include <QLocale>
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

void TokenView::setTokens(const QStringList &tokens, const QVector<bool> &padding, const QVector<bool> &unknown,
                          const QStringList &words, const QVector<int> &wordOf)
{
    QVector<Word> groups;
    QVector<int> of(tokens.size(), -1);
    const bool grouped = !words.isEmpty() && wordOf.size() == tokens.size();
    if (grouped) {
        for (const QString &w : words)
            groups.push_back(Word{w, {}});
    }
    for (int i = 0; i < tokens.size(); ++i) {
        if (i < padding.size() && padding[i])
            continue;
        int w = grouped ? wordOf[i] : int(groups.size());
        if (w < 0 || w > groups.size())
            continue;
        if (w == groups.size())
            groups.push_back(Word{tokens[i], {}});
        groups[w].positions.push_back(i);
        of[i] = w;
    }
    groups.erase(std::remove_if(groups.begin(), groups.end(), [](const Word &w) { return w.positions.isEmpty(); }),
                 groups.end());
    // Word indices after the empty ones went: renumber from the positions.
    for (int w = 0; w < groups.size(); ++w) {
        for (int position : groups[w].positions)
            of[position] = w;
    }
    if (tokens == m_tokens && padding == m_padding && unknown == m_unknown && of == m_wordOf
        && groups.size() == m_words.size())
        return; // a new map or head of the same input: nothing to lay out
    m_tokens = tokens;
    m_padding = padding;
    m_unknown = unknown;
    m_words = groups;
    m_wordOf = of;
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
    for (int w = 0; w < m_words.size(); ++w) {
        const int chipWidth = m_textWidths.value(w) + 2 * kPadX;
        if (x > kMargin && x + chipWidth > width - kMargin) {
            x = kMargin;
            y += h + kGap;
        }
        chips << QRect(x, y, chipWidth, h);
        x += chipWidth + kGap;
    }
    return chips;
}

int TokenView::heightForWidth(int width) const
{
    const QVector<QRect> chips = layoutChips(width);
    int bottom = kMargin + QFontMetrics(font()).height() + 4;
    for (const QRect &r : chips)
        bottom = std::max(bottom, r.bottom() + 1);
    return bottom + kMargin;
}

QSize TokenView::sizeHint() const
{
    return {400, heightForWidth(400)};
}

QRect TokenView::chipRect(int index) const
{
    const int w = wordOf(index);
    return w >= 0 && w < m_chips.size() ? m_chips[w] : QRect();
}

int TokenView::tokenAt(const QPoint &position) const
{
    for (int w = 0; w < m_chips.size() && w < m_words.size(); ++w) {
        if (m_chips[w].contains(position))
            return m_words[w].positions.front();
    }
    return -1;
}

int TokenView::chipCount() const
{
    return m_words.size();
}

bool TokenView::wordUnknown(int word) const
{
    if (word < 0 || word >= m_words.size())
        return false;
    for (int position : m_words[word].positions) {
        if (m_unknown.value(position, false))
            return true;
    }
    return false;
}

bool TokenView::isUnknown(int index) const
{
    return wordUnknown(wordOf(index));
}

float TokenView::wordScore(int word) const
{
    if (word < 0 || word >= m_words.size())
        return std::nanf("");
    float sum = 0.0f;
    bool any = false;
    for (int position : m_words[word].positions) {
        if (position < static_cast<int>(m_scores.size()) && !std::isnan(m_scores[size_t(position)])) {
            sum += m_scores[size_t(position)];
            any = true;
        }
    }
    return any ? sum : std::nanf("");
}

float TokenView::chipScore(int index) const
{
    return wordScore(wordOf(index));
}

QString TokenView::wordText(int word) const
{
    if (word < 0 || word >= m_words.size())
        return {};
    return wordUnknown(word) ? m_words[word].text + QLatin1Char('?') : m_words[word].text;
}

QString TokenView::chipText(int index) const
{
    return wordText(wordOf(index));
}

QString TokenView::toolTipFor(int index) const
{
    const int w = wordOf(index);
    if (w < 0)
        return {};
    const Word &word = m_words[w];
    auto number = [](float x) { return QLocale().toString(static_cast<double>(x), 'g', 4); };
    QStringList pieces;
    QStringList unread;
    for (int position : word.positions) {
        const QString &token = m_tokens[position];
        if (m_unknown.value(position, false))
            unread << token;
        pieces << (position < static_cast<int>(m_scores.size()) ? tr("%1 %2").arg(token, number(m_scores[size_t(position)]))
                                                                : token);
    }
    QString tip;
    if (wordUnknown(w)) {
        tip = word.positions.size() == 1
                  ? tr("\"%1\" is not in this model's vocabulary: the model read it as its unknown token, "
                       "like every other word it does not know.").arg(word.text)
                  : tr("Part of \"%1\" is not in this model's vocabulary: the model read it as its unknown "
                       "token.").arg(word.text);
    } else if (!std::isnan(wordScore(w))) {
        tip = tr("%1: %2").arg(word.text, number(wordScore(w)));
    } else {
        tip = word.text;
    }
    if (word.positions.size() > 1)
        tip += QLatin1Char('\n') + tr("%1 pieces: %2").arg(word.positions.size()).arg(pieces.join(QStringLiteral(" + ")));
    return tip;
}

QColor TokenView::chipColour(int word) const
{
    if (wordUnknown(word))
        return QColor(225, 225, 225);
    const float s = wordScore(word);
    if (std::isnan(s))
        return palette().button().color();
    float top = 0.0f;
    for (int w = 0; w < m_words.size(); ++w) {
        const float x = wordScore(w);
        top = std::max(top, std::isnan(x) ? 0.0f : std::abs(x));
    }
    const float t = top > 0.0f ? std::clamp(s / top, 0.0f, 1.0f) : 0.0f;
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
    const int selectedWord = wordOf(m_selected);
    const int hoveredWord = wordOf(m_hovered);
    for (int w = 0; w < m_chips.size(); ++w) {
        const QRect &r = m_chips[w];
        if (!event->rect().intersects(r))
            continue; // outside the part being repainted
        const QColor fill = chipColour(w);
        const bool unknown = wordUnknown(w);
        p.setBrush(fill);
        const bool selected = w == selectedWord;
        QPen border = selected ? QPen(QColor(230, 40, 40), 2.5)
                               : QPen(w == hoveredWord ? palette().highlight().color() : QColor(0, 0, 0, unknown ? 160 : 60), 1);
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
            p.drawText(r, Qt::AlignCenter, wordText(w));
            p.setFont(font());
            continue;
        }
        p.setPen(fill.lightnessF() > 0.55 ? Qt::black : Qt::white);
        p.drawText(r, Qt::AlignCenter, m_words[w].text);
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
    for (int w = 0; w < m_words.size(); ++w)
        m_textWidths << (wordUnknown(w) ? fi.horizontalAdvance(wordText(w)) : fm.horizontalAdvance(m_words[w].text));
}

void TokenView::follow(Selection *selection)
{
    connect(this, &TokenView::tokenClicked, selection, &Selection::selectWord);
    connect(this, &TokenView::tokenHovered, selection, &Selection::hoverWord);
    connect(selection, &Selection::resultChanged, this, [this, selection] {
        const ExplainResult &r = selection->result();
        setVisible(r.readsText); // an image model has no words to show
        setTokens(r.tokens, r.padding, r.unknown, r.words, r.wordOf);
    });
    connect(selection, &Selection::focusChanged, this, [this, selection] {
        QString caption;
        const std::vector<float> scores = selection->wordScores(&caption);
        setScores(scores, caption);
        setSelected(selection->selectedWord());
    });
}

} // namespace attnscope::ui
