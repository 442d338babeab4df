#pragma once

#include "core/engine/modelinput.h"

#include <string>

namespace attnscope::core {

struct Manifest;

/// Builds a ModelInput from an image and a text, as the manifest says.
class InputLoader
{
public:
    /// Throws Error naming the image file on a decode failure.
    static ModelInput load(const Manifest &manifest, const std::string &imagePath, const std::string &text);
    static ModelInput fromImage(const Manifest &manifest, const RgbImage &image, const std::string &text);
};

} // namespace attnscope::core
