#include "core/explain/rawattention.h"

#include "core/error.h"

namespace attnscope::core {

torch::Tensor RawAttention::reduce(const torch::Tensor &attention, int head, HeadReduction reduction)
{
    if (head >= 0) {
        if (head >= attention.size(0))
            throw Error("head " + std::to_string(head) + " does not exist (this map has "
                        + std::to_string(attention.size(0)) + " heads)");
        return attention.select(0, head);
    }
    switch (reduction) {
    case HeadReduction::Mean: return attention.mean(0);
    case HeadReduction::Max: return std::get<0>(attention.max(0));
    case HeadReduction::Min: return std::get<0>(attention.min(0));
    }
    return attention.mean(0);
}

} // namespace attnscope::core
