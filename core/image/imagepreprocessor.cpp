#include "core/image/imagepreprocessor.h"

#include "core/bundle/manifest.h"
#include "core/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace attnscope::core {

namespace {

/// The resize before a crop or pad: the whole source to `width` x `height`;
/// then either the input-sized window at (left, top) of it (a crop) or it
/// placed at (left, top) of the input (a pad).
struct Geometry
{
    int width = 0;
    int height = 0;
    int left = 0;
    int top = 0;
};

constexpr int64_t kMaxIntermediatePixels = 40'000'000;

// Python's round(), as torchvision's centre crop uses it: halves to even.
int roundHalfEven(double v) { return static_cast<int>(std::nearbyint(v)); }

Geometry geometryOf(int w, int h, const ImageSpec &spec)
{
    const int64_t W = w, H = h;
    Geometry g;
    if (spec.resize == "shortest_edge") {
        // timm: scale = floor(input / crop_pct); torchvision's Resize(int)
        // takes the shorter side there and the longer side in proportion,
        // truncated; then the centre crop.
        const int64_t tw = static_cast<int64_t>(std::floor(spec.width / spec.cropPct + 1e-9));
        const int64_t th = static_cast<int64_t>(std::floor(spec.height / spec.cropPct + 1e-9));
        if (tw * H >= th * W) {
            g.width = static_cast<int>(tw);
            g.height = static_cast<int>(std::max<int64_t>(th, tw * H / W));
        } else {
            g.height = static_cast<int>(th);
            g.width = static_cast<int>(std::max<int64_t>(tw, th * W / H));
        }
        g.left = roundHalfEven((g.width - spec.width) / 2.0);
        g.top = roundHalfEven((g.height - spec.height) / 2.0);
    } else if (spec.resize == "pad") {
        if (int64_t(spec.width) * H <= int64_t(spec.height) * W) {
            g.width = spec.width;
            g.height = static_cast<int>(std::clamp<int64_t>((2 * H * spec.width + W) / (2 * W), 1, spec.height));
        } else {
            g.height = spec.height;
            g.width = static_cast<int>(std::clamp<int64_t>((2 * W * spec.height + H) / (2 * H), 1, spec.width));
        }
        g.left = (spec.width - g.width) / 2;
        g.top = (spec.height - g.height) / 2;
    } else {
        g.width = spec.width;
        g.height = spec.height;
    }
    return g;
}

int interpolationFlag(const std::string &name, bool shrinking)
{
    if (name == "bilinear")
        return cv::INTER_LINEAR;
    if (name == "bicubic")
        return cv::INTER_CUBIC;
    if (name == "area")
        return cv::INTER_AREA;
    if (name == "nearest")
        return cv::INTER_NEAREST;
    return shrinking ? cv::INTER_AREA : cv::INTER_LINEAR;
}

RgbImage resized(const RgbImage &image, int width, int height, const std::string &interpolation)
{
    if (image.width == width && image.height == height)
        return image;
    RgbImage out;
    out.width = width;
    out.height = height;
    out.pixels.resize(static_cast<size_t>(width) * height * 3);
    try {
        const cv::Mat src(image.height, image.width, CV_8UC3, const_cast<uint8_t *>(image.pixels.data()));
        cv::Mat dst(height, width, CV_8UC3, out.pixels.data());
        const bool shrinking = width < image.width && height < image.height;
        cv::resize(src, dst, dst.size(), 0, 0, interpolationFlag(interpolation, shrinking));
        if (dst.data != out.pixels.data())
            throw Error("the resized image was reallocated");
    } catch (const cv::Exception &e) {
        throw Error(std::string("the image could not be resized (") + e.msg + ")");
    }
    return out;
}

} // namespace

