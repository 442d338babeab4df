#include "core/engine/reducedgradient.h"

#include <algorithm>

namespace attnscope::core {

ReducedGradient ReducedGradient::reduce(const torch::Tensor &attention, const torch::Tensor &gradient,
                                        const torch::Tensor &validQueries, const torch::Tensor &validKeys)
{
    const int64_t heads = attention.size(0);
    const auto options = attention.options().dtype(torch::kFloat32);
    const torch::Tensor queries = validQueries.defined() ? validQueries.to(options) : torch::ones({attention.size(1)}, options);
    const torch::Tensor keys = validKeys.defined() ? validKeys.to(options) : torch::ones({attention.size(2)}, options);
    const double cells = std::max(1.0, queries.sum().item<double>() * keys.sum().item<double>());
    ReducedGradient r = zeros(attention);
    for (int64_t h = 0; h < heads; ++h) {
        const torch::Tensor g = gradient.select(0, h).to(torch::kFloat32);
        // sum over real cells = q^T G k, with no mask-sized temporary.
        r.gradientMeans.select(0, h).copy_(torch::dot(torch::mv(g, keys), queries) / cells);
        torch::Tensor product = g * attention.select(0, h);
        product.clamp_min_(0);
        r.headWeighted.add_(product);
        r.headSums.select(0, h).copy_(product.sum());
    }
    if (heads > 0)
        r.headWeighted.div_(static_cast<double>(heads));
    return r;
}

ReducedGradient ReducedGradient::zeros(const torch::Tensor &attention)
{
    const auto options = attention.options().dtype(torch::kFloat32);
    ReducedGradient r;
    r.headWeighted = torch::zeros({attention.size(1), attention.size(2)}, options);
    r.headSums = torch::zeros({attention.size(0)}, options);
    r.gradientMeans = torch::zeros({attention.size(0)}, options);
    return r;
}

} // namespace attnscope::core
