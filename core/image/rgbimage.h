#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace attnscope::core {

/// An 8-bit RGB image, row-major and tightly packed (3 bytes a pixel). Owns its
/// pixels; every conversion into or out of it copies.
struct RgbImage
{
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;

    bool empty() const { return width <= 0 || height <= 0; }
    const uint8_t *pixel(int x, int y) const { return pixels.data() + 3 * (static_cast<size_t>(y) * width + x); }
};

/// An 8-bit RGBA image, row-major and tightly packed: what render produces and
/// what the GUI wraps in a QImage (Format_RGBA8888) and the CLI writes as PNG.
struct RgbaImage
{
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;

    bool empty() const { return width <= 0 || height <= 0; }
    const uint8_t *pixel(int x, int y) const { return pixels.data() + 4 * (static_cast<size_t>(y) * width + x); }
};

} // namespace attnscope::core
