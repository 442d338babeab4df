#pragma once

#include "core/explain/explanation.h"

#include <functional>
#include <limits>
#include <vector>

namespace attnscope::core {

class CapturedRun;

/// What one attention head does on one run: BertViz's model view as numbers,
/// plus how much the relevance method leans on the head.
struct HeadStatistic
{
    static constexpr float kNone = std::numeric_limits<float>::quiet_NaN();
    int map = 0;    ///< index of the attention map (manifest order)
    int layer = 0;
    int head = 0;
    /// Mean over unpadded queries of the row entropy -sum a ln a (nats).
    float entropy = kNone;
    /// Image and word queries: the mean share of attention on content keys of
    /// the other modality. NaN when the map has no such query.
    float crossModalShare = kNone;
    /// Image queries over image keys: the attention-weighted mean distance on
    /// the patch grid (patch units). NaN when the map links no patch to a patch.
    float meanDistance = kNone;
    /// The head's share of the map's sum of (gradient x attention)+ for the
    /// target: the weight generic relevance gives it. NaN without gradients.
    float gradientWeight = kNone;
    /// Unpadded queries' mean share of attention on the key stream's
    /// attention sinks and register tokens (AttentionSinks). NaN when the
    /// stream has none.
    float sinkShare = kNone;
    /// The head's map, block-averaged to at most `thumbnailSize` a side.
    Matrix thumbnail;
    /// Thumbnail columns that average in a sink's key column: what "without
    /// sinks" leaves out of the thumbnail's colour scale.
    std::vector<int> thumbnailSinkColumns;
};

class HeadStatistics
{
public:
    /// Every head of every map. Gradients for `target` are computed (once per
    /// run) if the model allows; otherwise gradientWeight stays NaN.
    /// `progress(done, total)` is called after each map, on this thread.
    static std::vector<HeadStatistic> compute(CapturedRun &run, int target, int thumbnailSize = 48,
                                              const std::function<void(int done, int total)> &progress = {});
};

} // namespace attnscope::core
