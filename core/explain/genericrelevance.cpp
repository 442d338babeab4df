#include "core/explain/genericrelevance.h"

namespace attnscope::core {

torch::Tensor GenericRelevance::normalizeResidual(const torch::Tensor &relevance)
{
    const torch::Tensor eye = torch::eye(relevance.size(0), relevance.options());
    const torch::Tensor residual = relevance - eye;
    const torch::Tensor sums = residual.sum(-1, true);
    const torch::Tensor safe = torch::where(sums == 0, torch::ones_like(sums), sums);
    return residual / safe + eye;
}

StreamMatrices GenericRelevance::propagate(const std::vector<int64_t> &streamLengths,
                                           const std::vector<AttentionSpec> &specs,
                                           const std::vector<torch::Tensor> &headWeighted)
{
    const torch::Device device = headWeighted.empty() ? torch::Device(torch::kCPU) : headWeighted.front().device();
    StreamMatrices r(streamLengths, device);
    const size_t streams = streamLengths.size();
    size_t i = 0;
    while (i < specs.size()) {
        const AttentionSpec &spec = specs[i];
        if (spec.kind == AttentionKind::Self) {
            const torch::Tensor &a = headWeighted[i];
            const size_t s = static_cast<size_t>(spec.queryStream);
            for (size_t q = 0; q < streams; ++q)
                r.at(s, q) = r.at(s, q) + torch::matmul(a, r.at(s, q));
            ++i;
            continue;
        }
        size_t end = i;
        while (end < specs.size() && specs[end].kind == AttentionKind::Cross
               && specs[end].layer == spec.layer)
            ++end;
        const StreamMatrices before = r;
        for (size_t j = i; j < end; ++j) {
            const size_t s = static_cast<size_t>(specs[j].queryStream);
            const size_t q = static_cast<size_t>(specs[j].keyStream);
            const torch::Tensor &a = headWeighted[j];
            const torch::Tensor rss = normalizeResidual(before.at(s, s));
            const torch::Tensor rqq = normalizeResidual(before.at(q, q));
            r.at(s, q) = r.at(s, q) + torch::matmul(rss.t(), torch::matmul(a, rqq));
            r.at(s, s) = r.at(s, s) + torch::matmul(a, before.at(q, s));
        }
        i = end;
    }
    return r;
}

} // namespace attnscope::core
