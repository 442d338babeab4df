#pragma once

namespace attnscope::core {

/// The part of a source image that the model's input covers, in fractions of
/// the source's width and height: {0, 0, 1, 1} when it is stretched to the
/// input; inside it when a centre crop cut the edges off (x > 0); beyond it
/// when the input was padded (x < 0, width > 1). Patch grids are laid over
/// this rectangle, never over the whole photo.
struct InputRegion
{
    double x = 0.0;
    double y = 0.0;
    double width = 1.0;
    double height = 1.0;

    bool whole() const { return x == 0.0 && y == 0.0 && width == 1.0 && height == 1.0; }
};

} // namespace attnscope::core
