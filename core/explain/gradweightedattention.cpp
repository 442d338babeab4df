#include "core/explain/gradweightedattention.h"

namespace attnscope::core {

torch::Tensor GradWeightedAttention::compute(const torch::Tensor &attention, const torch::Tensor &gradientMeans)
{
    return (gradientMeans.to(attention.device()).view({-1, 1, 1}) * attention).mean(0).clamp_min(0);
}

} // namespace attnscope::core
