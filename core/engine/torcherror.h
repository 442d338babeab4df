#pragma once

// Internal to core: includes LibTorch. LibTorch's exceptions become core's
// Error where they arise (a model's forward, its load, a method's step).

#include "core/error.h"

#include <c10/util/Exception.h>

#include <string>

namespace attnscope::core {

/// The line of a LibTorch message that says what went wrong: a TorchScript
/// traceback's last line, otherwise the first.
std::string essentialLine(const std::string &message);

/// OutOfMemory for a message with the CUDA allocator's words, else General.
Error::Kind errorKind(const std::string &what);

/// Translates a c10::Error into core's Error with a prefix naming the file.
[[noreturn]] void rethrowTorchError(const std::string &prefix, const c10::Error &e);

} // namespace attnscope::core
