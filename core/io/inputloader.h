#pragma once

#include "core/engine/modelinput.h"

#include <string>

namespace attnscope::core {

struct Manifest;

/// Builds a ModelInput from an image and a text, as the manifest says.
class InputLoader
{
public:
    /// Throws Error naming the image file on a decode failure. A model that
    /// takes no image ignores `imagePath` (empty); `pair` is the second text
    /// of a sentence pair (a subword tokenizer's; a pair model always gets
    /// one, empty when none is given).
    static ModelInput load(const Manifest &manifest, const std::string &imagePath, const std::string &text,
                           const std::string &pair = {});
    static ModelInput fromImage(const Manifest &manifest, const RgbImage &image, const std::string &text,
                                const std::string &pair = {});

    /// Longer texts are refused before any work (a 200 MB text exhausted
    /// memory in the tokenizer); the CLI's --text-file reads no more.
    static constexpr size_t kMaxTextBytes = size_t(1) << 20;
    /// Throws Error for a text longer than kMaxTextBytes.
    static void checkTextLength(const std::string &text);
};

} // namespace attnscope::core
