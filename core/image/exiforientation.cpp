#include "core/image/exiforientation.h"

#include <cstring>

namespace attnscope::core {

namespace {

/// The orientation in a TIFF structure (the body of an Exif APP1 segment).
int orientationInTiff(const uint8_t *t, size_t size)
{
    if (size < 8)
        return 1;
    const bool little = t[0] == 'I' && t[1] == 'I';
    if (!little && !(t[0] == 'M' && t[1] == 'M'))
        return 1;
    auto u16 = [&](size_t o) -> uint32_t {
        return little ? (uint32_t(t[o + 1]) << 8 | t[o]) : (uint32_t(t[o]) << 8 | t[o + 1]);
    };
    auto u32 = [&](size_t o) -> uint32_t { return little ? (u16(o + 2) << 16 | u16(o)) : (u16(o) << 16 | u16(o + 2)); };
    if (u16(2) != 42)
        return 1;
    const size_t ifd = u32(4);
    if (ifd > size || size - ifd < 2)
        return 1;
    const size_t entries = u16(ifd);
    for (size_t i = 0; i < entries; ++i) {
        const size_t e = ifd + 2 + i * 12;
        if (e > size || size - e < 12)
            return 1;
        if (u16(e) == 0x0112 && u16(e + 2) == 3) { // SHORT
            const uint32_t value = u16(e + 8);
            return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
        }
    }
    return 1;
}

} // namespace

int ExifOrientation::ofJpeg(const uint8_t *data, size_t size)
{
    if (!data || size < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return 1;
    size_t pos = 2;
    // The Exif segment comes before the image data: walk the segments up to
    // the start of the first scan.
    while (pos + 4 <= size && data[pos] == 0xFF) {
        const uint8_t marker = data[pos + 1];
        if (marker == 0xFF) {
            ++pos; // fill byte
            continue;
        }
        if (marker == 0xDA || marker == 0xD9)
            return 1;
        const size_t length = uint32_t(data[pos + 2]) << 8 | data[pos + 3];
        if (length < 2 || length > size - pos - 2)
            return 1;
        const uint8_t *body = data + pos + 4;
        const size_t bodySize = length - 2;
        if (marker == 0xE1 && bodySize >= 6 && std::memcmp(body, "Exif\0\0", 6) == 0)
            return orientationInTiff(body + 6, bodySize - 6);
        pos += 2 + length;
    }
    return 1;
}

} // namespace attnscope::core
