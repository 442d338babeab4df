#include "core/error.h"

namespace attnscope::core {

Error::Error(const std::string &message)
    : std::runtime_error(message)
{
}

} // namespace attnscope::core
