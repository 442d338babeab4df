#include "core/bundle/ziparchive.h"

#include "core/error.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>

namespace attnscope::core {

namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
/// Directory entries a model may have: a ViT-H TorchScript archive has a
/// few thousand; more is a hostile file.
constexpr uint64_t kMaxEntries = 1u << 20;

uint16_t u16(const uint8_t *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t *p) { return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24); }
uint64_t u64(const uint8_t *p) { return static_cast<uint64_t>(u32(p)) | (static_cast<uint64_t>(u32(p + 4)) << 32); }

std::vector<uint8_t> readAt(std::ifstream &file, uint64_t offset, uint64_t size)
{
    std::vector<uint8_t> out(static_cast<size_t>(size));
    file.clear();
    file.seekg(static_cast<std::streamoff>(offset));
    if (size > 0 && !file.read(reinterpret_cast<char *>(out.data()), static_cast<std::streamsize>(size)))
        out.clear();
    return out;
}

} // namespace

ZipArchive ZipArchive::open(const std::string &path)
{
    ZipArchive zip;
    zip.m_path = path;
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file)
        throw Error(path + ": cannot open the model file (does it exist, and may it be read?)");
    zip.m_fileSize = static_cast<uint64_t>(file.tellg());
    const std::string damaged = path + ": is not a TorchScript model archive (its zip directory ";
    // The end-of-directory record: 22 bytes, then a comment of up to 64 KB.
    const uint64_t tail = std::min<uint64_t>(zip.m_fileSize, 22 + 65535);
    const std::vector<uint8_t> end = readAt(file, zip.m_fileSize - tail, tail);
    if (end.size() < 22)
        throw Error(damaged + "is missing: the file is too short)");
    size_t at = end.size() - 22;
    while (true) {
        if (u32(&end[at]) == kEndOfDirectory)
            break;
        if (at == 0)
            throw Error(damaged + "is missing: was the file cut short?)");
        --at;
    }
    uint64_t count = u16(&end[at + 10]);
    uint64_t directorySize = u32(&end[at + 12]);
    uint64_t directoryOffset = u32(&end[at + 16]);
    if (count == 0xFFFF || directorySize == 0xFFFFFFFFu || directoryOffset == 0xFFFFFFFFu) {
        // Zip64: the locator sits just before the end record.
        const uint64_t endOffset = zip.m_fileSize - tail + at;
        if (endOffset < 20)
            throw Error(damaged + "is damaged)");
        const std::vector<uint8_t> locator = readAt(file, endOffset - 20, 20);
        if (locator.size() != 20 || u32(locator.data()) != kZip64Locator)
            throw Error(damaged + "is damaged: its zip64 locator is missing)");
        const uint64_t recordOffset = u64(&locator[8]);
        if (zip.m_fileSize < 56 || recordOffset > zip.m_fileSize - 56)
            throw Error(damaged + "points past the end of the file)");
        const std::vector<uint8_t> record = readAt(file, recordOffset, 56);
        if (record.size() != 56 || u32(record.data()) != kZip64End)
            throw Error(damaged + "is damaged: its zip64 record is missing)");
        count = u64(&record[32]);
        directorySize = u64(&record[40]);
        directoryOffset = u64(&record[48]);
    }
    if (count > kMaxEntries)
        throw Error(damaged + "lists " + std::to_string(count) + " files)");
    if (directoryOffset > zip.m_fileSize || directorySize > zip.m_fileSize - directoryOffset)
        throw Error(damaged + "points past the end of the file)");
    const std::vector<uint8_t> dir = readAt(file, directoryOffset, directorySize);
    if (dir.size() != directorySize)
        throw Error(damaged + "could not be read)");
    size_t p = 0;
    for (uint64_t i = 0; i < count; ++i) {
        if (p + 46 > dir.size() || u32(&dir[p]) != kDirectoryEntry)
            throw Error(damaged + "is damaged at entry " + std::to_string(i) + ")");
        Entry e;
        e.method = u16(&dir[p + 10]);
        e.crc32 = u32(&dir[p + 16]);
        e.compressedSize = u32(&dir[p + 20]);
        e.uncompressedSize = u32(&dir[p + 24]);
        const size_t nameLength = u16(&dir[p + 28]), extraLength = u16(&dir[p + 30]), commentLength = u16(&dir[p + 32]);
        e.localHeaderOffset = u32(&dir[p + 42]);
        if (p + 46 + nameLength + extraLength + commentLength > dir.size())
            throw Error(damaged + "is damaged at entry " + std::to_string(i) + ")");
        e.name.assign(reinterpret_cast<const char *>(&dir[p + 46]), nameLength);
        // Zip64 sizes and offset, in the order of the fields that say 0xFFFFFFFF.
        size_t x = p + 46 + nameLength;
        const size_t extraEnd = x + extraLength;
        while (x + 4 <= extraEnd) {
            const uint16_t id = u16(&dir[x]), size = u16(&dir[x + 2]);
            if (x + 4 + size > extraEnd)
                break;
            if (id == 0x0001) {
                size_t f = x + 4;
                auto take = [&](uint64_t &field) {
                    if (field == 0xFFFFFFFFu && f + 8 <= x + 4 + size) {
                        field = u64(&dir[f]);
                        f += 8;
                    }
                };
                take(e.uncompressedSize);
                take(e.compressedSize);
                take(e.localHeaderOffset);
            }
            x += 4 + size;
        }
        if (e.localHeaderOffset > zip.m_fileSize || e.compressedSize > zip.m_fileSize)
            throw Error(damaged + "says \"" + e.name + "\" lies past the end of the file)");
        zip.m_entries.push_back(std::move(e));
        p += 46 + nameLength + extraLength + commentLength;
    }
    return zip;
}

