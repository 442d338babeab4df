#pragma once

#include <stdexcept>
#include <string>

namespace attnscope::core {

/// The one exception type core throws. Its message is written for the user:
/// it names the file or input concerned and says what is wrong with it.
/// Third-party exceptions (c10::Error, cv::Exception) are translated into it
/// where they arise.
class Error : public std::runtime_error
{
public:
    /// OutOfMemory: the device ran out of memory; the same work may succeed
    /// on another device (the worker falls back from CUDA to the CPU).
    /// Cancelled: the work was asked to stop (ModelBundle::setCancelCheck).
    enum class Kind { General, OutOfMemory, Cancelled };

    explicit Error(const std::string &message, Kind kind = Kind::General);
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

} // namespace attnscope::core
