#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/bundle/manifest.h"
#include "core/explain/streammatrices.h"

#include <torch/script.h>

#include <vector>

namespace attnscope::core {

/// Generic attention-model explainability (Chefer, Gur & Wolf, ICCV 2021).
///
/// Each map is reduced to A_bar = mean_h((dy/dA * A)^+) for the target logit
/// y (ReducedGradient::headWeighted, made during the backward pass). Relevance starts as R[s][s] = I, R[s][q] = 0 and is updated map by map:
///  - self-attention in stream s, for every stream q: R[s][q] += A_bar * R[s][q];
///  - cross-attention, s attends to q:
///      R[s][q] += norm(R[s][s])^T * A_bar * norm(R[q][q]),
///      R[s][s] += A_bar * R[q][s],
///    where norm(R) = (R - I) with rows scaled to sum 1, plus I (the paper's
///    eqs. 8-9); cross-attention maps of one layer read the matrices as they
///    were before that layer's cross-attention.
class GenericRelevance
{
public:
    /// (R - I) with every row scaled to sum 1, plus I. Rows of R - I that sum
    /// to zero are left unscaled (for a stream no layer has touched, R - I is 0).
    static torch::Tensor normalizeResidual(const torch::Tensor &relevance);

    /// headWeighted: A_bar of every map, [queries, keys], in `specs` order.
    static StreamMatrices propagate(const std::vector<int64_t> &streamLengths,
                                    const std::vector<AttentionSpec> &specs,
                                    const std::vector<torch::Tensor> &headWeighted);
};

} // namespace attnscope::core
