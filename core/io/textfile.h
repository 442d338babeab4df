#pragma once

#include <string>

namespace attnscope::core {

/// Whole-file reads, bounded (writes: AtomicFile).
class TextFile
{
public:
    /// Throws Error naming the file.
    static std::string read(const std::string &path, size_t maxBytes = size_t(64) << 20);
};

} // namespace attnscope::core
