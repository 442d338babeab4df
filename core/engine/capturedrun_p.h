#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/engine/capturedrun.h"

#include <torch/script.h>

#include <map>
#include <memory>
#include <vector>

namespace attnscope::core {

struct CapturedRun::Impl
{
    std::shared_ptr<ModelBundle> bundle;
    ModelInput input;
    Prediction prediction;
    double forwardMs = 0.0;

    torch::Tensor logits;                   ///< [1, labels], in the autograd graph
    std::vector<torch::Tensor> attentions;  ///< [1, heads, q, k], in the graph
    std::vector<torch::Tensor> maps;        ///< the same, detached, float, [heads, q, k]
    std::map<int, std::vector<torch::Tensor>> gradients; ///< per target: [heads, q, k]
    std::map<std::string, torch::Tensor> extras;  ///< the model's extra outputs, detached, batch item 0

    /// d(logit[target]) / d(attention map), computed once per target. Maps
    /// that do not reach the logit get zeros. Throws Error when the model's
    /// attention maps are not differentiable.
    const std::vector<torch::Tensor> &gradientsFor(int target);
};

} // namespace attnscope::core
