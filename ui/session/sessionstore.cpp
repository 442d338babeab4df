#include "ui/session/sessionstore.h"

#include "core/io/atomicfile.h"
#include "core/error.h"
#include "core/io/sha256.h"
#include "core/io/regularfile.h"
#include "core/io/textfile.h"

#include <QDateTime>
#include <QDir>
#include <QStandardPaths>
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

OpenedSession SessionStore::open(const QString &path)
{
    OpenedSession o;
    o.session = core::Session::parse(core::TextFile::read(path.toStdString(), size_t(256) << 20),
                                     QFileInfo(path).fileName().toStdString());
    const core::Session &s = o.session;
    const QDir base = QFileInfo(path).absoluteDir();
    o.model = base.absoluteFilePath(QString::fromStdString(s.modelPath));
    if (!QFileInfo::exists(o.model))
        throw core::Error("the session's model " + o.model.toStdString() + " does not exist");
    core::RegularFile::require(o.model.toStdString(), "model"); // before anything reads it
    if (s.imageData.empty() && s.imagePath.empty())
        return o; // a model that sees no image
    if (s.imageData.empty()) {
        o.image = base.absoluteFilePath(QString::fromStdString(s.imagePath));
        if (!QFileInfo::exists(o.image))
            throw core::Error("the session's image " + o.image.toStdString() + " does not exist");
        core::RegularFile::require(o.image.toStdString(), "image");
        o.changedImage = o.image;
        return o;
    }
    const std::string hash = core::Sha256::hex(s.imageData);
    if (!s.imageSha256.empty() && hash != s.imageSha256)
        throw core::Error("the image embedded in the session is damaged (its SHA-256 does not match)");
    // The embedded image goes to the cache under its hash, so the worker
    // reads it like any other file.
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/sessions");
    QDir().mkpath(folder);
    const QString suffix = QFileInfo(QString::fromStdString(s.imagePath)).suffix();
    o.image = QStringLiteral("%1/%2.%3").arg(folder, QString::fromStdString(hash), suffix.isEmpty() ? QStringLiteral("png") : suffix);
    if (!QFileInfo::exists(o.image) || core::Sha256::ofFile(o.image.toStdString()) != hash)
        core::AtomicFile::write(o.image.toStdString(), std::string(s.imageData.begin(), s.imageData.end()));
    if (!s.imagePath.empty()) // the cache names it by its hash; the user knows its name
        o.imageName = QFileInfo(QString::fromStdString(s.imagePath)).fileName();
    return o;
}

void SessionStore::checkOpened(const OpenedSession &opened, int token)
{
    checkUnchanged(opened.model, QString::fromStdString(opened.session.modelSha256),
                   tr("The model file %1 has changed since this session was saved (its SHA-256 differs): "
                      "the explanations may differ from the saved ones.").arg(QFileInfo(opened.model).fileName()),
                   token);
    if (!opened.changedImage.isEmpty())
        checkUnchanged(opened.changedImage, QString::fromStdString(opened.session.imageSha256),
                       tr("The image %1 has changed since this session was saved.").arg(QFileInfo(opened.changedImage).fileName()),
                       token);
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
            if (image.isEmpty()) { // a model that sees no image
                core::AtomicFile::write(path.toStdString(), session.toJson());
                return {};
            }
            QFile file(image);
            if (!file.open(QIODevice::ReadOnly))
                throw core::Error("cannot read " + session.imagePath + " to save it in the session");
            const QByteArray bytes = file.readAll();
            session.imageSha256 = core::Sha256::hex(std::vector<uint8_t>(bytes.begin(), bytes.end()));
            if (bytes.size() <= (32 << 20)) // embedded, so the session travels; larger ones are referenced
                session.imageData.assign(bytes.begin(), bytes.end());
            core::AtomicFile::write(path.toStdString(), session.toJson());
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
