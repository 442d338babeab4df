#pragma once

#include "core/json/json.h"

namespace attnscope::core {

class ModelBundle;

/// A loaded model as `attnscope info --json` describes it: name, task,
/// labels, input sizes, tokenizer, streams and their segments, every
/// attention map with its heads, the decision tokens, gates, and whether
/// gradients reach the maps.
class ModelDescription
{
public:
    static Json of(const ModelBundle &bundle);
};

} // namespace attnscope::core
