#pragma once

#include <string>

namespace attnscope::core {

/// Whole-file reads and atomic writes: a write goes to a temporary file in the
/// same folder, is flushed, then renamed over the target, so a reader sees the
/// old file or the new one, never a torn one.
class TextFile
{
public:
    /// Throws Error naming the file.
    static std::string read(const std::string &path, size_t maxBytes = size_t(64) << 20);
    static void write(const std::string &path, const std::string &content);
};

} // namespace attnscope::core
