#pragma once

#include <exception>
#include <string>

namespace attnscope::core {

/// The one line a user reads for any exception that reaches a boundary (a
/// worker slot, the command line): core::Error as it is; LibTorch's errors
/// without their C++ backtrace, TorchScript traceback and "[enforce fail at
/// file.cpp:75]" prefix, an allocation failure as a sentence about memory;
/// OpenCV's without its file and line; anything else by its first line.
std::string errorMessage(const std::exception &error);

/// Whether `error` says a GPU ran out of memory, wherever it arose: a
/// c10::OutOfMemoryError, the same raised inside a scripted model (where it
/// arrives as TorchScript's traceback), or Error of kind OutOfMemory. The CPU
/// allocator's refusals are not: the CPU is where a run falls back to.
bool isDeviceOutOfMemory(const std::exception &error);

} // namespace attnscope::core
