#pragma once

#include "core/bundle/manifest.h"
#include "core/engine/modelinput.h"
#include "core/engine/prediction.h"

#include <memory>
#include <vector>

namespace attnscope::core {

class ModelBundle;

/// One forward pass kept for explaining: the logits, every attention map and
/// (on demand, per target label) the gradients of the target logit with
/// respect to each attention map. The tensors stay inside; methods read them
/// through the explain classes, and the UI gets plain results.
///
/// Thread rules: used by the thread that made it (the worker).
class CapturedRun
{
public:
    struct Impl;
    explicit CapturedRun(std::unique_ptr<Impl> impl);
    ~CapturedRun();

    const ModelBundle &bundle() const;
    const Manifest &manifest() const;
    const ModelInput &input() const;
    const Prediction &prediction() const;
    /// Number of heads of each attention map, in manifest order.
    std::vector<int> headCounts() const;
    /// False only after a failure left the run without its attention maps
    /// (the model could not be run again); such a run must be made anew.
    bool hasMaps() const;
    /// Milliseconds spent in the forward pass.
    double forwardMilliseconds() const;

    Impl &impl() const { return *d; }

private:
    std::unique_ptr<Impl> d;
};

} // namespace attnscope::core
