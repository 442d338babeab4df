#pragma once

#include "core/image/rgbimage.h"
#include "core/render/colormap.h"

#include <vector>

namespace attnscope::core {

/// Heatmaps into plain RGBA buffers, so the CLI and the GUI draw the same pixels.
class Overlay
{
public:
    /// Colours a width x height map of values in [0, 1]; NaN is transparent.
    static RgbaImage colorize(const std::vector<float> &values, int width, int height, const Colormap &colormap);
    /// base * (1 - opacity) + colour(value) * opacity per pixel, rounded; the
    /// map must have the base image's size. Alpha is opaque.
    static RgbaImage blend(const RgbImage &base, const std::vector<float> &values, const Colormap &colormap,
                           float opacity);
    /// Keeps the image's colours: each pixel mixed with a dimmed grey of
    /// itself (kDim x its Rec. 601 luma), a = 1 - strength * (1 - value):
    /// base * a + grey * (1 - a), rounded. Mixing with a neutral grey scales
    /// every channel difference by a, so the hue stays the image's own; NaN
    /// leaves a pixel as it is. The map must have the base image's size.
    static RgbaImage spotlight(const RgbImage &base, const std::vector<float> &values, float strength);
    static constexpr float kDim = 0.4f;
};

} // namespace attnscope::core
