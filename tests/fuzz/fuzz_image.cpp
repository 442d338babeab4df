// The image decoder wrapper (header sniffing, the GIF decoder, EXIF
// orientation, OpenCV's decoders behind it) on arbitrary bytes.
#include "core/error.h"
#include "core/image/imagedecoder.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace attnscope::core;
    const std::vector<uint8_t> bytes(data, data + size);
    try {
        const RgbImage image = ImageDecoder::decodeBytes(bytes, "fuzz");
        if (image.empty() || image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3
            || static_cast<int64_t>(image.width) * image.height > ImageDecoder::kMaxPixels)
            std::abort();
    } catch (const Error &) {
    }
    return 0;
}
