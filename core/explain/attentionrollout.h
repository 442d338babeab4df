#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/bundle/manifest.h"
#include "core/explain/explanation.h"
#include "core/explain/streammatrices.h"

#include <torch/script.h>

#include <vector>

namespace attnscope::core {

/// Attention rollout (Abnar & Zuidema, 2020). Each self-attention map's
/// heads are fused (mean, or as vit-explain offers, max or min), the lowest
/// `discardRatio` of the fused map's entries are set to zero (never the
/// decision token's attention to itself, as vit-explain keeps [CLS]->[CLS]),
/// the map is mixed with the residual as 0.5*A + 0.5*I, its rows
/// renormalised, and the maps are multiplied through the layers:
/// R <- A_hat * R, starting from I at `startLayer`. Attention sinks may be
/// left out of each map first (Options::sinks).
///
/// vit-explain divides by `a.sum(dim=-1)` without keepdim, which scales
/// columns rather than rows; for mean fusion without discarding the rows
/// already sum to one and both agree. This follows the paper (rows).
///
/// For models with several streams the same residual reading extends to
/// cross-attention: a stream s that attends to stream q keeps half of itself
/// and takes half from q, so R[s][*] <- 0.5*R[s][*] + 0.5*mean_h(A)*R[q][*].
/// Cross-attention maps of one layer read the matrices as they were before
/// that layer's cross-attention (as in co-attention, both directions at once).
class AttentionRollout
{
public:
    struct Options
    {
        int startLayer = 0;
        HeadReduction fusion = HeadReduction::Mean;
        double discardRatio = 0.0;            ///< in [0, 1)
        std::vector<int64_t> decisionIndex;   ///< per stream: its decision token, or -1
        /// Per stream: tokens (attention sinks) whose received attention is
        /// left out of that stream's self-attention maps before the residual
        /// is added: their columns zeroed, each row renormalised over the
        /// other keys (a row that gave them everything keeps only the residual).
        std::vector<std::vector<int64_t>> sinks;
    };

    /// `maps[i]` is [heads, queries, keys] for `specs[i]`.
    static StreamMatrices propagate(const std::vector<int64_t> &streamLengths,
                                    const std::vector<AttentionSpec> &specs,
                                    const std::vector<torch::Tensor> &maps, const Options &options);
    /// One map's heads fused and its lowest entries discarded: [queries, keys].
    /// `keep` is a flat index never discarded, or -1.
    static torch::Tensor fuse(const torch::Tensor &map, HeadReduction fusion, double discardRatio, int64_t keep);
};

} // namespace attnscope::core
