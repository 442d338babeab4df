#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/bundle/modelbundle.h"
#include "core/checkpoint/nativemodel.h"
#include "core/engine/torcherror.h"

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
    /// From forwardWithGraph: leaves of the graph upstream of every map, for
    /// a backward pass to ask the (small) gradients of.
    std::vector<torch::Tensor> gradientLeaves;
};

/// One batch of the forward's inputs, on the model's device; forward()
/// passes those the manifest lists, in its order.
struct ForwardInputs
{
    torch::Tensor image;   ///< [batch, 3, height, width]
    torch::Tensor ids;     ///< [batch, max_length] int64
    torch::Tensor mask;
    torch::Tensor typeIds;
};

struct ModelBundle::Impl
{
    std::string path;
    Manifest manifest;
    torch::jit::Module module;
    /// A checkpoint opened natively (NativeCheckpoint) instead of an archive.
    std::shared_ptr<NativeModel> native;
    std::vector<std::string> notes;
    torch::Device device{torch::kCPU};
    std::vector<int> heads;
    /// Whether the attention maps are on the path to the logits: unknown
    /// until a run with the graph (or gradientsReachable()) finds out.
    std::optional<bool> gradientsReachable;
    double loadMs = 0.0;

    /// Which leaves the graph of a run starts from. No method asks for the
    /// parameters' gradients, and a parameter that requires grad makes the
    /// graph keep its layer's input (at 2,048 tokens a quarter of the graph's
    /// memory), so the parameters are frozen: the graph starts from the image
    /// (Image), or, where some map does not depend on the image, from the
    /// smallest parameter upstream of each map (Parameters); All when the
    /// maps are not differentiable anyway.
    enum class GraphLeaves { Unknown, Image, Parameters, All };
    GraphLeaves graphLeaves = GraphLeaves::Unknown;
    std::vector<torch::Tensor> leafParameters; ///< with GraphLeaves::Parameters

    /// forward() with the autograd graph, from the leaves above; finds them
    /// (and sets gradientsReachable) on the model's first call. Every map of
    /// the output is in the graph when gradients are reachable.
    ForwardOutput forwardWithGraph(const ForwardInputs &inputs);
    /// For every map, the smallest leaf (in elements) upstream of it: asked
    /// for its gradient, a backward pass reaches every map, yet returns
    /// almost nothing.
    static std::vector<torch::Tensor> smallestLeavesUpstream(const std::vector<torch::Tensor> &attentions);

    /// Walks the autograd graph from the logits: do they depend on the
    /// maps? False when a map is detached or a copy outside the graph.
    static bool attentionsReachLogits(const torch::Tensor &logits, const std::vector<torch::Tensor> &attentions);
    /// See ModelBundle::setCancelCheck.
    std::function<bool()> cancelled;

    /// The checks every output must pass (finite logits; maps finite, with
    /// no negative weight and rows summing to 1), on the probe input at load
    /// and on every real input: a model fine on the grey probe can still
    /// return NaN on a photo. `input` names the input in the message.
    void checkOutputs(const torch::Tensor &logits, const std::vector<torch::Tensor> &attentions,
                      const std::string &input) const;
    /// forward() (forwardWithGraph() with `graph`) on `batch` copies of the
    /// made-up probe input.
    ForwardOutput probeForward(int batch, bool graph = false);
    /// Runs forward on a batch and checks the output's structure and shapes
    /// against the manifest; throws Error naming the file otherwise.
    ForwardOutput forward(const ForwardInputs &inputs);
    /// Tensors for a batch of inputs, on the model's device. An empty
    /// vector of ids stands for all zeros (type ids of one text; a version 1
    /// model that reads no text); an empty pixel vector for a model that
    /// takes no image.
    torch::Tensor imageTensor(const std::vector<const std::vector<float> *> &pixels) const;
    torch::Tensor idsTensor(const std::vector<const std::vector<int64_t> *> &ids) const;
    /// The inputs of one input or a batch: pixels, ids, mask, type ids.
    ForwardInputs inputs(const std::vector<const std::vector<float> *> &pixels,
                         const std::vector<const std::vector<int64_t> *> &ids,
                         const std::vector<const std::vector<int64_t> *> &mask,
                         const std::vector<const std::vector<int64_t> *> &typeIds) const;
    /// "attention map 2 (layer 1, cross, text -> image)", for messages.
    std::string describeAttention(size_t index) const;
    /// Bytes of one head of every attention map of one input.
    double mapBytes() const;
    /// The model's weights (the archive's parameters or the native model's).
    std::vector<torch::Tensor> parameters() const;
    /// Probabilities from logits: softmax for classification, sigmoid for matching.
    torch::Tensor probabilities(const torch::Tensor &logits) const;
};

} // namespace attnscope::core
