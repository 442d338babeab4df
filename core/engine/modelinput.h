#pragma once

#include "core/image/rgbimage.h"
#include "core/text/tokenizer.h"

#include <string>
#include <vector>

namespace attnscope::core {

/// One input ready for a model: the normalised image [3, height, width] at the
/// model's size, the tokenised text, and the original image for overlays.
struct ModelInput
{
    std::vector<float> pixels;
    int height = 0;
    int width = 0;
    TokenizedText text;
    RgbImage source;      ///< as decoded, for drawing overlays at full size
    std::string imagePath; ///< where it came from, when it came from a file
    std::string rawText;   ///< the text as the user gave it
    std::string rawPair;   ///< the second text of a pair, as the user gave it
};

} // namespace attnscope::core
