#include "ui/state/selection.h"

#include "core/explain/attentionlinks.h"

namespace attnscope::ui {

Selection::Selection(QObject *parent)
    : QObject(parent)
{
}

void Selection::showResult(const ExplainResult &result, std::optional<int> token)
{
    const bool sameInput = result.modelPath == m_result.modelPath && result.imagePath == m_result.imagePath
        && result.tokens == m_result.tokens && result.layout.size() == m_result.layout.size();
    m_result = result;
    m_map = result.attentionIndex;
    m_head = result.head;
    if (!sameInput) {
        m_token = -1;
        m_hover = -1;
    }
    if (token)
        m_token = inLayout(*token) ? *token : -1;
    emit resultChanged();
    emit focusChanged();
}

void Selection::reset(int target, int map, int head)
{
    m_target = target;
    m_map = map;
    m_head = head;
}

void Selection::setTarget(int label)
{
    m_target = label;
    emit explanationWanted();
}

void Selection::setMap(int index)
{
    m_map = index;
    if (index >= 0 && index < m_result.maps.size() && m_head >= m_result.maps[index].heads)
        m_head = -1;
    emit explanationWanted();
}

void Selection::setHead(int head)
{
    m_head = head;
    emit explanationWanted();
}

void Selection::setMapAndHead(int map, int head)
{
    m_map = map;
    m_head = head;
    emit explanationWanted();
}

void Selection::selectToken(int layoutIndex)
{
    m_token = layoutIndex;
    emit focusChanged();
}

void Selection::selectPatch(int patch)
{
    selectToken(patch < 0 ? -1 : m_result.layoutIndexOfPatch(patch));
}

void Selection::selectWord(int textIndex)
{
    selectToken(textIndex < 0 ? -1 : m_result.layoutIndexOfText(textIndex));
}

void Selection::hoverWord(int textIndex)
{
    const int layoutIndex = textIndex < 0 ? -1 : m_result.layoutIndexOfText(textIndex);
    if (layoutIndex == m_hover)
        return;
    m_hover = layoutIndex;
    emit focusChanged();
}

bool Selection::inLayout(int layoutIndex) const
{
    return layoutIndex >= 0 && layoutIndex < static_cast<int>(m_result.layout.size());
}

int Selection::selectedPatch() const
{
    return inLayout(m_token) ? m_result.layout[static_cast<size_t>(m_token)].patchIndex : -1;
}

int Selection::selectedWord() const
{
    return inLayout(m_token) ? m_result.layout[static_cast<size_t>(m_token)].textIndex : -1;
}

int Selection::focusedWord() const
{
    const int focus = m_hover >= 0 ? m_hover : m_token;
    return inLayout(focus) ? m_result.layout[static_cast<size_t>(focus)].textIndex : -1;
}

QString Selection::tokenLabel(int layoutIndex) const
{
    return inLayout(layoutIndex) ? QString::fromStdString(m_result.layout[static_cast<size_t>(layoutIndex)].label) : QString();
}

QString Selection::mapTitle() const
{
    const int map = m_result.attentionIndex;
    return map >= 0 && map < m_result.maps.size() ? m_result.maps[map].title() : QString();
}

QString Selection::headTitle() const
{
    return m_result.head < 0 ? tr("mean of heads") : tr("head %1").arg(m_result.head);
}

int Selection::teachingQuery() const
{
    const int stream = m_result.queryStreamOf(m_map >= 0 ? m_map : m_result.attentionIndex);
    if (stream >= 0 && inLayout(m_token) && m_result.layout[static_cast<size_t>(m_token)].stream == stream)
        return m_result.layout[static_cast<size_t>(m_token)].position;
    return 0;
}

const core::Explanation &Selection::linkMatrix(int layoutIndex, QString *what) const
{
    const core::Explanation &m = core::AttentionLinks::linkMatrix(m_result.explanation, m_result.attention, layoutIndex);
    *what = &m == &m_result.explanation ? QString::fromLatin1(core::methodName(m.method))
                                        : tr("attention (%1, %2)").arg(mapTitle(), headTitle());
    return m;
}

std::vector<float> Selection::imageScores(QString *caption) const
{
    const core::Explanation &e = m_result.explanation;
    const int focus = m_hover >= 0 ? m_hover : (selectedPatch() < 0 ? m_token : -1);
    if (focus >= 0 && e.gridRows > 0) {
        QString what;
        auto scores = core::AttentionLinks::rowOverPatches(linkMatrix(focus, &what), m_result.layout, focus);
        if (!scores.empty()) {
            *caption = tr("\"%1\" over the image: %2").arg(tokenLabel(focus), what);
            return scores;
        }
    }
    *caption = e.hasPatchScores() ? QString::fromStdString(e.summary)
                                  : tr("%1 reaches no image patch").arg(QString::fromStdString(e.summary));
    return e.patchScores;
}

std::vector<float> Selection::wordScores(QString *caption) const
{
    const core::Explanation &e = m_result.explanation;
    if (selectedPatch() >= 0) {
        QString what;
        auto scores = core::AttentionLinks::patchOverText(linkMatrix(m_token, &what), m_result.layout, m_token);
        if (!scores.empty()) {
            *caption = tr("Each word and %1: %2").arg(tokenLabel(m_token), what);
            return scores;
        }
    }
    *caption = tr("Words: %1").arg(QString::fromStdString(e.summary));
    return e.tokenScores;
}

} // namespace attnscope::ui
