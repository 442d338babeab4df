#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/bundle/modelbundle.h"

#include <torch/script.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace attnscope::core {

/// What a forward call returned, parsed against the contract.
struct ForwardOutput
{
    torch::Tensor logits;                   ///< [batch, labels]
    std::vector<torch::Tensor> attentions;  ///< each [batch, heads, queries, keys]
    std::map<std::string, torch::Tensor> extras;
};

struct ModelBundle::Impl
{
    std::string path;
    Manifest manifest;
    torch::jit::Module module;
    torch::Device device{torch::kCPU};
    std::vector<int> heads;
    /// Whether the attention maps are on the path to the logits: unknown
    /// until a run with the graph (or gradientsReachable()) finds out.
    std::optional<bool> gradientsReachable;
    double loadMs = 0.0;

    /// Walks the autograd graph from the logits: do they depend on the
    /// maps? False when a map is detached or a copy outside the graph.
    static bool attentionsReachLogits(const torch::Tensor &logits, const std::vector<torch::Tensor> &attentions);
    /// forward() on `batch` copies of the made-up probe input.
    ForwardOutput probeForward(int batch);
    /// Runs forward on a batch and checks the output's structure and shapes
    /// against the manifest; throws Error naming the file otherwise.
    ForwardOutput forward(const torch::Tensor &image, const torch::Tensor &ids,
                          const torch::Tensor &mask);
    /// Tensors for a batch of inputs, on the model's device.
    torch::Tensor imageTensor(const std::vector<const std::vector<float> *> &pixels) const;
    torch::Tensor idsTensor(const std::vector<const std::vector<int64_t> *> &ids) const;
    /// Probabilities from logits: softmax for classification, sigmoid for matching.
    torch::Tensor probabilities(const torch::Tensor &logits) const;
};

/// The line of a LibTorch message that says what went wrong.
std::string essentialLine(const std::string &message);

/// Translates a c10::Error into core's Error with a prefix naming the file.
[[noreturn]] void rethrowTorchError(const std::string &prefix, const c10::Error &e);

} // namespace attnscope::core
