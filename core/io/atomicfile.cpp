#include "core/io/atomicfile.h"

#include "core/error.h"

#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace attnscope::core {

namespace {

/// Why a write failed, in words: a full disk is the common case.
std::string failure(int error, const QString &qtMessage)
{
    const std::string reason = error != 0 ? std::string(std::strerror(error)) : qtMessage.toStdString();
    if (error == ENOSPC || error == EDQUOT || error == EFBIG)
        return "the disk is full or the file is too large: " + reason + "; the original file is unchanged";
    return reason + "; the original file is unchanged";
}

/// The rename reaches the disk when the folder holding the file is flushed.
void syncFolderOf(const QString &path)
{
    const QString folder = QFileInfo(QFileInfo(path).canonicalFilePath()).absolutePath();
    const int fd = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

AtomicFile::AtomicFile(const std::string &path)
    : m_path(path)
    , m_file(std::make_unique<QSaveFile>(QString::fromStdString(path)))
{
    // No fallback to writing the target in place when no temporary can be
    // made beside it: that is what tears files.
    m_file->setDirectWriteFallback(false);
    if (!m_file->open(QIODevice::WriteOnly))
        fail("cannot write the file", 0);
}

AtomicFile::~AtomicFile() = default; // QSaveFile discards an uncommitted temporary

QIODevice &AtomicFile::device()
{
    return *m_file;
}

void AtomicFile::write(const std::string &bytes)
{
    // Straight to the temporary's descriptor, so the reason of a failure
    // (ENOSPC, EFBIG) is known; QSaveFile holds nothing buffered.
    size_t written = 0;
    while (written < bytes.size() && m_error == 0) {
        const ssize_t n = ::write(m_file->handle(), bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno != EINTR)
            m_error = errno;
        else if (n > 0)
            written += static_cast<size_t>(n);
    }
    if (m_error != 0) {
        m_file->cancelWriting();
        fail("cannot write the file", m_error);
    }
}

void AtomicFile::commit()
{
    if (!m_file->commit()) // flushes the temporary to the disk, then renames it
        fail("cannot write the file", 0);
    syncFolderOf(QString::fromStdString(m_path));
}

void AtomicFile::write(const std::string &path, const std::string &content)
{
    AtomicFile file(path);
    file.write(content);
    file.commit();
}

void AtomicFile::fail(const std::string &what, int error) const
{
    throw Error(m_path + ": " + what + " (" + failure(error, m_file->errorString()) + ")");
}

} // namespace attnscope::core
