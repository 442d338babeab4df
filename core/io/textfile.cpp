#include "core/io/textfile.h"

#include "core/io/regularfile.h"

#include "core/error.h"

#include <fstream>

namespace attnscope::core {

std::string TextFile::read(const std::string &path, size_t maxBytes)
{
    RegularFile::require(path, "text");
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file)
        throw Error(path + ": cannot open the file (does it exist, and may it be read?)");
    const std::streamoff size = file.tellg();
    if (size < 0)
        throw Error(path + ": cannot read the file");
    if (static_cast<size_t>(size) > maxBytes)
        throw Error(path + ": the file is larger than " + std::to_string(maxBytes >> 20) + " MB");
    std::string content(static_cast<size_t>(size), '\0');
    file.seekg(0);
    if (size > 0 && !file.read(content.data(), size))
        throw Error(path + ": the file could not be read completely");
    return content;
}

std::vector<std::string> TextFile::lines(const std::string &text)
{
    std::vector<std::string> out;
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        out.push_back(text.substr(start, end - start));
        if (!out.back().empty() && out.back().back() == '\r')
            out.back().pop_back();
        start = end + 1;
    }
    return out;
}

} // namespace attnscope::core
