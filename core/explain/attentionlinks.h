#pragma once

#include "core/explain/explanation.h"
#include "core/explain/streamlayout.h"

#include <vector>

namespace attnscope::core {

/// The links between views, read off a token x token matrix whose rows and
/// columns are ranges of the layout (Explanation::matrix and its offsets).
/// Pure functions on plain values, so the linking is tested without widgets.
class AttentionLinks
{
public:
    /// text -> image: row `token` (a layout index) over the image patches, one
    /// score per patch in patch order. Empty when the matrix has no such row
    /// or no patch columns.
    static std::vector<float> rowOverPatches(const Explanation &matrix,
                                             const std::vector<LayoutToken> &layout, int token);

    /// image -> text: for each text position, how much that word attends to
    /// the patch at layout index `patch` (its column); where the matrix has no
    /// text rows reading that column, how much the patch draws from each word
    /// (its row). One score per text position, 0 for special and padded ones.
    /// Empty when the matrix links the patch to no word.
    static std::vector<float> patchOverText(const Explanation &matrix,
                                            const std::vector<LayoutToken> &layout, int patch);

    /// The matrix the views link through for a token: the method's own
    /// token x token matrix for rollout and relevance (when it has the
    /// token's row), else the attention map shown in the matrix view.
    static const Explanation &linkMatrix(const Explanation &method, const Explanation &attention,
                                               int token);

    /// Whether the matrix has a row for layout index `token`.
    static bool hasRow(const Explanation &matrix, int token);
};

} // namespace attnscope::core
