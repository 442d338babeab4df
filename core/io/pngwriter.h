#pragma once

#include "core/image/rgbimage.h"

#include <string>

namespace attnscope::core {

/// Writes RGBA buffers as PNG files (atomically: temporary file, then rename).
class PngWriter
{
public:
    static void write(const RgbaImage &image, const std::string &path);
};

} // namespace attnscope::core
