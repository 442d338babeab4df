#pragma once

#include "core/image/rgbimage.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace attnscope::core {

/// The first frame of a GIF (OpenCV 4.6 reads no GIF): the logical screen,
/// white where the frame does not cover it or is transparent (as alpha is
/// composited over white elsewhere), the frame drawn at its offset. Handles
/// global and local colour tables, interlacing and the transparent index.
/// Throws Error("<label>: ...") on a damaged or truncated file, and refuses a
/// screen of more than `maxPixels` before allocating it.
class GifDecoder
{
public:
    static RgbImage firstFrame(const uint8_t *data, size_t size, const std::string &label, int64_t maxPixels);
};

} // namespace attnscope::core
