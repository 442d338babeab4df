#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include <torch/script.h>

namespace attnscope::core {

/// The Grad-CAM baseline for attention, as Chefer et al. (2021) publish it:
/// each head of a map is weighted by the mean gradient of the target logit
/// over the whole map (its real queries and keys), and the weighted heads
/// are averaged and clamped at zero: relu(mean_h(alpha_h * A_h)).
class GradWeightedAttention
{
public:
    /// attention: [heads, queries, keys]; gradientMeans: alpha, [heads].
    /// Returns [queries, keys].
    static torch::Tensor compute(const torch::Tensor &attention, const torch::Tensor &gradientMeans);
};

} // namespace attnscope::core
