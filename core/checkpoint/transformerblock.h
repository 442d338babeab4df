#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include <torch/script.h>

#include <vector>

namespace attnscope::core {

/// One pre-norm transformer block, as ViT, DeiT and CLIP write it:
///   x = x + ls1 * proj(softmax(q k^T / sqrt(d) + mask) v),  q, k, v from norm1(x)
///   x = x + ls2 * fc2(act(fc1(norm2(x))))
/// The weights are those of the checkpoint (q, k and v may be views into
/// one fused matrix: no copy); biases and the LayerScale factors may be
/// undefined (no bias, no LayerScale).
struct TransformerBlock
{
    enum class Activation { Gelu, QuickGelu };

    torch::Tensor norm1Weight, norm1Bias;
    torch::Tensor query, queryBias, key, keyBias, value, valueBias;
    torch::Tensor proj, projBias;
    torch::Tensor norm2Weight, norm2Bias;
    torch::Tensor fc1, fc1Bias, fc2, fc2Bias;
    torch::Tensor scale1, scale2; ///< LayerScale (timm's ls1.gamma, ls2.gamma), or undefined

    /// x: [batch, tokens, width]. `mask`, when defined, is added to the
    /// scores before the softmax ([tokens, tokens]: -inf where a query may
    /// not look). `attention` receives the probabilities [batch, heads,
    /// tokens, tokens], the tensor multiplied with the values (in the graph).
    torch::Tensor forward(const torch::Tensor &x, int heads, double eps, Activation activation,
                          const torch::Tensor &mask, torch::Tensor &attention) const;

    /// q, k and v as views into one fused [3 x width, width] projection
    /// (timm's qkv, OpenAI's in_proj) and its bias (undefined: none).
    void setFusedProjection(const torch::Tensor &weight, const torch::Tensor &bias);

    /// Every tensor, for moving them and for the graph's leaves.
    std::vector<torch::Tensor *> tensors();
};

} // namespace attnscope::core