const ZipArchive::Entry *ZipArchive::findSuffix(const std::string &suffix) const
{
    for (const Entry &e : m_entries) {
        if (e.name.size() >= suffix.size() && e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0)
            return &e;
    }
    return nullptr;
}

void ZipArchive::verifyStoredEntries() const
{
    std::ifstream file(m_path, std::ios::binary);
    if (!file)
        throw Error(m_path + ": cannot open the model file (does it exist, and may it be read?)");
    constexpr size_t kChunk = size_t(1) << 20;
    std::unique_ptr<char[]> buffer(new char[kChunk]);
    for (const Entry &e : m_entries) {
        if (e.method != 0)
            continue;
        if (e.compressedSize != e.uncompressedSize)
            throw Error(m_path + ": the model archive is damaged (\"" + e.name + "\" is stored with two different sizes)");
        // The data follow the local header: 30 bytes, the name and an extra field.
        const std::vector<uint8_t> local = readAt(file, e.localHeaderOffset, 30);
        if (local.size() != 30 || u32(local.data()) != kLocalHeader)
            throw Error(m_path + ": the model archive is damaged (the header of \"" + e.name + "\" is missing)");
        const uint64_t data = e.localHeaderOffset + 30 + u16(&local[26]) + u16(&local[28]);
        if (data > m_fileSize || e.compressedSize > m_fileSize - data)
            throw Error(m_path + ": the model archive is damaged (\"" + e.name + "\" runs past the end of the file)");
        file.clear();
        file.seekg(static_cast<std::streamoff>(data));
        uLong crc = ::crc32(0L, Z_NULL, 0);
        uint64_t left = e.compressedSize;
        while (left > 0) {
            const size_t n = static_cast<size_t>(std::min<uint64_t>(left, kChunk));
            if (!file.read(buffer.get(), static_cast<std::streamsize>(n)))
                throw Error(m_path + ": the model file could not be read completely");
            crc = ::crc32(crc, reinterpret_cast<const Bytef *>(buffer.get()), static_cast<uInt>(n));
            left -= n;
        }
        if (static_cast<uint32_t>(crc) != e.crc32)
            throw Error(m_path + ": the model archive is damaged: the data of \"" + e.name
                        + "\" have changed since it was written (its CRC-32 does not match); "
                          "copy or download the model again");
    }
}

} // namespace attnscope::core
