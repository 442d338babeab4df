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

} // namespace attnscope::core
