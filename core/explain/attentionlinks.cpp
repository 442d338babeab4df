#include "core/explain/attentionlinks.h"

#include <algorithm>

namespace attnscope::core {

namespace {

bool inRange(int index, int offset, int count) { return index >= offset && index < offset + count; }

int textCount(const std::vector<LayoutToken> &layout)
{
    int count = 0;
    for (const auto &t : layout) {
        if (t.textIndex >= 0)
            count = std::max(count, t.textIndex + 1);
    }
    return count;
}

enum class Into { Patches, Words };

/// Row `row` of the matrix (a layout index) over its columns, written into
/// `scores` by patch index or by text position (special and padded words
/// stay 0). Returns whether any column was such a token.
bool readRow(const Explanation &m, const std::vector<LayoutToken> &layout, int row, Into into,
             std::vector<float> &scores)
{
    bool any = false;
    for (int c = 0; c < m.matrix.cols(); ++c) {
        const int column = m.matrixColOffset + c;
        if (column >= static_cast<int>(layout.size()))
            break;
        const LayoutToken &t = layout[static_cast<size_t>(column)];
        const int index = into == Into::Patches ? t.patchIndex : t.textIndex;
        if (index < 0)
            continue;
        any = true;
        if (into == Into::Patches || !t.special)
            scores[static_cast<size_t>(index)] = m.matrix.at(row - m.matrixRowOffset, c);
    }
    return any;
}

} // namespace

const Explanation &AttentionLinks::linkMatrix(const Explanation &method, const Explanation &attention,
                                                   int token)
{
    const bool own = method.method == Method::Rollout || method.method == Method::Relevance;
    return own && hasRow(method, token) ? method : attention;
}

bool AttentionLinks::hasRow(const Explanation &m, int token)
{
    return !m.matrix.empty() && inRange(token, m.matrixRowOffset, m.matrix.rows());
}

std::vector<float> AttentionLinks::rowOverPatches(const Explanation &m,
                                                  const std::vector<LayoutToken> &layout, int token)
{
    if (!hasRow(m, token))
        return {};
    int patches = 0;
    for (const auto &t : layout) {
        if (t.patchIndex >= 0)
            patches = std::max(patches, t.patchIndex + 1);
    }
    std::vector<float> scores(static_cast<size_t>(patches), 0.0f);
    return readRow(m, layout, token, Into::Patches, scores) ? scores : std::vector<float>{};
}

std::vector<float> AttentionLinks::patchOverText(const Explanation &m,
                                                 const std::vector<LayoutToken> &layout, int patch)
{
    if (m.matrix.empty() || patch < 0 || patch >= static_cast<int>(layout.size()))
        return {};
    std::vector<float> scores(static_cast<size_t>(textCount(layout)), 0.0f);
    bool any = false;
    // Words as queries reading the patch: its column.
    if (inRange(patch, m.matrixColOffset, m.matrix.cols())) {
        for (int r = 0; r < m.matrix.rows(); ++r) {
            const int row = m.matrixRowOffset + r;
            if (row >= static_cast<int>(layout.size()))
                break;
            const LayoutToken &t = layout[static_cast<size_t>(row)];
            if (t.textIndex < 0)
                continue;
            any = true;
            if (!t.special)
                scores[static_cast<size_t>(t.textIndex)] = m.matrix.at(r, patch - m.matrixColOffset);
        }
    }
    if (any)
        return scores;
    // Otherwise the patch as the query: what it draws from each word (its row).
    if (!hasRow(m, patch))
        return {};
    return readRow(m, layout, patch, Into::Words, scores) ? scores : std::vector<float>{};
}

} // namespace attnscope::core
