#pragma once

#include "core/io/sessionfile.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>

namespace attnscope::ui {

/// A session file read back: its settings and the files it runs, checked.
struct OpenedSession
{
    core::Session session;
    QString model;        ///< absolute path
    QString image;        ///< the referenced image, or the embedded one written to the cache
    QString imageName;    ///< what the user calls the image: the embedded one's saved name; empty: its file name
    QString changedImage; ///< a referenced image, to check against its saved hash; empty when embedded
};

/// Opens sessions, saves them and checks a reopened session's model, off the GUI thread:
/// both hash the model file (hundreds of MB for real models), which took
/// seconds of a frozen window. Hashes are kept per file version (path, size,
/// modification time), so saving again costs only the write.
/// Thread rules: call from the GUI thread; signals arrive there.
class SessionStore : public QObject
{
    Q_OBJECT
public:
    explicit SessionStore(QObject *parent = nullptr);
    /// Waits for saves still being written: closing the window must not lose
    /// a session (hash checks are left to finish on their own).
    ~SessionStore() override;

    /// Reads, parses and checks a session file (its model and image exist
    /// and are regular files; an embedded image matches its hash) and writes
    /// an embedded image to the cache under its hash. Throws core::Error.
    /// On the calling thread: a session is a small file (an embedded image
    /// is at most 32 MB) whose errors the user waits for; the slow part,
    /// hashing the model, is checkOpened's, off the thread.
    static OpenedSession open(const QString &path);
    /// Checks an opened session's model and referenced image against their
    /// saved hashes on a pool thread: changed(note, token) for each that differs.
    void checkOpened(const OpenedSession &opened, int token);
    /// Fills in the model's and image's hashes (and the image's bytes when
    /// they are 32 MB or less), then writes `session` to `path` atomically,
    /// on a pool thread; `saved` says how it went.
    void save(core::Session session, const QString &path);
    /// Hashes `path` on a pool thread and emits changed(note) when its
    /// SHA-256 differs from `expectedSha256` (nothing when that is empty).
    /// `token` comes back with the signal, so a late answer about an input
    /// no longer on screen can be told apart.
    void checkUnchanged(const QString &path, const QString &expectedSha256, const QString &note, int token);
    /// Work still running (a save or a check).
    bool isBusy() const { return m_running > 0; }

    /// The file's SHA-256, from the cache when this version was hashed before.
    /// Any thread.
    static std::string sha256Of(const QString &path);

signals:
    void saved(const QString &path, const QString &error); ///< error empty: written
    void changed(const QString &note, int token);

private:
    int m_running = 0;
    QList<QFuture<QString>> m_saves;
};

} // namespace attnscope::ui
