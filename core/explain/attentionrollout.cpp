#include "core/explain/attentionrollout.h"

namespace attnscope::core {

StreamMatrices AttentionRollout::propagate(const std::vector<int64_t> &streamLengths,
                                           const std::vector<AttentionSpec> &specs,
                                           const std::vector<torch::Tensor> &maps, int startLayer)
{
    const torch::Device device = maps.empty() ? torch::Device(torch::kCPU) : maps.front().device();
    StreamMatrices r(streamLengths, device);
    const size_t streams = streamLengths.size();
    size_t i = 0;
    while (i < specs.size()) {
        const AttentionSpec &spec = specs[i];
        if (spec.layer < startLayer) {
            ++i;
            continue;
        }
        if (spec.kind == AttentionKind::Self) {
            const torch::Tensor mean = maps[i].mean(0);
            torch::Tensor a = 0.5 * mean + 0.5 * torch::eye(mean.size(0), mean.options());
            a = a / a.sum(-1, true);
            const size_t s = static_cast<size_t>(spec.queryStream);
            for (size_t q = 0; q < streams; ++q)
                r.at(s, q) = torch::matmul(a, r.at(s, q));
            ++i;
            continue;
        }
        // A group of cross-attention maps of one layer, all reading the
        // matrices as they were before the group.
        size_t end = i;
        while (end < specs.size() && specs[end].kind == AttentionKind::Cross
               && specs[end].layer == spec.layer)
            ++end;
        const StreamMatrices before = r;
        for (size_t j = i; j < end; ++j) {
            const size_t s = static_cast<size_t>(specs[j].queryStream);
            const size_t q = static_cast<size_t>(specs[j].keyStream);
            const torch::Tensor a = maps[j].mean(0);
            for (size_t t = 0; t < streams; ++t)
                r.at(s, t) = 0.5 * before.at(s, t) + 0.5 * torch::matmul(a, before.at(q, t));
        }
        i = end;
    }
    return r;
}

} // namespace attnscope::core
