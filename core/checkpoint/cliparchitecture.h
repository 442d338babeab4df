#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

/// A CLIP dual encoder (ViT image tower) as its checkpoint describes it:
/// widths, depths, patch size, context length and vocabulary from the
/// tensors' shapes; heads from the configuration (OpenAI's build_model
/// assumes width / 64, which narrow models do not follow).
struct ClipArchitecture
{
    enum class Layout { OpenAI, HuggingFace };
    Layout layout = Layout::OpenAI;
    int embed = 0; ///< the joint space both towers project into
    int visionWidth = 0, visionLayers = 0, visionHeads = 0, visionMlp = 0, patch = 0, imageSize = 0;
    int textWidth = 0, textLayers = 0, textHeads = 0, textMlp = 0, context = 0, vocabulary = 0;
    double eps = 1e-5;
    bool quickGelu = true;
    int64_t endOfText = 49407; ///< the text is pooled at its first end-of-text token
    std::vector<std::string> notes;

    int grid() const { return imageSize / patch; }
    int visionTokens() const { return 1 + grid() * grid(); }
};

} // namespace attnscope::core
