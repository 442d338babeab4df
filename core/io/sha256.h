#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

class QCryptographicHash;

namespace attnscope::core {

/// SHA-256 for session files: they record the hash of the model and of the
/// inputs, so reopening one can tell whether a file has changed. Computed by
/// Qt Core's QCryptographicHash; this keeps Qt out of core's headers and adds
/// the file rules (regular files only, errors that name the file).
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void update(const uint8_t *data, size_t size);
    /// The digest as 64 lower-case hex digits.
    std::string hexDigest() const;

    static std::string hex(const std::vector<uint8_t> &data);
    /// Streams the file; throws Error naming it when it cannot be read.
    static std::string ofFile(const std::string &path);

private:
    std::unique_ptr<QCryptographicHash> m_hash;
};

} // namespace attnscope::core
