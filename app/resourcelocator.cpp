#include "app/resourcelocator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace attnscope::app {

ResourceLocator::ResourceLocator(const QString &argv0)
{
    QStringList candidates;
    const QString env = qEnvironmentVariable("ATTNSCOPE_DATA_DIR");
    if (!env.isEmpty())
        candidates << env;
    // Installed: <prefix>/bin/attnscope and <prefix>/share/attnscope. In the
    // build tree: build/app/attnscope and build/share/attnscope (links to
    // the sources, made by CMake). No source path is compiled in.
    const QString exe = QCoreApplication::instance() ? QCoreApplication::applicationFilePath() : QString();
    const QDir exeDir = QFileInfo(exe.isEmpty() ? argv0 : exe).absoluteDir();
    candidates << exeDir.filePath(QStringLiteral("../share/attnscope"));
    for (const QString &c : candidates) {
        if (QFileInfo::exists(QDir(c).filePath(QStringLiteral("resources/samples")))) {
            m_root = QDir(c).absolutePath();
            return;
        }
    }
    m_root = QDir::currentPath();
}

QString ResourceLocator::defaultModel() const
{
    // The demo models of models/zoo once they exist; the tiny test model until then.
    const QDir dir(m_root);
    for (const char *candidate : {"models/zoo/shapes_single_stream.pt", "tests/data/tiny_joint.pt"}) {
        const QString path = dir.filePath(QString::fromLatin1(candidate));
        if (QFileInfo::exists(path))
            return path;
    }
    return dir.filePath(QStringLiteral("models/zoo/shapes_single_stream.pt"));
}

QStringList ResourceLocator::bundledModels() const
{
    QStringList models;
    const QDir zoo(QDir(m_root).filePath(QStringLiteral("models/zoo")));
    for (const QString &name : zoo.entryList({QStringLiteral("*.pt")}, QDir::Files, QDir::Name))
        models << zoo.filePath(name);
    return models;
}

QString ResourceLocator::sampleImage() const
{
    return QDir(m_root).filePath(QStringLiteral("resources/samples/shapes.png"));
}

QString ResourceLocator::sampleText() const
{
    QFile file(QDir(m_root).filePath(QStringLiteral("resources/samples/shapes.txt")));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("is there a red circle ?");
    return QString::fromUtf8(file.readAll()).trimmed();
}

} // namespace attnscope::app
