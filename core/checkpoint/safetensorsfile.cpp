#include "core/checkpoint/safetensorsfile.h"

#include "core/error.h"
#include "core/io/regularfile.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace attnscope::core {

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const std::string &path)
{
    const uint64_t size = RegularFile::require(path, "safetensors");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(path + ": cannot open it (" + std::strerror(errno) + ")");
    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->m_path = path;
    file->m_size = size;
    if (size > 0) {
        void *map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        const int error = errno;
        ::close(fd);
        if (map == MAP_FAILED)
            throw Error(path + ": cannot map it into memory (" + std::strerror(error) + ")");
        file->m_map = static_cast<char *>(map);
    } else {
        ::close(fd);
    }
    file->m_header = SafetensorsHeader::parse(file->m_map, size, size, path);
    return file;
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_map)
        ::munmap(m_map, m_size);
}

char *SafetensorsFile::bytes(const SafetensorsEntry &entry) const
{
    return m_map + m_header.dataOffset() + entry.begin;
}

} // namespace attnscope::core
