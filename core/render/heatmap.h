#pragma once

#include <vector>

namespace attnscope::core {

enum class Interpolation { Nearest, Bilinear };

/// Turning patch scores into a map at image resolution.
class Heatmap
{
public:
    /// Scales to [0, 1] by min and max; a constant (or empty) input gives
    /// zeros. NaN values stay NaN and are ignored for the range.
    static std::vector<float> normalize(const std::vector<float> &values);
    /// A rows x cols grid (row-major) to width x height. Bilinear treats grid
    /// values as samples at cell centres (half-pixel aligned, edges clamped),
    /// so the map's maxima lie at patch centres; nearest repeats each cell.
    static std::vector<float> upsample(const std::vector<float> &grid, int rows, int cols, int width,
                                       int height, Interpolation interpolation);
};

} // namespace attnscope::core
