#include "core/image/imagepreprocessor.h"

#include "core/bundle/manifest.h"
#include "core/error.h"

#include <opencv2/imgproc.hpp>

#include <cstring>

namespace attnscope::core {

RgbImage ImagePreprocessor::resize(const RgbImage &image, const ImageSpec &spec)
{
    if (image.empty())
        throw Error("the image is empty");
    if (image.width == spec.width && image.height == spec.height)
        return image;
    RgbImage out;
    out.width = spec.width;
    out.height = spec.height;
    out.pixels.resize(static_cast<size_t>(spec.width) * spec.height * 3);
    try {
        const cv::Mat src(image.height, image.width, CV_8UC3, const_cast<uint8_t *>(image.pixels.data()));
        cv::Mat dst(spec.height, spec.width, CV_8UC3, out.pixels.data());
        const bool shrinking = spec.width < image.width && spec.height < image.height;
        cv::resize(src, dst, dst.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        if (dst.data != out.pixels.data())
            throw Error("the resized image was reallocated");
    } catch (const cv::Exception &e) {
        throw Error(std::string("the image could not be resized (") + e.msg + ")");
    }
    return out;
}

std::vector<float> ImagePreprocessor::normalize(const RgbImage &resized, const ImageSpec &spec)
{
    if (resized.width != spec.width || resized.height != spec.height)
        throw Error("the image is not at the model's input size");
    const size_t plane = static_cast<size_t>(spec.width) * spec.height;
    std::vector<float> out(plane * 3);
    for (int c = 0; c < 3; ++c) {
        // In BGR order the model's channel 0 is blue: read source channel 2.
        const int source = spec.rgbOrder ? c : 2 - c;
        const float mean = spec.mean[c];
        const float invStd = 1.0f / spec.std[c];
        float *dst = out.data() + plane * c;
        for (size_t i = 0; i < plane; ++i)
            dst[i] = (resized.pixels[i * 3 + source] / 255.0f - mean) * invStd;
    }
    return out;
}

} // namespace attnscope::core
