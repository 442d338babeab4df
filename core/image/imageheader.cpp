#include "core/image/imageheader.h"

#include <algorithm>
#include <cstring>

namespace attnscope::core {

namespace {

/// Bounds-checked big- and little-endian reads over the file's bytes.
struct Bytes
{
    const uint8_t *data;
    size_t size;

    bool has(size_t offset, size_t count) const { return offset <= size && count <= size - offset; }
    bool startsWith(size_t offset, const char *text) const
    {
        const size_t n = std::strlen(text);
        return has(offset, n) && std::memcmp(data + offset, text, n) == 0;
    }
    uint32_t be16(size_t o) const { return uint32_t(data[o]) << 8 | data[o + 1]; }
    uint32_t le16(size_t o) const { return uint32_t(data[o + 1]) << 8 | data[o]; }
    uint32_t be32(size_t o) const { return be16(o) << 16 | be16(o + 2); }
    uint32_t le32(size_t o) const { return le16(o + 2) << 16 | le16(o); }
    uint32_t le24(size_t o) const { return uint32_t(data[o + 2]) << 16 | le16(o); }
};

void sniffPng(const Bytes &b, ImageHeader &h)
{
    if (b.has(8, 16) && b.startsWith(12, "IHDR")) {
        h.width = b.be32(16);
        h.height = b.be32(20);
    }
    // Walk the chunks (length, type, data, CRC) to IEND, which closes every
    // PNG; a file that ends inside a chunk is truncated. Data after IEND is
    // tolerated.
    h.complete = false;
    size_t pos = 8;
    while (b.has(pos, 8)) {
        const size_t length = b.be32(pos);
        if (b.startsWith(pos + 4, "IEND")) {
            h.complete = true;
            return;
        }
        if (length > b.size || !b.has(pos + 8, length + 4))
            return;
        pos += 12 + length;
    }
}

bool isStartOfFrame(uint8_t marker)
{
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

/// Walks the JPEG's segments: the frame header gives the size; the file is
/// complete when the end-of-image marker follows the scans.
void sniffJpeg(const Bytes &b, ImageHeader &h)
{
    h.complete = false;
    size_t pos = 2;
    bool inScan = false;
    while (pos < b.size) {
        if (inScan) {
            // Entropy-coded data: FF is followed by 00 (a stuffed byte) or a
            // restart marker; anything else is the next marker.
            const uint8_t *next = static_cast<const uint8_t *>(std::memchr(b.data + pos, 0xFF, b.size - pos));
            if (!next || next + 1 >= b.data + b.size)
                return;
            pos = static_cast<size_t>(next - b.data);
            const uint8_t m = b.data[pos + 1];
            if (m == 0x00 || (m >= 0xD0 && m <= 0xD7) || m == 0xFF) {
                pos += m == 0xFF ? 1 : 2;
                continue;
            }
            inScan = false;
        }
        if (b.data[pos] != 0xFF) {
            // Stray bytes between segments: libjpeg skips them with a warning,
            // and so do we.
            const uint8_t *next = static_cast<const uint8_t *>(std::memchr(b.data + pos, 0xFF, b.size - pos));
            if (!next)
                return;
            pos = static_cast<size_t>(next - b.data);
        }
        while (pos < b.size && b.data[pos] == 0xFF)
            ++pos; // fill bytes
        if (pos >= b.size)
            return;
        const uint8_t marker = b.data[pos++];
        if (marker == 0xD9) {
            h.complete = true;
            return;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
            continue; // markers without a length
        if (!b.has(pos, 2))
            return;
        const size_t length = b.be16(pos);
        if (length < 2)
            return;
        if (isStartOfFrame(marker) && b.has(pos, 7) && h.width < 0) {
            h.height = b.be16(pos + 3);
            h.width = b.be16(pos + 5);
        }
        pos += length;
        if (marker == 0xDA)
            inScan = true;
    }
}

void sniffBmp(const Bytes &b, ImageHeader &h)
{
    if (!b.has(14, 4))
        return;
    const uint32_t dib = b.le32(14);
    if (dib == 12 && b.has(18, 4)) {
        h.width = b.le16(18);
        h.height = b.le16(20);
    } else if (dib >= 40 && b.has(18, 8)) {
        h.width = static_cast<int32_t>(b.le32(18));
        const int64_t height = static_cast<int32_t>(b.le32(22));
        h.height = height < 0 ? -height : height; // negative: rows stored top-down
        if (h.width < 0)
            h.width = 0; // invalid; reported as a damaged header
    }
}

void sniffWebP(const Bytes &b, ImageHeader &h)
{
    if (b.startsWith(12, "VP8X") && b.has(24, 6)) {
        h.width = int64_t(b.le24(24)) + 1;
        h.height = int64_t(b.le24(27)) + 1;
    } else if (b.startsWith(12, "VP8L") && b.has(21, 4) && b.data[20] == 0x2F) {
        const uint32_t bits = b.le32(21);
        h.width = int64_t(bits & 0x3FFF) + 1;
        h.height = int64_t((bits >> 14) & 0x3FFF) + 1;
    } else if (b.startsWith(12, "VP8 ") && b.has(26, 4) && b.data[23] == 0x9D && b.data[24] == 0x01
               && b.data[25] == 0x2A) {
        h.width = b.le16(26) & 0x3FFF;
        h.height = b.le16(28) & 0x3FFF;
    }
}

void sniffTiff(const Bytes &b, ImageHeader &h)
{
    const bool little = b.data[0] == 'I';
    auto u16 = [&](size_t o) { return little ? b.le16(o) : b.be16(o); };
    auto u32 = [&](size_t o) { return little ? b.le32(o) : b.be32(o); };
    if (!b.has(4, 4))
        return;
    const size_t ifd = u32(4);
    if (!b.has(ifd, 2))
        return;
    const size_t entries = u16(ifd);
    bool seen[2] = {false, false};
    for (size_t i = 0; i < entries; ++i) {
        const size_t e = ifd + 2 + i * 12;
        if (!b.has(e, 12))
            return;
        const uint32_t tag = u16(e);
        const uint32_t type = u16(e + 2);
        if (tag != 256 && tag != 257)
            continue;
        const int64_t value = type == 3 ? u16(e + 8) : type == 4 ? u32(e + 8) : -1;
        int64_t &field = tag == 256 ? h.width : h.height;
        // A size given twice: a decoder may allocate by the other value than
        // the one a check reads, so the file is refused whatever the values.
        if (seen[tag - 256]) {
            h.damage = std::string("gives the image's ") + (tag == 256 ? "width" : "height") + " twice ("
                       + std::to_string(field) + " and " + std::to_string(value) + ")";
            field = std::max(field, value);
            continue;
        }
        seen[tag - 256] = true;
        field = value;
    }
}

void sniffPnm(const Bytes &b, ImageHeader &h)
{
    size_t pos = 2;
    int64_t numbers[2] = {-1, -1};
    for (int64_t &n : numbers) {
        while (pos < b.size) {
            if (b.data[pos] == '#') {
                while (pos < b.size && b.data[pos] != '\n')
                    ++pos;
            } else if (b.data[pos] == ' ' || (b.data[pos] >= '\t' && b.data[pos] <= '\r')) {
                ++pos;
            } else {
                break;
            }
        }
        if (pos >= b.size || b.data[pos] < '0' || b.data[pos] > '9')
            return;
        n = 0;
        while (pos < b.size && b.data[pos] >= '0' && b.data[pos] <= '9' && n < (int64_t(1) << 31))
            n = n * 10 + (b.data[pos++] - '0');
    }
    h.width = numbers[0];
    h.height = numbers[1];
}

/// Text: no NUL bytes and almost only printable characters in the first
/// kilobyte, bytes above 0x7F counting only inside well-formed UTF-8.
bool looksLikeText(const Bytes &b)
{
    const size_t n = std::min<size_t>(b.size, 1024);
    if (n == 0)
        return false;
    size_t printable = 0;
    for (size_t i = 0; i < n;) {
        const uint8_t c = b.data[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            if (c >= 0x20 || c == '\n' || c == '\r' || c == '\t')
                ++printable;
            ++i;
            continue;
        }
        const size_t length = c >= 0xF5 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        size_t k = 1;
        while (length > 0 && k < length && i + k < n && (b.data[i + k] & 0xC0) == 0x80)
            ++k;
        if (length > 0 && (k == length || i + k == n)) { // well formed, or cut by the kilobyte's end
            printable += k;
            i += k;
        } else {
            ++i;
        }
    }
    return printable * 100 >= n * 98;
}

} // namespace

std::string ImageHeader::formatName() const
{
    switch (format) {
    case Format::Png: return "PNG";
    case Format::Jpeg: return "JPEG";
    case Format::Gif: return "GIF";
    case Format::Bmp: return "BMP";
    case Format::WebP: return "WebP";
    case Format::Tiff: return "TIFF";
    case Format::Pnm: return "PNM";
    case Format::Text: return "text";
    case Format::Unknown: break;
    }
    return "unknown";
}

ImageHeader ImageHeader::sniff(const uint8_t *data, size_t size)
{
    ImageHeader h;
    const Bytes b{data, size};
    if (size == 0 || data == nullptr)
        return h;
    if (b.startsWith(0, "\x89PNG\r\n\x1a\n")) {
        h.format = Format::Png;
        sniffPng(b, h);
    } else if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
        h.format = Format::Jpeg;
        sniffJpeg(b, h);
    } else if (b.startsWith(0, "GIF87a") || b.startsWith(0, "GIF89a")) {
        h.format = Format::Gif;
        if (b.has(6, 4)) {
            h.width = b.le16(6);
            h.height = b.le16(8);
        }
    } else if (b.startsWith(0, "BM")) {
        h.format = Format::Bmp;
        sniffBmp(b, h);
    } else if (b.startsWith(0, "RIFF") && b.startsWith(8, "WEBP")) {
        h.format = Format::WebP;
        sniffWebP(b, h);
    } else if (b.startsWith(0, "II*") || b.startsWith(0, "MM")) {
        if (b.startsWith(0, "II*\0") || (b.has(0, 4) && std::memcmp(data, "MM\0*", 4) == 0)) {
            h.format = Format::Tiff;
            sniffTiff(b, h);
        }
    } else if (size >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '6') {
        h.format = Format::Pnm;
        sniffPnm(b, h);
    }
    if (h.format == Format::Unknown && looksLikeText(b))
        h.format = Format::Text;
    return h;
}

} // namespace attnscope::core
