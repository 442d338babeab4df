#include "core/explain/streammatrices.h"

namespace attnscope::core {

StreamMatrices::StreamMatrices(const std::vector<int64_t> &streamLengths, const torch::Device &device)
{
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    m_blocks.resize(streamLengths.size());
    for (size_t s = 0; s < streamLengths.size(); ++s) {
        for (size_t q = 0; q < streamLengths.size(); ++q) {
            m_blocks[s].push_back(s == q ? torch::eye(streamLengths[s], options)
                                         : torch::zeros({streamLengths[s], streamLengths[q]}, options));
        }
    }
}

torch::Tensor StreamMatrices::joined() const
{
    std::vector<torch::Tensor> rows;
    for (const auto &blocks : m_blocks)
        rows.push_back(torch::cat(blocks, 1));
    return torch::cat(rows, 0);
}

} // namespace attnscope::core
