#pragma once

#include "core/image/rgbimage.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

/// Decodes image files with OpenCV into RgbImage. This is where the BGR order
/// OpenCV uses becomes RGB: grey is expanded, alpha is composited over white,
/// 16-bit and floating-point images are scaled to 8 bits. Throws Error naming
/// the file on anything it cannot read.
class ImageDecoder
{
public:
    /// Files larger than this are refused before they are read.
    static constexpr int64_t kMaxFileBytes = int64_t(512) << 20;
    /// Images with more pixels than this are refused.
    static constexpr int64_t kMaxPixels = int64_t(100) * 1000 * 1000;
    /// Above this, images are converted a row at a time (see the source).
    static constexpr int64_t kRowByRowPixels = int64_t(16) * 1000 * 1000;

    static RgbImage decodeFile(const std::string &path);
    /// The OpenCV that decodes, e.g. "4.6.0".
    static std::string openCvVersion();
    static RgbImage decodeBytes(const std::vector<uint8_t> &bytes, const std::string &label);
};

} // namespace attnscope::core