RgbImage ImagePreprocessor::resize(const RgbImage &image, const ImageSpec &spec)
{
    if (image.empty())
        throw Error("the image is empty");
    const Geometry g = geometryOf(image.width, image.height, spec);
    if (spec.resize == "shortest_edge" && int64_t(g.width) * g.height > kMaxIntermediatePixels) {
        // A strip thousands of times longer than high would be resized to
        // gigabytes before the crop: crop the source to the same window
        // first (the edge pixels' interpolation differs slightly).
        const InputRegion r = region(image.width, image.height, spec);
        RgbImage window;
        const int x0 = std::clamp(static_cast<int>(std::lround(r.x * image.width)), 0, image.width - 1);
        const int y0 = std::clamp(static_cast<int>(std::lround(r.y * image.height)), 0, image.height - 1);
        window.width = std::clamp(static_cast<int>(std::lround(r.width * image.width)), 1, image.width - x0);
        window.height = std::clamp(static_cast<int>(std::lround(r.height * image.height)), 1, image.height - y0);
        window.pixels.resize(static_cast<size_t>(window.width) * window.height * 3);
        for (int y = 0; y < window.height; ++y)
            std::memcpy(window.pixels.data() + static_cast<size_t>(y) * window.width * 3, image.pixel(x0, y0 + y),
                        static_cast<size_t>(window.width) * 3);
        return resized(window, spec.width, spec.height, spec.interpolation);
    }
    const RgbImage scaled = resized(image, g.width, g.height, spec.interpolation);
    if (spec.resize == "stretch" || (g.width == spec.width && g.height == spec.height && g.left == 0 && g.top == 0))
        return scaled;
    RgbImage out;
    out.width = spec.width;
    out.height = spec.height;
    out.pixels.resize(static_cast<size_t>(spec.width) * spec.height * 3);
    if (spec.resize == "shortest_edge") {
        for (int y = 0; y < spec.height; ++y)
            std::memcpy(out.pixels.data() + static_cast<size_t>(y) * spec.width * 3, scaled.pixel(g.left, g.top + y),
                        static_cast<size_t>(spec.width) * 3);
        return out;
    }
    // Padded with the mean colour, which normalises to zero: the bars carry
    // no signal. The mean is in the model's channel order, the pixels RGB.
    uint8_t fill[3];
    for (int k = 0; k < 3; ++k) {
        const float mean = spec.mean[static_cast<size_t>(spec.rgbOrder ? k : 2 - k)];
        fill[k] = static_cast<uint8_t>(std::clamp(std::lround(mean * 255.0f), 0L, 255L));
    }
    for (size_t i = 0; i < out.pixels.size(); i += 3)
        std::memcpy(out.pixels.data() + i, fill, 3);
    for (int y = 0; y < g.height; ++y)
        std::memcpy(out.pixels.data() + (static_cast<size_t>(g.top + y) * spec.width + g.left) * 3, scaled.pixel(0, y),
                    static_cast<size_t>(g.width) * 3);
    return out;
}

InputRegion ImagePreprocessor::region(int width, int height, const ImageSpec &spec)
{
    InputRegion r;
    if (width <= 0 || height <= 0 || spec.resize == "stretch")
        return r;
    const Geometry g = geometryOf(width, height, spec);
    r.width = static_cast<double>(spec.width) / g.width;
    r.height = static_cast<double>(spec.height) / g.height;
    const double sign = spec.resize == "pad" ? -1.0 : 1.0;
    r.x = sign * g.left / g.width;
    r.y = sign * g.top / g.height;
    return r;
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
    const InputRegion r = region(width, height, spec);
    auto percent = [](double v) { return std::to_string(static_cast<int>(std::lround(v * 100.0))) + "%"; };
    if (spec.resize == "shortest_edge") {
        const double seen = std::min(1.0, r.width) * std::min(1.0, r.height);
        if (seen < 2.0 / 3.0)
            return "The image is " + image + " pixels and the model takes a centre crop of it: it sees only the middle "
                   + percent(seen) + " of the image; the dimmed edges were cut off, and nothing there can explain "
                   "the answer.";
    } else if (spec.resize == "pad") {
        const double bars = 1.0 - 1.0 / (r.width * r.height);
        if (bars > 1.0 / 3.0)
            return "The image is " + image + " pixels and the model takes " + input + ": fitted whole, grey bars fill "
                   + percent(bars) + " of the model's input, so the image itself gets only the rest of its patches.";
    } else if (squash > 1.5) {
        return "The image is " + image + " pixels and the model takes " + input + ": stretched to fit, it is squashed "
               + decimal(squash) + " times " + (sx < sy ? "in width" : "in height")
               + ", so shapes look different to the model than to you.";
    }
    // Input pixels per image pixel, along the less enlarged side.
    const double enlarged = std::min(spec.width / (r.width * width), spec.height / (r.height * height));
    if (enlarged > 4.0)
        return "The image is " + image + " pixels, much smaller than the model's " + input + " input: it is enlarged "
               + decimal(enlarged) + " times, and the model sees no detail the image does not have.";
    return {};
}

} // namespace attnscope::core
