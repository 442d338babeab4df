#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include <torch/script.h>

#include <string>
#include <vector>

namespace attnscope::core {

/// A model AttnScope runs with its own LibTorch code instead of a
/// TorchScript archive: a checkpoint's weights (mapped from its
/// safetensors file) and an architecture written here. Its forward returns
/// what an archive's does: the logits and every attention map after the
/// softmax, in the autograd graph, in the order the derived manifest lists
/// them.
///
/// Thread rules: used by one thread at a time (the bundle's).
class NativeModel
{
public:
    virtual ~NativeModel() = default;

    struct Inputs
    {
        torch::Tensor image; ///< [batch, 3, height, width], normalised
        torch::Tensor ids;   ///< [batch, length] int64
    };
    struct Output
    {
        torch::Tensor logits; ///< [batch, labels]; a matching model: [batch]
        std::vector<torch::Tensor> attentions; ///< each [batch, heads, queries, keys]
    };
    virtual Output forward(const Inputs &inputs) const = 0;
    /// Every weight, for the bundle to choose the autograd graph's leaves.
    std::vector<torch::Tensor> parameters() const;
    /// Moves every weight (a CUDA run) and converts it to `dtype`.
    void to(const torch::Device &device, torch::ScalarType dtype);

protected:
    /// Every weight tensor the model holds (some may be undefined: no bias).
    virtual std::vector<torch::Tensor *> tensors() = 0;
};

} // namespace attnscope::core
