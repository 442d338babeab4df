#include "core/explain/attentionrollout.h"

namespace attnscope::core {

torch::Tensor AttentionRollout::fuse(const torch::Tensor &map, HeadReduction fusion, double discardRatio, int64_t keep)
{
    torch::Tensor fused;
    switch (fusion) {
    case HeadReduction::Mean: fused = map.mean(0); break;
    case HeadReduction::Max: fused = std::get<0>(map.max(0)); break;
    case HeadReduction::Min: fused = std::get<0>(map.min(0)); break;
    }
    const int64_t drop = static_cast<int64_t>(static_cast<double>(fused.numel()) * discardRatio);
    if (drop <= 0)
        return fused;
    fused = fused.contiguous().clone();
    torch::Tensor flat = fused.view({-1});
    torch::Tensor lowest = std::get<1>(flat.topk(drop, -1, /*largest=*/false));
    if (keep >= 0)
        lowest = lowest.index({lowest != keep});
    flat.index_fill_(0, lowest, 0.0);
    return fused;
}

StreamMatrices AttentionRollout::propagate(const std::vector<int64_t> &streamLengths,
                                           const std::vector<AttentionSpec> &specs,
                                           const std::vector<torch::Tensor> &maps, const Options &options)
{
    const int startLayer = options.startLayer;
    auto keepOf = [&](const AttentionSpec &spec) -> int64_t {
        const size_t s = static_cast<size_t>(spec.queryStream);
        if (spec.kind != AttentionKind::Self || s >= options.decisionIndex.size() || options.decisionIndex[s] < 0)
            return -1;
        const int64_t d = options.decisionIndex[s];
        return d * streamLengths[s] + d;
    };
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
            torch::Tensor fused = fuse(maps[i], options.fusion, options.discardRatio, keepOf(spec));
            const size_t stream = static_cast<size_t>(spec.queryStream);
            if (stream < options.sinks.size() && !options.sinks[stream].empty()) {
                fused = fused.clone();
                fused.index_fill_(1, torch::tensor(options.sinks[stream], torch::kInt64).to(fused.device()), 0.0);
                const torch::Tensor sums = fused.sum(-1, true);
                fused = torch::where(sums > 0, fused / sums.clamp_min(1e-30), fused);
            }
            torch::Tensor a = 0.5 * fused + 0.5 * torch::eye(fused.size(0), fused.options());
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
            const torch::Tensor a = fuse(maps[j], options.fusion, options.discardRatio, -1);
            for (size_t t = 0; t < streams; ++t)
                r.at(s, t) = 0.5 * before.at(s, t) + 0.5 * torch::matmul(a, before.at(q, t));
        }
        i = end;
    }
    return r;
}

} // namespace attnscope::core
