#pragma once

#include <string>
#include <vector>

namespace attnscope::core {

/// A model's card: the Markdown file beside the model with the same name
/// (`models/zoo/shapes_late_fusion.md` for `shapes_late_fusion.pt`). Its
/// first paragraph is the summary; its "## Known limits" bullets say where the
/// model is known to fail, each with the words that mark such a question in
/// parentheses ("Spatial questions (left of, right of, above, below): ...").
struct ModelCard
{
    struct Limit
    {
        std::string text;               ///< the bullet, without its "- "
        std::vector<std::string> words; ///< the words in its first parentheses, lower case
    };

    std::string path;   ///< empty when the model has no card
    std::string text;   ///< the whole card (Markdown)
    std::string summary; ///< the first paragraph, its lines joined
    std::vector<Limit> limits;

    bool exists() const { return !path.empty(); }
    /// The card of the model file at `modelPath`; an empty card when there is none.
    static ModelCard forModel(const std::string &modelPath);
    /// Parses a card's text (for tests and forModel).
    static ModelCard parse(const std::string &text);
    /// The known limits whose words appear in `question` (case-insensitive,
    /// at word boundaries).
    std::vector<Limit> limitsFor(const std::string &question) const;
};

} // namespace attnscope::core
