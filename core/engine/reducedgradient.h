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
///  - gradientMeans[h] = mean of grad over the map's real queries and keys,
///    [heads] (Grad-CAM's head weights, as in Chefer et al.'s published code,
///    which averages the gradient over the whole map of an unpadded input).
struct ReducedGradient
{
    torch::Tensor headWeighted;
    torch::Tensor headSums;
    torch::Tensor gradientMeans;

    /// attention, gradient: [heads, queries, keys] on one device;
    /// validQueries [queries], validKeys [keys]: 1 for a real token, 0 for
    /// padding (undefined: all real). Works a head at a time: the only
    /// transient is one head's product, and the results hold no view of
    /// `gradient`.
    static ReducedGradient reduce(const torch::Tensor &attention, const torch::Tensor &gradient,
                                  const torch::Tensor &validQueries = {}, const torch::Tensor &validKeys = {});
    /// For a map the target logit does not depend on.
    static ReducedGradient zeros(const torch::Tensor &attention);
};

} // namespace attnscope::core
