#include "core/explain/faithfulnessareas.h"

#include <cmath>

namespace attnscope::core {

std::vector<FaithfulnessAreas> FaithfulnessAreas::of(const std::vector<FaithfulnessCurve> &curves, Modality modality)
{
    std::vector<FaithfulnessAreas> out;
    for (Method method : allMethods()) {
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

} // namespace attnscope::core
