#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

/// Base64 (RFC 4648, with padding), for inputs embedded in session files.
class Base64
{
public:
    static std::string encode(const std::vector<uint8_t> &data);
    /// Throws Error on characters outside the alphabet or a bad length.
    static std::vector<uint8_t> decode(const std::string &text);
};

} // namespace attnscope::core
