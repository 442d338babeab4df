#include "core/io/textfile.h"

#include "core/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace attnscope::core {

std::string TextFile::read(const std::string &path, size_t maxBytes)
{
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

void TextFile::write(const std::string &path, const std::string &content)
{
    const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(path + ": cannot write the file (" + std::strerror(errno) + ")");
    size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string reason = std::strerror(errno);
            ::close(fd);
            ::unlink(temporary.c_str());
            throw Error(path + ": cannot write the file (" + reason + ")");
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error(path + ": cannot write the file (" + reason + ")");
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error(path + ": cannot replace the file (" + reason + ")");
    }
}

} // namespace attnscope::core
