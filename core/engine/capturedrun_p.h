#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/engine/capturedrun.h"
#include "core/engine/reducedgradient.h"
#include "core/explain/attentionsinks.h"

#include <torch/script.h>

#include <map>
#include <memory>
#include <optional>
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
    bool graph = false;                     ///< holds an autograd graph no backward pass has used
    std::vector<torch::Tensor> gradientLeaves; ///< with the graph: what a backward pass asks for
    std::vector<torch::Tensor> maps;        ///< the same, detached, float, [heads, q, k]
    std::map<int, std::vector<ReducedGradient>> gradients; ///< per target, per map
    /// AttentionSinks::find's answer: the maps do not change during a run.
    std::optional<std::vector<AttentionSink>> sinks;
    std::map<std::string, torch::Tensor> extras;  ///< the model's extra outputs, detached, batch item 0

    /// Runs the model on `input` and keeps its outputs; with `recordGraph`,
    /// the autograd graph too (the memory of every layer's activations).
    void forward(bool recordGraph);
    /// d(logit[target]) / d(attention map), reduced per map as the backward
    /// pass produces it (see ReducedGradient), computed once per target. Maps
    /// that do not reach the logit get zeros. A run without the graph (made
    /// without it, or spent by an earlier target's backward pass) runs the
    /// model again first, with it. Throws Error when the model's
    /// attention maps are not differentiable.
    const std::vector<ReducedGradient> &gradientsFor(int target);

private:
    /// Per stream, [length] floats: 1 for a real token, 0 for padding.
    std::vector<torch::Tensor> realTokensOfStreams() const;
    /// Hooks on the attention maps that reduce each gradient into `sink`.
    void hookAttentions();

    std::vector<ReducedGradient> *sink = nullptr; ///< where the hooks write, during gradientsFor only
};

} // namespace attnscope::core
