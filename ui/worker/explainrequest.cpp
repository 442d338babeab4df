#include "ui/worker/explainrequest.h"

#include <QObject>

#include <cmath>

namespace attnscope::ui {

QString AttentionMapInfo::title() const
{
    const QString kind = cross ? QStringLiteral("cross") : QStringLiteral("self");
    if (query == key)
        return QStringLiteral("layer %1 · %2 · %3").arg(layer).arg(kind, query);
    return QStringLiteral("layer %1 · %2 · %3→%4").arg(layer).arg(kind, query, key);
}

QStringList ExplainResult::notes() const
{
    QStringList out;
    for (const QString &note : {notice, unknownNote, chanceNote, sinkNote}) {
        if (!note.isEmpty())
            out << note;
    }
    out << limitNotes;
    if (!imageNote.isEmpty())
        out << imageNote;
    if (truncated && pair.isEmpty())
        out << QObject::tr("The text has %1 words, but the model reads at most %2 tokens: the last %3 words were left out.")
                   .arg(wordCount)
                   .arg(tokens.size())
                   .arg(droppedWords);
    else if (truncated) // cut longest first: from the end of the longer text, then of both
        out << QObject::tr("The two texts have %1 words, but the model reads at most %2 tokens: %3 words were left out, "
                           "from the end of the longer text first.")
                   .arg(wordCount)
                   .arg(tokens.size())
                   .arg(droppedWords);
    return out;
}

void ExplainResult::setText(const core::TokenizedText &text)
{
    tokens.clear();
    padding.clear();
    unknown.clear();
    words.clear();
    for (size_t i = 0; i < text.tokens.size(); ++i) {
        tokens << QString::fromStdString(text.tokens[i]);
        padding << (text.mask[i] == 0);
        unknown << (i < text.unknown.size() && text.unknown[i] != 0);
    }
    wordOf = QVector<int>(tokens.size(), -1);
    for (const core::TokenizedText::Word &w : text.words()) {
        for (int position : w.positions)
            wordOf[position] = static_cast<int>(words.size());
        words << QString::fromStdString(w.text);
    }
}

int ExplainResult::queryStreamOf(int map) const
{
    return map >= 0 && map < maps.size() ? static_cast<int>(streamNames.indexOf(maps[map].query)) : -1;
}

int ExplainResult::layoutIndexOf(int stream, int position) const
{
    for (size_t i = 0; i < layout.size(); ++i) {
        if (layout[i].stream == stream && layout[i].position == position)
            return static_cast<int>(i);
    }
    return -1;
}

int ExplainResult::layoutIndexOfText(int textIndex) const
{
    if (textIndex < 0)
        return -1;
    for (size_t i = 0; i < layout.size(); ++i) {
        if (layout[i].textIndex == textIndex)
            return static_cast<int>(i);
    }
    return -1;
}

int ExplainResult::layoutIndexOfPatch(int patchIndex) const
{
    if (patchIndex < 0)
        return -1;
    for (size_t i = 0; i < layout.size(); ++i) {
        if (layout[i].patchIndex == patchIndex)
            return static_cast<int>(i);
    }
    return -1;
}

} // namespace attnscope::ui
