#pragma once

#include <cstdint>
#include <string>

namespace attnscope::core {

/// Checked before any file is opened: opening a FIFO blocks until something
/// writes to it, and /dev/zero never ends, so a path that names anything
/// but a regular file (after symbolic links) is refused by name.
class RegularFile
{
public:
    /// Throws Error: "no <what> file was given" for an empty path; "<path>:
    /// there is no such file", "<path>: is a folder, not a file", or
    /// "<path>: is not a regular file (a pipe, a device or a socket)".
    /// Returns the file's size in bytes.
    static uint64_t require(const std::string &path, const std::string &what);
};

} // namespace attnscope::core
