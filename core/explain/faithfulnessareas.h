#pragma once

#include "core/explain/explanation.h"
#include "core/explain/perturbationtest.h"

#include <limits>
#include <vector>

namespace attnscope::core {

/// One perturbation curve of one method (see PerturbationTest).
struct FaithfulnessCurve
{
    Method method = Method::Relevance;
    PerturbationCurve curve;
};

/// A method's areas under its positive and negative curves for one modality.
/// A faithful method has a small positive and a large negative area: the gap
/// (negative - positive) ranks them. Used by the Faithfulness tab, the report
/// and `attnscope explain`.
struct FaithfulnessAreas
{
    Method method = Method::Relevance;
    float positive = std::numeric_limits<float>::quiet_NaN();
    float negative = std::numeric_limits<float>::quiet_NaN();
    float gap() const { return negative - positive; }

    /// One entry per method that has curves for `modality`, in method order.
    static std::vector<FaithfulnessAreas> of(const std::vector<FaithfulnessCurve> &curves, Modality modality);
    /// Index of the entry with the largest gap; -1 when none has both areas.
    static int mostFaithful(const std::vector<FaithfulnessAreas> &areas);
};

} // namespace attnscope::core
