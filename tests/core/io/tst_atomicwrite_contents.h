#pragma once

#include <string>

// The two versions atomic_writer alternates between, shared with the test so
// it can tell a whole file from a torn one.
namespace attnscope::atomicwrite {

/// Version 0 or 1 of a 4 MB file: a header naming the version, then a body
/// whose every byte depends on the version and the position.
inline std::string version(int which)
{
    std::string s = which == 0 ? "version 0\n" : "version 1\n";
    const size_t size = (size_t(4) << 20) + static_cast<size_t>(which) * 4096;
    s.reserve(size);
    for (size_t i = s.size(); i < size; ++i)
        s.push_back(static_cast<char>('a' + (i * 7 + static_cast<size_t>(which) * 13) % 26));
    return s;
}

constexpr int kExportWidth = 400;
constexpr int kExportHeight = 300;
/// DPI of export version 0 or 1: the PNG's size says which one it is.
inline int exportDpi(int which) { return which == 0 ? 96 : 288; }

} // namespace attnscope::atomicwrite
