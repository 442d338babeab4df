#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/bundle/manifest.h"
#include "core/explain/streammatrices.h"

#include <torch/script.h>

#include <vector>

namespace attnscope::core {

/// Attention rollout (Abnar & Zuidema, 2020). Each self-attention map is
/// averaged over heads, mixed with the residual as 0.5*A + 0.5*I, its rows
/// renormalised, and the maps are multiplied through the layers:
/// R <- A_hat * R, starting from I at `startLayer`.
///
/// For models with several streams the same residual reading extends to
/// cross-attention: a stream s that attends to stream q keeps half of itself
/// and takes half from q, so R[s][*] <- 0.5*R[s][*] + 0.5*mean_h(A)*R[q][*].
/// Cross-attention maps of one layer read the matrices as they were before
/// that layer's cross-attention (as in co-attention, both directions at once).
class AttentionRollout
{
public:
    /// `maps[i]` is [heads, queries, keys] for `specs[i]`.
    static StreamMatrices propagate(const std::vector<int64_t> &streamLengths,
                                    const std::vector<AttentionSpec> &specs,
                                    const std::vector<torch::Tensor> &maps, int startLayer);
};

} // namespace attnscope::core
