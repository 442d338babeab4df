#include "ui/explainrequest.h"

namespace attnscope::ui {

QString AttentionMapInfo::title() const
{
    const QString kind = cross ? QStringLiteral("cross") : QStringLiteral("self");
    if (query == key)
        return QStringLiteral("layer %1 · %2 · %3").arg(layer + 1).arg(kind, query);
    return QStringLiteral("layer %1 · %2 · %3→%4").arg(layer + 1).arg(kind, query, key);
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
