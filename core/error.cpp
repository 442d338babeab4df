#include "core/error.h"

namespace attnscope::core {

Error::Error(const std::string &message, Kind kind)
    : std::runtime_error(message)
    , m_kind(kind)
{
}

} // namespace attnscope::core
