#include "ui/explainrequest.h"

#include <cmath>

namespace attnscope::ui {

QString AttentionMapInfo::title() const
{
    const QString kind = cross ? QStringLiteral("cross") : QStringLiteral("self");
    if (query == key)
        return QStringLiteral("layer %1 · %2 · %3").arg(layer).arg(kind, query);
    return QStringLiteral("layer %1 · %2 · %3→%4").arg(layer).arg(kind, query, key);
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

std::vector<FaithfulnessAreas> FaithfulnessAreas::of(const std::vector<FaithfulnessCurve> &curves, core::Modality modality)
{
    std::vector<FaithfulnessAreas> out;
    for (core::Method method : core::allMethods()) {
        FaithfulnessAreas a;
        a.method = method;
        bool any = false;
        for (const FaithfulnessCurve &c : curves) {
            if (c.method != method || c.curve.modality != modality)
                continue;
            (c.curve.positive ? a.positive : a.negative) = c.curve.auc;
            any = true;
        }
        if (any)
            out.push_back(a);
    }
    return out;
}

int FaithfulnessAreas::mostFaithful(const std::vector<FaithfulnessAreas> &areas)
{
    int best = -1;
    for (size_t i = 0; i < areas.size(); ++i) {
        const float gap = areas[i].gap();
        if (!std::isnan(gap) && (best < 0 || gap > areas[static_cast<size_t>(best)].gap()))
            best = static_cast<int>(i);
    }
    return best;
}

} // namespace attnscope::ui
