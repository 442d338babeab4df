#pragma once

#include <string>
#include <vector>

namespace attnscope::core {

/// Whole-file reads, bounded (writes: AtomicFile).
class TextFile
{
public:
    /// Throws Error naming the file.
    static std::string read(const std::string &path, size_t maxBytes = size_t(64) << 20);
    /// The text's lines as Rust's lines() gives them: split at "\n", a "\r"
    /// before it dropped, no line after a final newline.
    static std::vector<std::string> lines(const std::string &text);
};

} // namespace attnscope::core
