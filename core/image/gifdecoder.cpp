#include "core/image/gifdecoder.h"

#include "core/error.h"

#include <array>
#include <vector>

namespace attnscope::core {

namespace {

class Reader
{
public:
    Reader(const uint8_t *data, size_t size, const std::string &label)
        : m_data(data), m_size(size), m_label(label)
    {
    }

    uint8_t byte()
    {
        if (m_pos >= m_size)
            truncated();
        return m_data[m_pos++];
    }
    uint32_t le16()
    {
        const uint32_t low = byte();
        return low | uint32_t(byte()) << 8;
    }
    void skip(size_t n)
    {
        if (n > m_size - m_pos)
            truncated();
        m_pos += n;
    }
    /// Data sub-blocks up to the zero-length terminator, appended to `out`
    /// (or skipped when `out` is null).
    void subBlocks(std::vector<uint8_t> *out)
    {
        for (;;) {
            const uint8_t n = byte();
            if (n == 0)
                return;
            if (n > m_size - m_pos)
                truncated();
            if (out)
                out->insert(out->end(), m_data + m_pos, m_data + m_pos + n);
            m_pos += n;
        }
    }
    [[noreturn]] void truncated() const
    {
        throw Error(m_label + ": the GIF file is truncated: it ends before its first frame does");
    }
    [[noreturn]] void damaged(const std::string &what) const
    {
        throw Error(m_label + ": the GIF file is damaged (" + what + ")");
    }

private:
    const uint8_t *m_data;
    size_t m_size;
    size_t m_pos = 0;
    const std::string &m_label;
};

using Palette = std::vector<std::array<uint8_t, 3>>;

Palette readPalette(Reader &r, int bits)
{
    Palette p(size_t(1) << bits);
    for (auto &c : p)
        for (uint8_t &v : c)
            v = r.byte();
    return p;
}

/// Variable-width LZW as GIF uses it: codes are read least significant bit
/// first; the table holds at most 4,096 entries. Returns the colour indices
/// (exactly `count` of them; a stream that stops early is an error).
std::vector<uint8_t> decodeLzw(const std::vector<uint8_t> &data, int minCodeSize, size_t count, Reader &r)
{
    constexpr int kMaxCodes = 4096;
    const int clear = 1 << minCodeSize;
    const int end = clear + 1;
    std::vector<uint16_t> prefix(kMaxCodes);
    std::vector<uint8_t> suffix(kMaxCodes), first(kMaxCodes);
    std::vector<uint8_t> stack(kMaxCodes + 1);
    for (int c = 0; c < clear; ++c) {
        suffix[static_cast<size_t>(c)] = static_cast<uint8_t>(c);
        first[static_cast<size_t>(c)] = static_cast<uint8_t>(c);
    }
    std::vector<uint8_t> out;
    out.reserve(count);
    int width = minCodeSize + 1;
    int next = clear + 2;
    int previous = -1;
    uint32_t bits = 0;
    int held = 0;
    size_t pos = 0;
    while (out.size() < count) {
        while (held < width) {
            if (pos >= data.size())
                r.truncated();
            bits |= uint32_t(data[pos++]) << held;
            held += 8;
        }
        const int code = static_cast<int>(bits & ((1u << width) - 1));
        bits >>= width;
        held -= width;
        if (code == clear) {
            width = minCodeSize + 1;
            next = clear + 2;
            previous = -1;
            continue;
        }
        if (code == end)
            break;
        int top = 0;
        int current = code;
        if (previous < 0) {
            if (code >= clear)
                r.damaged("its image data starts with an undefined code");
            out.push_back(static_cast<uint8_t>(code));
            previous = code;
            continue;
        }
        if (code > next || (code == next && next >= kMaxCodes))
            r.damaged("its image data holds an undefined code");
        if (code == next) { // the KwKwK case: previous string + its own first byte
            stack[static_cast<size_t>(top++)] = first[static_cast<size_t>(previous)];
            current = previous;
        }
        while (current >= clear) {
            stack[static_cast<size_t>(top++)] = suffix[static_cast<size_t>(current)];
            current = prefix[static_cast<size_t>(current)];
        }
        stack[static_cast<size_t>(top++)] = static_cast<uint8_t>(current);
        if (next < kMaxCodes) {
            prefix[static_cast<size_t>(next)] = static_cast<uint16_t>(previous);
            suffix[static_cast<size_t>(next)] = static_cast<uint8_t>(current);
            first[static_cast<size_t>(next)] = first[static_cast<size_t>(previous)];
            ++next;
            if (next == (1 << width) && width < 12)
                ++width;
        }
        while (top > 0 && out.size() < count)
            out.push_back(stack[static_cast<size_t>(--top)]);
        previous = code;
    }
    if (out.size() < count)
        r.truncated();
    return out;
}

} // namespace

RgbImage GifDecoder::firstFrame(const uint8_t *data, size_t size, const std::string &label, int64_t maxPixels)
{
    Reader r(data, size, label);
    r.skip(6); // GIF87a / GIF89a, checked by the caller
    const uint32_t screenWidth = r.le16();
    const uint32_t screenHeight = r.le16();
    if (screenWidth == 0 || screenHeight == 0)
        r.damaged("its screen is 0 pixels wide or high");
    if (int64_t(screenWidth) * screenHeight > maxPixels)
        throw Error(label + ": the image claims " + std::to_string(screenWidth) + "x" + std::to_string(screenHeight)
                    + " pixels, more than AttnScope opens");
    const uint8_t flags = r.byte();
    r.skip(2); // background colour index, aspect ratio
    Palette global;
    if (flags & 0x80)
        global = readPalette(r, (flags & 7) + 1);

    int transparent = -1;
    for (;;) {
        const uint8_t block = r.byte();
        if (block == 0x3B)
            r.damaged("it holds no image");
        if (block == 0x21) {
            const uint8_t kind = r.byte();
            if (kind == 0xF9) { // graphic control: the transparent colour
                std::vector<uint8_t> gce;
                r.subBlocks(&gce);
                transparent = gce.size() >= 4 && (gce[0] & 1) ? gce[3] : -1;
            } else {
                r.subBlocks(nullptr);
            }
            continue;
        }
        if (block != 0x2C)
            r.damaged("an unknown block");
        const uint32_t left = r.le16(), top = r.le16(), width = r.le16(), height = r.le16();
        const uint8_t frameFlags = r.byte();
        const Palette local = frameFlags & 0x80 ? readPalette(r, (frameFlags & 7) + 1) : Palette();
        const Palette &palette = local.empty() ? global : local;
        if (palette.empty())
            r.damaged("it has no colour table");
        const int minCodeSize = r.byte();
        if (minCodeSize < 2 || minCodeSize > 8) // the specification's range
            r.damaged("an invalid code size");
        std::vector<uint8_t> compressed;
        r.subBlocks(&compressed);
        if (int64_t(width) * height > maxPixels)
            r.damaged("its first frame is larger than its screen allows");
        const size_t count = size_t(width) * height;
        const std::vector<uint8_t> indices = decodeLzw(compressed, minCodeSize, count, r);

        RgbImage image;
        image.width = static_cast<int>(screenWidth);
        image.height = static_cast<int>(screenHeight);
        image.pixels.assign(size_t(screenWidth) * screenHeight * 3, 255);
        // Interlaced frames store rows in four passes.
        std::vector<uint32_t> rows;
        rows.reserve(height);
        if (frameFlags & 0x40) {
            for (const auto &[start, step] : {std::pair{0u, 8u}, {4u, 8u}, {2u, 4u}, {1u, 2u}})
                for (uint32_t y = start; y < height; y += step)
                    rows.push_back(y);
        } else {
            for (uint32_t y = 0; y < height; ++y)
                rows.push_back(y);
        }
        for (uint32_t i = 0; i < height; ++i) {
            const uint32_t y = top + rows[i];
            if (y >= screenHeight)
                continue;
            for (uint32_t x = 0; x < width; ++x) {
                if (left + x >= screenWidth)
                    break;
                const uint8_t index = indices[size_t(i) * width + x];
                if (index == transparent || index >= palette.size())
                    continue; // transparent, or outside the table: left white
                uint8_t *p = image.pixels.data() + (size_t(y) * screenWidth + left + x) * 3;
                p[0] = palette[index][0];
                p[1] = palette[index][1];
                p[2] = palette[index][2];
            }
        }
        return image;
    }
}

} // namespace attnscope::core
