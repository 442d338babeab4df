#include "core/engine/reducedgradient.h"

namespace attnscope::core {

ReducedGradient ReducedGradient::reduce(const torch::Tensor &attention, const torch::Tensor &gradient,
                                        int64_t decisionRow)
{
    const int64_t heads = attention.size(0);
    ReducedGradient r = zeros(attention, -1);
    for (int64_t h = 0; h < heads; ++h) {
        torch::Tensor product = gradient.select(0, h).to(torch::kFloat32) * attention.select(0, h);
        product.clamp_min_(0);
        r.headWeighted.add_(product);
        r.headSums.select(0, h).copy_(product.sum());
    }
    if (heads > 0)
        r.headWeighted.div_(static_cast<double>(heads));
    if (decisionRow >= 0)
        r.decisionRow = gradient.select(1, decisionRow).to(torch::kFloat32).clone(torch::MemoryFormat::Contiguous);
    return r;
}

ReducedGradient ReducedGradient::zeros(const torch::Tensor &attention, int64_t decisionRow)
{
    const auto options = attention.options().dtype(torch::kFloat32);
    ReducedGradient r;
    r.headWeighted = torch::zeros({attention.size(1), attention.size(2)}, options);
    r.headSums = torch::zeros({attention.size(0)}, options);
    if (decisionRow >= 0)
        r.decisionRow = torch::zeros({attention.size(0), attention.size(2)}, options);
    return r;
}

} // namespace attnscope::core
