#include "core/engine/errormessage.h"

#include "core/bundle/modelbundle_p.h"
#include "core/error.h"

#include <c10/util/Exception.h>

#include <new>
#include <regex>

namespace attnscope::core {

namespace {

std::string firstLine(const std::string &text)
{
    const size_t end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

/// "[enforce fail at alloc_cpu.cpp:75] " and "Exception raised from ..." are
/// where LibTorch failed, not what the user can act on.
std::string withoutLocation(std::string line)
{
    static const std::regex enforce(R"(^\s*\[enforce fail at [^\]]*\]\s*\.?\s*)");
    line = std::regex_replace(line, enforce, "");
    const size_t raised = line.find(" (Exception raised from");
    if (raised != std::string::npos)
        line.erase(raised);
    return line;
}

std::string memorySentence(const std::string &what)
{
    static const std::regex bytes(R"(allocate (\d+) bytes)");
    std::smatch m;
    if (std::regex_search(what, m, bytes)) {
        const double gb = std::stod(m[1].str()) / (1024.0 * 1024.0 * 1024.0);
        char amount[32];
        std::snprintf(amount, sizeof amount, gb >= 1.0 ? "%.1f GB" : "%.0f MB", gb >= 1.0 ? gb : gb * 1024.0);
        return std::string("not enough memory: this step needed another ") + amount
               + "; try a smaller image or text, or close other programs";
    }
    return "not enough memory for this step; try a smaller image or text, or close other programs";
}

} // namespace

std::string errorMessage(const std::exception &error)
{
    if (dynamic_cast<const Error *>(&error))
        return error.what();
    if (const auto *torch = dynamic_cast<const c10::Error *>(&error)) {
        const std::string what = torch->what_without_backtrace();
        if (dynamic_cast<const c10::OutOfMemoryError *>(&error) || what.find("can't allocate memory") != std::string::npos
            || what.find("out of memory") != std::string::npos)
            return memorySentence(what);
        return "PyTorch could not run this step: " + withoutLocation(essentialLine(what));
    }
    if (dynamic_cast<const std::bad_alloc *>(&error))
        return memorySentence({});
    const std::string what = error.what();
    // cv::Exception: "OpenCV(4.6.0) /path/file.cpp:42: error: (-215:Assertion failed) size.width>0 in function 'x'"
    if (what.rfind("OpenCV(", 0) == 0) {
        const size_t at = what.find("error: ");
        std::string line = at == std::string::npos ? what : what.substr(at + 7);
        const size_t in = line.find(" in function");
        if (in != std::string::npos)
            line.erase(in);
        return "the image could not be processed: " + firstLine(line);
    }
    return withoutLocation(firstLine(what));
}

bool isDeviceOutOfMemory(const std::exception &error)
{
    if (const auto *own = dynamic_cast<const Error *>(&error))
        return own->kind() == Error::Kind::OutOfMemory;
    if (dynamic_cast<const c10::OutOfMemoryError *>(&error))
        return true;
    const auto *torch = dynamic_cast<const c10::Error *>(&error);
    const std::string what = torch ? torch->what_without_backtrace() : error.what();
    return what.find("CUDA out of memory") != std::string::npos;
}

} // namespace attnscope::core
