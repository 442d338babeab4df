#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include <torch/script.h>

namespace attnscope::core {

/// What the gradient-based methods read from the gradient of the target
/// logit with respect to one attention map A (grad: dy/dA), reduced while the
/// backward pass produces it so that no full gradient outlives its layer:
///  - headWeighted = mean_h((grad * A)^+), [queries, keys] (generic relevance);
///  - headSums[h]  = sum over queries and keys of (grad * A)^+, [heads]
///    (head statistics' gradient weights);
///  - decisionRow  = grad at the decision token's query row, [heads, keys]
///    (gradient-weighted attention), or undefined when the decision token is
///    not among the map's queries.
struct ReducedGradient
{
    torch::Tensor headWeighted;
    torch::Tensor headSums;
    torch::Tensor decisionRow;

    /// attention, gradient: [heads, queries, keys] on one device; decisionRow
    /// < 0 for none. Works a head at a time: the only transient is one head's
    /// product, and the results hold no view of `gradient`.
    static ReducedGradient reduce(const torch::Tensor &attention, const torch::Tensor &gradient,
                                  int64_t decisionRow);
    /// For a map the target logit does not depend on.
    static ReducedGradient zeros(const torch::Tensor &attention, int64_t decisionRow);
};

} // namespace attnscope::core
