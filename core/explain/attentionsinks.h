#pragma once

#include <functional>
#include <string>
#include <vector>

namespace attnscope::core {

class CapturedRun;

/// A token that draws a large share of attention in many heads: an
/// attention sink. Transformers park attention they do not need on a few
/// tokens that carry little content - the first token ([CLS], <s>), [SEP],
/// register tokens added for the purpose, high-norm background patches
/// (Darcet et al., "Vision Transformers Need Registers", ICLR 2024) - so a
/// map where every token looks at one of them says little about what the
/// model reads. Register tokens (a segment named "reg..." or "register...")
/// are reported as such even where they draw little.
struct AttentionSink
{
    int stream = 0;
    int index = 0;            ///< token in its stream
    float headShare = 0.0f;   ///< share of the heads reading the stream in which it is a sink
    float meanAttention = 0.0f; ///< its mean received attention per query, over those heads
    float evenShare = 0.0f;   ///< what each key would get if attention were spread evenly (1 / unpadded keys)
    bool registerToken = false;
    bool sink = false;        ///< a sink by the measure (a register may be none)
};

/// Finds sinks on a run: in one head of one map, a key token is a sink when
/// the unpadded queries give it, on average, at least max(kMinShare,
/// kUniformMultiple / keys) of their attention; a token is reported when it
/// is a sink in at least kHeadShare of the heads that read its stream.
/// Padding is never one.
class AttentionSinks
{
public:
    static constexpr float kMinShare = 0.2f;
    static constexpr float kUniformMultiple = 4.0f;
    static constexpr float kHeadShare = 0.25f;

    /// Computed on the run's first call and kept with it. Thread rules: the
    /// run's (one thread at a time).
    static std::vector<AttentionSink> find(const CapturedRun &run);
    /// A sentence for the teaching view and the notes (the sinks; register
    /// tokens that are no sinks on this input, with what they draw), or empty.
    static std::string describe(const std::vector<AttentionSink> &sinks,
                                const std::function<std::string(const AttentionSink &)> &label);
};

} // namespace attnscope::core
