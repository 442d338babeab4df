#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include <torch/script.h>

namespace attnscope::core {

/// The Grad-CAM baseline for attention (as in Chefer et al. 2021): each head
/// of a map is weighted by the mean gradient of the target logit over the
/// decision token's row (valid keys only), and the weighted heads are
/// averaged and clamped at zero: relu(mean_h(alpha_h * A_h)).
class GradWeightedAttention
{
public:
    /// attention: [heads, queries, keys]; decisionGradient: the gradient at
    /// the decision token's row, [heads, keys]; validKeys: [keys] bool.
    /// Returns [queries, keys].
    static torch::Tensor compute(const torch::Tensor &attention, const torch::Tensor &decisionGradient,
                                 const torch::Tensor &validKeys);
};

} // namespace attnscope::core
