#pragma once

#include "core/image/inputregion.h"
#include "core/image/rgbimage.h"

#include <string>
#include <vector>

namespace attnscope::core {

struct ImageSpec;

/// Resizes and normalises an image as the manifest says.
class ImagePreprocessor
{
public:
    /// The image as the model's input: resized by the manifest's mode
    /// (stretch, shortest edge + centre crop, pad with the mean colour) and
    /// interpolation ("auto": area when shrinking both sides, bilinear
    /// otherwise).
    static RgbImage resize(const RgbImage &image, const ImageSpec &spec);
    /// Where the input lies on a width x height source (see InputRegion).
    static InputRegion region(int width, int height, const ImageSpec &spec);
    /// Channel-first floats [3, height, width]: (pixel / 255 - mean) / std, in
    /// the channel order the model wants.
    static std::vector<float> normalize(const RgbImage &resized, const ImageSpec &spec);
    /// A sentence when the image is far from what the model takes: stretched,
    /// its aspect ratio differs from the input's by more than 1.5x (it is
    /// squashed); cropped, more than a third of it is cut off; padded, bars
    /// fill more than a third of the input; or it is enlarged more than 4x.
    /// Empty otherwise.
    static std::string fitNote(int width, int height, const ImageSpec &spec);
};

} // namespace attnscope::core
