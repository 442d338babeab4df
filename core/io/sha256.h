#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

/// SHA-256 (FIPS 180-4), for session files: they record the hash of the model
/// and of the inputs, so reopening one can tell whether a file has changed.
class Sha256
{
public:
    Sha256();
    void update(const uint8_t *data, size_t size);
    /// The digest as 64 lower-case hex digits; the object is spent afterwards.
    std::string hexDigest();

    static std::string hex(const std::vector<uint8_t> &data);
    /// Streams the file; throws Error naming it when it cannot be read.
    static std::string ofFile(const std::string &path);

private:
    void block(const uint8_t *p);

    uint32_t m_state[8];
    uint8_t m_buffer[64];
    size_t m_buffered = 0;
    uint64_t m_length = 0;
};

} // namespace attnscope::core
