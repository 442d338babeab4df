#pragma once

#include <cstddef>
#include <cstdint>

namespace attnscope::core {

/// The EXIF orientation tag (0x0112) of a JPEG: 1 (as stored) to 8; 1 when
/// the file has none or it cannot be read. Phones store photos sideways and
/// say so here; OpenCV applies it only when it may drop the alpha channel, so
/// the decoder reads it itself. Pure byte parsing, safe on any input.
class ExifOrientation
{
public:
    static int ofJpeg(const uint8_t *data, size_t size);
};

} // namespace attnscope::core
