#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

/// A saved AttnScope session: everything needed to reproduce a view - the
/// model (path and SHA-256), the image (path and SHA-256, and its bytes when
/// embedded; none for a model that sees no image), the text (and a pair's
/// second text, and the zero-shot candidates), the method and the view
/// settings. JSON, format
/// "attnscope-session/1"; unknown members are ignored, so later versions can
/// add to it.
struct Session
{
    static constexpr const char *kFormat = "attnscope-session/1";

    std::string modelPath;
    std::string modelSha256;
    std::string imagePath;
    std::string imageSha256;
    std::vector<uint8_t> imageData; ///< the image file's bytes when embedded; empty when referenced
    std::string text;
    std::string pair;                    ///< a sentence pair's second text
    std::vector<std::string> candidates; ///< the zero-shot candidate captions

    std::string method = "relevance";
    std::string device = "auto";
    int target = -1;       ///< -1: the predicted answer
    int attention = -1;    ///< map in the matrix view; -1: the default
    int head = -1;         ///< -1: the heads' mean
    int selectedToken = -1;
    std::string colormap = "viridis";
    double opacity = 0.55;
    std::string overlay = "spotlight"; ///< "spotlight" (keeps the image's colours) or "blend"
    std::string fusion = "mean";       ///< rollout's head fusion: "mean", "max" or "min"
    double discardRatio = 0.0;         ///< rollout's discard ratio, [0, 1)
    bool withoutSinks = false;         ///< sinks left out of rollout and the colour scales
    bool smooth = true;
    bool grid = false;
    double zoom = 1.0;
    double panX = 0.0;
    double panY = 0.0;
    int tab = 0;

    /// Throws Error("<source>: ...") naming the bad member.
    static Session parse(const std::string &text, const std::string &source = "session");
    std::string toJson() const;
};

} // namespace attnscope::core
