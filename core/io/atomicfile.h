#pragma once

#include <memory>
#include <string>

class QIODevice;
class QSaveFile;

namespace attnscope::core {

/// The one way AttnScope writes a file (sessions, explanation JSON, PNG, NPY,
/// exported views, the report): the bytes go to an unnamed temporary in the
/// target's folder, are flushed to the disk, then take the target's place,
/// and the folder is flushed so that the rename survives a power cut too. A
/// reader, or a kill at any moment, sees the old file or the new one, never a
/// torn one. A symlinked target is written through (the link stays); a
/// replaced file keeps its mode, a new one gets 0666 less the umask. Qt's
/// QSaveFile makes the temporary and does the rename.
///
///     AtomicFile file(path);
///     file.write(bytes);          // or image.save(&file.device(), "PNG")
///     file.commit();              // throws Error saying why; the old file stays
class AtomicFile
{
public:
    /// Throws Error naming the file when it cannot be created.
    explicit AtomicFile(const std::string &path);
    /// Without commit() the target is left as it was.
    ~AtomicFile();
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    /// For writers that take a device (images, PDF, SVG).
    QIODevice &device();
    /// Throws Error saying why (a full disk: the original file is unchanged).
    void write(const std::string &bytes);
    /// Puts the new content in the target's place. Throws Error.
    void commit();

    /// A whole file at once.
    static void write(const std::string &path, const std::string &content);

private:
    [[noreturn]] void fail(const std::string &what, int error) const;

    std::string m_path;
    std::unique_ptr<QSaveFile> m_file;
    int m_error = 0; ///< errno of the first failed write()
};

} // namespace attnscope::core
