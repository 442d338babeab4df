#include "core/io/regularfile.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace attnscope::core {

uint64_t RegularFile::require(const std::string &path, const std::string &what)
{
    if (path.empty())
        throw Error("no " + what + " file was given (the path is empty)");
    struct stat s {};
    if (::stat(path.c_str(), &s) != 0) {
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR)
            throw Error(path + ": there is no such file");
        if (error == EACCES)
            throw Error(path + ": AttnScope may not read this file (permission denied)");
        throw Error(path + ": cannot open the " + what + " file (" + std::strerror(error) + ")");
    }
    if (S_ISDIR(s.st_mode))
        throw Error(path + ": is a folder, not a file");
    if (!S_ISREG(s.st_mode))
        throw Error(path + ": is not a regular file (a pipe, a device or a socket); AttnScope reads " + what
                    + "s from ordinary files only");
    return static_cast<uint64_t>(s.st_size);
}

} // namespace attnscope::core
