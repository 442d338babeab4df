#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/explain/explanation.h"

#include <torch/script.h>

namespace attnscope::core {

/// Raw attention of one map: one head, or the heads' mean, max or min.
class RawAttention
{
public:
    /// attention: [heads, queries, keys]; head -1 reduces. Returns [queries, keys].
    static torch::Tensor reduce(const torch::Tensor &attention, int head, HeadReduction reduction);
};

} // namespace attnscope::core
