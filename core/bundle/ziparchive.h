#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

/// The central directory of a zip file (a TorchScript archive is one), read
/// before LibTorch opens it, so that what LibTorch would do blindly is
/// checked first: how large the manifest becomes once inflated (a 4 MB
/// archive held one that inflated to 2.5 GB), and whether every stored
/// entry still has the CRC-32 it was written with (LibTorch uses a weight
/// byte changed on the disk as it is).
class ZipArchive
{
public:
    struct Entry
    {
        std::string name;
        uint16_t method = 0;            ///< 0 stored, 8 deflated
        uint32_t crc32 = 0;
        uint64_t compressedSize = 0;
        uint64_t uncompressedSize = 0;
        uint64_t localHeaderOffset = 0;
    };

    /// Reads the directory of the file at `path`; throws Error naming it
    /// when the file is no zip archive or its directory is damaged.
    static ZipArchive open(const std::string &path);

    const std::vector<Entry> &entries() const { return m_entries; }
    /// The first entry whose name ends with `suffix` (e.g. "/extra/attnscope.json"), or nullptr.
    const Entry *findSuffix(const std::string &suffix) const;
    /// Checks the CRC-32 of every stored entry against the directory; throws
    /// Error naming the first entry whose data has changed. Deflated entries
    /// are left to the reader that inflates them.
    void verifyStoredEntries() const;

private:
    std::string m_path;
    uint64_t m_fileSize = 0;
    std::vector<Entry> m_entries;
};

} // namespace attnscope::core
