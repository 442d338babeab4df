#include "core/explain/gradweightedattention.h"

namespace attnscope::core {

torch::Tensor GradWeightedAttention::compute(const torch::Tensor &attention, const torch::Tensor &decisionGradient,
                                             const torch::Tensor &validKeys)
{
    const torch::Tensor valid = validKeys.to(attention.device(), torch::kFloat32);
    const double count = std::max(1.0, valid.sum().item<double>());
    // alpha_h: mean gradient over the decision token's row, valid keys only.
    const torch::Tensor alpha = (decisionGradient * valid).sum(-1) / count; // [heads]
    return (alpha.view({-1, 1, 1}) * attention).mean(0).clamp_min(0);
}

} // namespace attnscope::core
