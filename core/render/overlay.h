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
};

} // namespace attnscope::core
