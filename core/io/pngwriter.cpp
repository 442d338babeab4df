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
        cv::Mat bgra;
        cv::cvtColor(rgba, bgra, cv::COLOR_RGBA2BGRA);
        if (!cv::imencode(".png", bgra, encoded))
            throw Error(path + ": the PNG could not be encoded");
    } catch (const cv::Exception &e) {
        throw Error(path + ": the PNG could not be encoded (" + e.msg + ")");
    }
    TextFile::write(path, std::string(encoded.begin(), encoded.end()));
}

} // namespace attnscope::core
