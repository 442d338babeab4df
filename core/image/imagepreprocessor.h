#pragma once

#include "core/image/rgbimage.h"

#include <string>
#include <vector>

namespace attnscope::core {

struct ImageSpec;

/// Resizes and normalises an image as the manifest says.
class ImagePreprocessor
{
public:
    /// The image resized to the model's input size (area interpolation when
    /// shrinking both sides, bilinear otherwise).
    static RgbImage resize(const RgbImage &image, const ImageSpec &spec);
    /// Channel-first floats [3, height, width]: (pixel / 255 - mean) / std, in
    /// the channel order the model wants.
    static std::vector<float> normalize(const RgbImage &resized, const ImageSpec &spec);
    /// A sentence when the image is far from what the model takes: its
    /// aspect ratio differs from the input's by more than 1.5x (the stretch
    /// squashes it), or it is enlarged more than 4x; empty otherwise.
    static std::string fitNote(int width, int height, const ImageSpec &spec);
};

} // namespace attnscope::core
