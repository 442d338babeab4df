#pragma once

#include "core/checkpoint/safetensorsheader.h"

#include <cstdint>
#include <memory>
#include <string>

namespace attnscope::core {

/// A safetensors file mapped into memory, not read: opening a 350 MB
/// checkpoint costs its header, and a tensor's bytes are paged in when the
/// model first uses them. The mapping is private and copy-on-write, so a
/// tensor made over it can never change the file. Shared by every tensor
/// made from it (they keep it alive).
///
/// Thread rules: immutable after open(); any thread may read.
class SafetensorsFile
{
public:
    /// Throws Error naming the file: no such file, not a safetensors file,
    /// or a header SafetensorsHeader::parse refuses.
    static std::shared_ptr<const SafetensorsFile> open(const std::string &path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile &) = delete;
    SafetensorsFile &operator=(const SafetensorsFile &) = delete;

    const std::string &path() const { return m_path; }
    uint64_t size() const { return m_size; }
    const SafetensorsHeader &header() const { return m_header; }
    /// The first byte of a tensor's data, inside the mapping (writable:
    /// copy-on-write, private to this process).
    char *bytes(const SafetensorsEntry &entry) const;

private:
    SafetensorsFile() = default;
    std::string m_path;
    uint64_t m_size = 0;
    char *m_map = nullptr;
    SafetensorsHeader m_header;
};

} // namespace attnscope::core
