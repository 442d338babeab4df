#pragma once

#include "core/json/json.h"

namespace attnscope::core {

struct AttentionSink;
class StreamLayout;

struct Explanation;
struct ModalityWeights;
struct PerturbationCurve;
struct Prediction;
struct TokenizedText;

/// Result types as JSON, for `attnscope explain` and exports. Numbers are
/// written with 9 significant digits (floats round-trip exactly).
class ExplanationJson
{
public:
    static Json prediction(const Prediction &prediction, int top = 5);
    static Json explanation(const Explanation &explanation, bool withMatrix);
    static Json modalityWeights(const ModalityWeights &weights);
    static Json curve(const PerturbationCurve &curve);
    static Json tokens(const TokenizedText &text);
    static Json floats(const std::vector<float> &values);
    /// The run's attention sinks and register tokens, each with its label.
    static Json sinks(const std::vector<AttentionSink> &sinks, const StreamLayout &layout);
};

} // namespace attnscope::core
