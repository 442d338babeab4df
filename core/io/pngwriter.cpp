#include "core/io/atomicfile.h"
#include "core/io/pngwriter.h"

#include "core/error.h"
#include "core/io/textfile.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace attnscope::core {

void PngWriter::write(const RgbaImage &image, const std::string &path)
{
    if (image.empty())
        throw Error(path + ": nothing to write (the image is empty)");
    std::vector<uchar> encoded;
    try {
        const cv::Mat rgba(image.height, image.width, CV_8UC4, const_cast<uint8_t *>(image.pixels.data()));
        // An opaque image (every overlay) is written without its alpha
        // channel: a quarter less to compress, the same picture.
        bool opaque = true;
        for (size_t i = 3; i < image.pixels.size() && opaque; i += 4)
            opaque = image.pixels[i] == 255;
        cv::Mat bgr;
        cv::cvtColor(rgba, bgr, opaque ? cv::COLOR_RGBA2BGR : cv::COLOR_RGBA2BGRA);
        if (!cv::imencode(".png", bgr, encoded))
            throw Error(path + ": the PNG could not be encoded");
    } catch (const cv::Exception &e) {
        throw Error(path + ": the PNG could not be encoded (" + e.msg + ")");
    }
    AtomicFile::write(path, std::string(encoded.begin(), encoded.end()));
}

} // namespace attnscope::core
