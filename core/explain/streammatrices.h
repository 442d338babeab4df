#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include <torch/script.h>

#include <vector>

namespace attnscope::core {

/// Matrices for every ordered pair of streams: at(s, q) has one row per token
/// of stream s and one column per token of stream q. Rollout and relevance
/// propagate these through the layers.
class StreamMatrices
{
public:
    /// Identity for each stream with itself, zeros between streams.
    StreamMatrices(const std::vector<int64_t> &streamLengths, const torch::Device &device);

    torch::Tensor &at(size_t s, size_t q) { return m_blocks[s][q]; }
    const torch::Tensor &at(size_t s, size_t q) const { return m_blocks[s][q]; }
    size_t streamCount() const { return m_blocks.size(); }
    /// All blocks joined into one square matrix, streams in order.
    torch::Tensor joined() const;

private:
    std::vector<std::vector<torch::Tensor>> m_blocks;
};

} // namespace attnscope::core
