#include "core/render/overlay.h"

#include "core/error.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace attnscope::core {

RgbaImage Overlay::colorize(const std::vector<float> &values, int width, int height, const Colormap &colormap)
{
    if (values.size() != static_cast<size_t>(width) * height)
        throw Error("overlay: the map does not match its size");
    RgbaImage out;
    out.width = width;
    out.height = height;
    out.pixels.resize(values.size() * 4);
    for (size_t i = 0; i < values.size(); ++i) {
        const auto c = colormap.map(values[i]);
        uint8_t *p = out.pixels.data() + i * 4;
        p[0] = c[0];
        p[1] = c[1];
        p[2] = c[2];
        p[3] = std::isnan(values[i]) ? 0 : 255;
    }
    return out;
}

namespace {

/// An opaque image of `base`'s size for a map of its size; throws otherwise.
RgbaImage opaqueLike(const RgbImage &base, const std::vector<float> &values)
{
    if (values.size() != static_cast<size_t>(base.width) * base.height)
        throw Error("overlay: the heatmap does not match the image size");
    RgbaImage out;
    out.width = base.width;
    out.height = base.height;
    out.pixels.resize(values.size() * 4);
    return out;
}

} // namespace

RgbaImage Overlay::blend(const RgbImage &base, const std::vector<float> &values, const Colormap &colormap,
                         float opacity)
{
    RgbaImage out = opaqueLike(base, values);
    const float a = std::clamp(opacity, 0.0f, 1.0f);
    const float keep = 1.0f - a;
    // The colour table times the opacity, once; per pixel a table look-up and
    // one multiply-add per channel. Every term is non-negative, so adding 0.5
    // and truncating rounds as lround does.
    std::array<std::array<float, 3>, 256> tint{};
    for (int e = 0; e < 256; ++e)
        for (int k = 0; k < 3; ++k)
            tint[static_cast<size_t>(e)][static_cast<size_t>(k)] = colormap.entry(e)[static_cast<size_t>(k)] * a;
    const uint8_t *src = base.pixels.data();
    uint8_t *dst = out.pixels.data();
    for (size_t i = 0; i < values.size(); ++i, src += 3, dst += 4) {
        const float t = values[i];
        if (std::isnan(t)) {
            dst[0] = src[0];
            dst[1] = src[1];
            dst[2] = src[2];
        } else {
            // Colormap::map's entry: round(t * 255), clamped.
            const size_t e = !(t > 0.0f) ? 0 : (t >= 1.0f ? 255 : static_cast<size_t>(t * 255.0f + 0.5f));
            const std::array<float, 3> &c = tint[e];
            dst[0] = static_cast<uint8_t>(src[0] * keep + c[0] + 0.5f);
            dst[1] = static_cast<uint8_t>(src[1] * keep + c[1] + 0.5f);
            dst[2] = static_cast<uint8_t>(src[2] * keep + c[2] + 0.5f);
        }
        dst[3] = 255;
    }
    return out;
}

RgbaImage Overlay::spotlight(const RgbImage &base, const std::vector<float> &values, float strength)
{
    RgbaImage out = opaqueLike(base, values);
    const float s = std::clamp(strength, 0.0f, 1.0f);
    const uint8_t *src = base.pixels.data();
    uint8_t *dst = out.pixels.data();
    for (size_t i = 0; i < values.size(); ++i, src += 3, dst += 4) {
        const float t = values[i];
        const float a = std::isnan(t) ? 1.0f : 1.0f - s * (1.0f - std::clamp(t, 0.0f, 1.0f));
        const float grey = kDim * (0.299f * src[0] + 0.587f * src[1] + 0.114f * src[2]);
        for (int k = 0; k < 3; ++k)
            dst[k] = static_cast<uint8_t>(std::clamp(src[k] * a + grey * (1.0f - a) + 0.5f, 0.0f, 255.0f));
        dst[3] = 255;
    }
    return out;
}

} // namespace attnscope::core
