#include "core/engine/torcherror.h"

#include <vector>

namespace attnscope::core {

std::string essentialLine(const std::string &message)
{
    // A TorchScript traceback ends with the error itself; other messages
    // start with it.
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < message.size()) {
        const size_t end = message.find('\n', start);
        const std::string line = message.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (line.find_first_not_of(" \t") != std::string::npos)
            lines.push_back(line);
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    if (lines.empty())
        return message;
    if (message.find("Traceback") != std::string::npos)
        return lines.back();
    return lines.front();
}

Error::Kind errorKind(const std::string &what)
{
    return what.find("CUDA out of memory") != std::string::npos ? Error::Kind::OutOfMemory : Error::Kind::General;
}

void rethrowTorchError(const std::string &prefix, const c10::Error &e)
{
    // A CUDA allocation failure is its own type; raised inside a scripted
    // model it arrives as another exception carrying the allocator's words.
    const std::string what = e.what_without_backtrace();
    const Error::Kind kind = dynamic_cast<const c10::OutOfMemoryError *>(&e) ? Error::Kind::OutOfMemory : errorKind(what);
    throw Error(prefix + essentialLine(what), kind);
}

} // namespace attnscope::core
