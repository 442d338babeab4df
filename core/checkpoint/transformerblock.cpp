#include "core/checkpoint/transformerblock.h"

#include <cmath>

namespace attnscope::core {

namespace {

torch::Tensor linear(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias)
{
    return bias.defined() ? torch::linear(x, weight, bias) : torch::linear(x, weight);
}

} // namespace

torch::Tensor TransformerBlock::forward(const torch::Tensor &x, int heads, double eps, Activation activation,
                                        const torch::Tensor &mask, torch::Tensor &attention) const
{
    const int64_t batch = x.size(0), tokens = x.size(1), width = x.size(2);
    const int64_t headWidth = width / heads;
    const torch::Tensor h = torch::layer_norm(x, {width}, norm1Weight, norm1Bias, eps);
    auto split = [&](const torch::Tensor &t) { return t.reshape({batch, tokens, heads, headWidth}).transpose(1, 2); };
    // The scale on the queries before the product, as timm and PyTorch's
    // multi-head attention apply it.
    const torch::Tensor q = split(linear(h, query, queryBias)) * (1.0 / std::sqrt(static_cast<double>(headWidth)));
    const torch::Tensor k = split(linear(h, key, keyBias));
    const torch::Tensor v = split(linear(h, value, valueBias));
    torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1));
    if (mask.defined())
        scores = scores + mask;
    attention = torch::softmax(scores, -1);
    torch::Tensor mixed = torch::matmul(attention, v).transpose(1, 2).reshape({batch, tokens, width});
    mixed = linear(mixed, proj, projBias);
    torch::Tensor out = x + (scale1.defined() ? mixed * scale1 : mixed);
    torch::Tensor m = linear(torch::layer_norm(out, {width}, norm2Weight, norm2Bias, eps), fc1, fc1Bias);
    m = activation == Activation::Gelu ? torch::gelu(m) : m * torch::sigmoid(1.702 * m);
    m = linear(m, fc2, fc2Bias);
    return out + (scale2.defined() ? m * scale2 : m);
}

void TransformerBlock::setFusedProjection(const torch::Tensor &weight, const torch::Tensor &bias)
{
    const int64_t d = weight.size(1);
    query = weight.narrow(0, 0, d);
    key = weight.narrow(0, d, d);
    value = weight.narrow(0, 2 * d, d);
    if (bias.defined()) {
        queryBias = bias.narrow(0, 0, d);
        keyBias = bias.narrow(0, d, d);
        valueBias = bias.narrow(0, 2 * d, d);
    }
}

std::vector<torch::Tensor *> TransformerBlock::tensors()
{
    return {&norm1Weight, &norm1Bias, &query, &queryBias, &key, &keyBias, &value, &valueBias, &proj, &projBias,
            &norm2Weight, &norm2Bias, &fc1, &fc1Bias, &fc2, &fc2Bias, &scale1, &scale2};
}

} // namespace attnscope::core
