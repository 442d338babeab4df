#include "ui/sessionstore.h"

#include "core/error.h"
#include "core/io/sha256.h"
#include "core/io/textfile.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHash>
#include <QMutex>
#include <QtConcurrent>

namespace attnscope::ui {

namespace {

QMutex cacheMutex;
QHash<QString, std::string> &hashCache()
{
    static QHash<QString, std::string> cache;
    return cache;
}

} // namespace

SessionStore::SessionStore(QObject *parent)
    : QObject(parent)
{
}

SessionStore::~SessionStore()
{
    for (QFuture<QString> &save : m_saves)
        save.waitForFinished();
}

std::string SessionStore::sha256Of(const QString &path)
{
    const QFileInfo file(path);
    const QString key = QStringLiteral("%1\n%2\n%3").arg(file.absoluteFilePath()).arg(file.size())
                            .arg(file.lastModified().toMSecsSinceEpoch());
    {
        QMutexLocker lock(&cacheMutex);
        const auto it = hashCache().constFind(key);
        if (it != hashCache().constEnd())
            return *it;
    }
    const std::string hash = core::Sha256::ofFile(path.toStdString());
    QMutexLocker lock(&cacheMutex);
    hashCache().insert(key, hash);
    return hash;
}

void SessionStore::save(core::Session session, const QString &path)
{
    ++m_running;
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, path] {
        --m_running;
        const QString error = watcher->result();
        m_saves.removeIf([](const QFuture<QString> &f) { return f.isFinished(); });
        watcher->deleteLater();
        emit saved(path, error);
    });
    const QFuture<QString> future = QtConcurrent::run([session = std::move(session), path]() mutable -> QString {
        try {
            const QString model = QString::fromStdString(session.modelPath);
            const QString image = QString::fromStdString(session.imagePath);
            session.modelSha256 = sha256Of(model);
            QFile file(image);
            if (!file.open(QIODevice::ReadOnly))
                throw core::Error("cannot read " + session.imagePath + " to save it in the session");
            const QByteArray bytes = file.readAll();
            session.imageSha256 = core::Sha256::hex(std::vector<uint8_t>(bytes.begin(), bytes.end()));
            if (bytes.size() <= (32 << 20)) // embedded, so the session travels; larger ones are referenced
                session.imageData.assign(bytes.begin(), bytes.end());
            core::TextFile::write(path.toStdString(), session.toJson());
            return {};
        } catch (const std::exception &e) {
            return QString::fromStdString(e.what());
        }
    });
    m_saves.append(future);
    watcher->setFuture(future);
}

void SessionStore::checkUnchanged(const QString &path, const QString &expectedSha256, const QString &note, int token)
{
    if (expectedSha256.isEmpty())
        return;
    ++m_running;
    auto *watcher = new QFutureWatcher<bool>(this);
    connect(watcher, &QFutureWatcher<bool>::finished, this, [this, watcher, note, token] {
        --m_running;
        const bool differs = watcher->result();
        watcher->deleteLater();
        if (differs)
            emit changed(note, token);
    });
    watcher->setFuture(QtConcurrent::run([path, expectedSha256]() -> bool {
        try {
            return sha256Of(path) != expectedSha256.toStdString();
        } catch (const std::exception &) {
            return false; // the run itself says what is wrong with the file
        }
    }));
}

} // namespace attnscope::ui
