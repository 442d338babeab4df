#include "core/render/overlay.h"

#include "core/error.h"

#include <algorithm>
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

RgbaImage Overlay::blend(const RgbImage &base, const std::vector<float> &values, const Colormap &colormap,
                         float opacity)
{
    if (values.size() != static_cast<size_t>(base.width) * base.height)
        throw Error("overlay: the heatmap does not match the image size");
    const float a = std::clamp(opacity, 0.0f, 1.0f);
    RgbaImage out;
    out.width = base.width;
    out.height = base.height;
    out.pixels.resize(values.size() * 4);
    for (size_t i = 0; i < values.size(); ++i) {
        const uint8_t *src = base.pixels.data() + i * 3;
        uint8_t *dst = out.pixels.data() + i * 4;
        if (std::isnan(values[i])) {
            std::copy(src, src + 3, dst);
        } else {
            const auto c = colormap.map(values[i]);
            for (int k = 0; k < 3; ++k)
                dst[k] = static_cast<uint8_t>(std::lround(src[k] * (1.0f - a) + c[static_cast<size_t>(k)] * a));
        }
        dst[3] = 255;
    }
    return out;
}

} // namespace attnscope::core
