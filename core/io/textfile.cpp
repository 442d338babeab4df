#include "core/io/textfile.h"

#include "core/io/regularfile.h"

#include "core/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

namespace {

/// Why a write failed, in words: a full disk is the common case.
std::string writeFailure(int error)
{
    if (error == ENOSPC || error == EDQUOT || error == EFBIG)
        return std::string("the disk is full or the file is too large: ") + std::strerror(error)
               + "; the original file is unchanged";
    return std::string(std::strerror(error)) + "; the original file is unchanged";
}

/// The process's umask, read without changing it (umask(2) would, for a
/// moment, for every thread): /proc/self/status has it since Linux 4.7.
mode_t currentUmask()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("Umask:", 0) == 0)
            return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
    return 022;
}

std::string folderOf(const std::string &path)
{
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

void TextFile::write(const std::string &path, const std::string &content)
{
    // A unique temporary file beside the target (mkstemp: two writers of the
    // same file, even in one process, never share it), flushed to disk, then
    // renamed over the target. Killed at any moment, the target is the old
    // file or the new one; only a stray temporary can be left behind.
    std::string temporary = path + ".tmp-XXXXXX";
    const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
    if (fd < 0)
        throw Error(path + ": cannot write the file (" + writeFailure(errno) + ")");
    auto fail = [&](const std::string &what, int error) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw Error(path + ": " + what + " (" + writeFailure(error) + ")");
    };
    // mkostemp makes the file private; give it the mode a new file gets
    // (0666 less the umask), or the mode of the file it replaces.
    struct stat existing{};
    const mode_t mode = ::stat(path.c_str(), &existing) == 0 ? (existing.st_mode & 07777) : (0666 & ~currentUmask());
    if (::fchmod(fd, mode) != 0)
        fail("cannot write the file", errno);
    size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail("cannot write the file", errno);
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0)
        fail("cannot write the file", errno);
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        throw Error(path + ": cannot write the file (" + writeFailure(error) + ")");
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        throw Error(path + ": cannot replace the file (" + writeFailure(error) + ")");
    }
    // The rename itself reaches the disk when the folder is flushed.
    const int folder = ::open(folderOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder >= 0) {
        ::fsync(folder);
        ::close(folder);
    }
}

} // namespace attnscope::core
