#pragma once

#include <string>
#include <vector>

namespace attnscope::core {

/// A ViT or DeiT as a checkpoint describes it: what its configuration says
/// and what the shapes of its tensors show (width, depth, patch size and
/// the prefix tokens are read from the tensors; the heads, which no shape
/// shows, from the configuration).
struct VitArchitecture
{
    enum class Layout { Timm, HuggingFace };
    Layout layout = Layout::Timm;
    std::string prefix; ///< Hugging Face: "vit." or "deit."
    std::string name;   ///< timm's architecture or the Hugging Face class
    int patch = 16;
    int width = 0;
    int depth = 0;
    int heads = 0;
    int mlpWidth = 0;
    int imageHeight = 0; ///< the input size (the preprocessing's)
    int imageWidth = 0;
    int positionRows = 0; ///< the patch grid the position embeddings were made for
    int positionCols = 0;
    bool classToken = true;
    bool distillationToken = false;
    int registers = 0;
    bool noEmbedClass = false; ///< timm: position embeddings for the patches only
    bool averagePool = false;  ///< mean of the patch tokens instead of the class token
    bool fcNorm = false;
    bool preNorm = false;
    bool layerScale = false;
    bool qkvBias = true;
    bool distilledHead = false; ///< DeiT: the class and distillation heads averaged
    double eps = 1e-6;
    int classes = 0;
    std::vector<std::string> labels;
    /// Said to the user on opening (position embeddings resized, heads guessed).
    std::vector<std::string> notes;

    int prefixTokens() const { return int(classToken) + int(distillationToken) + registers; }
    int gridRows() const { return imageHeight / patch; }
    int gridCols() const { return imageWidth / patch; }
    int tokens() const { return prefixTokens() + gridRows() * gridCols(); }
};

} // namespace attnscope::core
