#pragma once

#include "core/image/inputregion.h"

#include <cstdint>
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
    /// The same, the range taken from the values not `leftOut` (attention
    /// sinks); those are clamped into [0, 1]. All left out: as normalize().
    static std::vector<float> normalize(const std::vector<float> &values, const std::vector<uint8_t> &leftOut);
    /// A rows x cols grid (row-major) to width x height. Bilinear treats grid
    /// values as samples at cell centres (half-pixel aligned, edges clamped),
    /// so the map's maxima lie at patch centres; nearest repeats each cell.
    /// With a region, the grid covers that part of the width x height image
    /// (the model's crop or padded input); pixels outside it are 0: the model
    /// did not see them.
    static std::vector<float> upsample(const std::vector<float> &grid, int rows, int cols, int width,
                                       int height, Interpolation interpolation, const InputRegion &region = {});
};

} // namespace attnscope::core
