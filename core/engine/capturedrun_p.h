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

    torch::Tensor logits;                   ///< [1, labels], in the autograd graph when `graph`
    std::vector<torch::Tensor> attentions;  ///< [1, heads, q, k], in the graph when `graph`
    bool graph = false;                     ///< the forward pass recorded the autograd graph
    std::vector<torch::Tensor> maps;        ///< the same, detached, float, [heads, q, k]
    std::map<int, std::vector<torch::Tensor>> gradients; ///< per target: [heads, q, k]
    std::map<std::string, torch::Tensor> extras;  ///< the model's extra outputs, detached, batch item 0

    /// Runs the model on `input` and keeps its outputs; with `recordGraph`,
    /// the autograd graph too (the memory of every layer's activations).
    void forward(bool recordGraph);
    /// d(logit[target]) / d(attention map), computed once per target. Maps
    /// that do not reach the logit get zeros. A run made without the graph
    /// runs the model again first, with it. Throws Error when the model's
    /// attention maps are not differentiable.
    const std::vector<torch::Tensor> &gradientsFor(int target);
};

} // namespace attnscope::core
