#pragma once

#include "core/engine/device.h"
#include "core/explain/explanation.h"

#include <string>
#include <vector>

namespace attnscope::core {
class ModelBundle;
struct Manifest;
}

namespace attnscope::app {

class CommandOptions;

/// What the command-line options that name methods, devices, answers, maps,
/// heads and layers mean; each throws UsageError naming the option and what
/// the model has instead.
class ModelOptions
{
public:
    /// `all`, or names separated by commas (`raw,relevance`).
    static std::vector<core::Method> methods(const std::string &text);
    /// `--device`, default auto.
    static core::DeviceChoice device(const CommandOptions &options);
    /// `--target index:N|label:NAME`, or a plain value that can mean only
    /// one of them; -1 when absent (the predicted answer).
    static int target(const CommandOptions &options, const core::Manifest &manifest);
    /// `--attention`, `--head` and `--start-layer` against the model.
    static void check(const CommandOptions &options, const core::MethodOptions &base, const core::ModelBundle &bundle);
};

} // namespace attnscope::app
