#pragma once

#include "core/explain/explanation.h"

namespace attnscope::core {

class CapturedRun;

/// Runs an explanation method on a captured run. Gradients are computed once
/// per target and kept in the run, so switching methods costs no forward pass.
class Explainer
{
public:
    /// Throws Error for impossible requests (a gradient method on a model whose
    /// attention is not differentiable, a target or map that does not exist).
    static Explanation explain(CapturedRun &run, const MethodOptions &options);
    /// The raw-attention map shown by default: the last one whose queries are
    /// the decision token's stream and whose keys include image patches.
    static int defaultAttention(const CapturedRun &run);
};

} // namespace attnscope::core
