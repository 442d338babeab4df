#pragma once

// Internal to core: includes LibTorch. Never include from ui/ or app/.

#include "core/checkpoint/safetensorsfile.h"

#include <torch/script.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace attnscope::core {

/// The tensors of a safetensors checkpoint as LibTorch tensors. Float32
/// weights are tensors over the file's mapping (no copy: they are paged in
/// when the model first uses them); float16, bfloat16 and float64 ones are
/// converted to float32, unless `keepHalf` keeps float16 and bfloat16 as
/// they are (for a GPU). Every name asked for is remembered, so the
/// checkpoint's weights no architecture read can be named.
///
/// Thread rules: the loading thread only.
class CheckpointWeights
{
public:
    explicit CheckpointWeights(std::shared_ptr<const SafetensorsFile> file, bool keepHalf = false);

    const SafetensorsFile &file() const { return *m_file; }
    bool has(const std::string &name) const;
    /// The tensor's shape; throws Error naming it when absent.
    std::vector<int64_t> shape(const std::string &name) const;
    /// The tensor; throws Error when it is absent (`what` says which part of
    /// the model needs it), not a floating-point tensor, or (when `expected`
    /// is given) of another shape.
    torch::Tensor get(const std::string &name, const std::vector<int64_t> &expected = {},
                      const std::string &what = "") const;
    /// Names present, in the file's order, that get() was never asked for.
    std::vector<std::string> unread() const;
    /// Bytes of the weights converted to float32 on load (none for a
    /// float32 checkpoint).
    uint64_t convertedBytes() const { return m_converted; }

private:
    std::shared_ptr<const SafetensorsFile> m_file;
    bool m_keepHalf = false;
    mutable std::set<std::string> m_read;
    mutable uint64_t m_converted = 0;
};

} // namespace attnscope::core
