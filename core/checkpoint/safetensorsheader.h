#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope::core {

/// One tensor of a safetensors file, as its header describes it.
struct SafetensorsEntry
{
    std::string name;
    std::string dtype;            ///< as written: "F32", "F16", "BF16", "I64", ...
    int elementSize = 0;          ///< bytes per element of that dtype
    std::vector<int64_t> shape;   ///< empty for a scalar
    uint64_t begin = 0, end = 0;  ///< byte range, counted from the first byte after the header

    int64_t elements() const;
};

/// The header of a safetensors file (Hugging Face's format): an 8-byte
/// little-endian length N, N bytes of JSON naming every tensor's dtype,
/// shape and byte range, then the raw little-endian data. parse() checks
/// everything a hostile file could get wrong before any tensor is read:
/// a length beyond the file or above 100 MB (the format's own limit), JSON
/// that is not an object of tensors, unknown dtypes, shapes that are not
/// lists of sizes, repeated names, byte ranges outside the data, of the
/// wrong size for shape x dtype, overlapping, or leaving holes (the
/// reference library writes the tensors back to back and refuses anything
/// else). It reads bytes only (no LibTorch, no mapping): a fuzzing target.
class SafetensorsHeader
{
public:
    /// `file` holds at least the first min(size, 8 + N) bytes of a file of
    /// `size` bytes; `source` names it in messages. Throws Error.
    static SafetensorsHeader parse(const char *file, uint64_t available, uint64_t size, const std::string &source);

    /// Bytes before the data: 8 + N.
    uint64_t dataOffset() const { return m_dataOffset; }
    /// In the header's order.
    const std::vector<SafetensorsEntry> &entries() const { return m_entries; }
    /// nullptr when there is no tensor of that name.
    const SafetensorsEntry *find(const std::string &name) const;
    /// The header's "__metadata__" (strings only), often {"format": "pt"}.
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }

    /// The largest header parse() accepts, as the reference library.
    static constexpr uint64_t kMaxHeaderBytes = 100'000'000;
    /// Bytes per element of a dtype name, 0 for a name the format does not have.
    static int elementSize(const std::string &dtype);

private:
    uint64_t m_dataOffset = 0;
    std::vector<SafetensorsEntry> m_entries;
    std::map<std::string, size_t> m_index;
    std::map<std::string, std::string> m_metadata;
};

} // namespace attnscope::core
