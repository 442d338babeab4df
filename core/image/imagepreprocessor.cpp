#include "core/image/imagepreprocessor.h"

#include "core/bundle/manifest.h"
#include "core/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
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

std::string ImagePreprocessor::fitNote(int width, int height, const ImageSpec &spec)
{
    if (width <= 0 || height <= 0 || spec.width <= 0 || spec.height <= 0)
        return {};
    auto decimal = [](double v) {
        char text[32];
        std::snprintf(text, sizeof text, v >= 10 ? "%.0f" : "%.1f", v);
        std::string s = text;
        for (char &c : s) // whatever the C locale says
            if (c == ',')
                c = '.';
        return s;
    };
    const std::string image = std::to_string(width) + "x" + std::to_string(height);
    const std::string input = std::to_string(spec.width) + "x" + std::to_string(spec.height);
    const double sx = static_cast<double>(spec.width) / width, sy = static_cast<double>(spec.height) / height;
    const double squash = std::max(sx, sy) / std::min(sx, sy);
    if (squash > 1.5)
        return "The image is " + image + " pixels and the model takes " + input + ": stretched to fit, it is squashed "
               + decimal(squash) + " times " + (sx < sy ? "in width" : "in height")
               + ", so shapes look different to the model than to you.";
    if (std::min(sx, sy) > 4.0)
        return "The image is " + image + " pixels, much smaller than the model's " + input + " input: it is enlarged "
               + decimal(std::min(sx, sy)) + " times, and the model sees no detail the image does not have.";
    return {};
}

} // namespace attnscope::core
