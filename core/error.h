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
    explicit Error(const std::string &message);
};

} // namespace attnscope::core
