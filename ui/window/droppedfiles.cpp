#include "ui/window/droppedfiles.h"

#include <QFileInfo>
#include <QObject>

namespace attnscope::ui {

namespace {

const QStringList kImageSuffixes = {"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "pgm", "ppm"};

} // namespace

DroppedFiles DroppedFiles::sort(const QList<QUrl> &urls)
{
    DroppedFiles files;
    for (const QUrl &url : urls) {
        const QString path = url.toLocalFile();
        const QString suffix = QFileInfo(path).suffix().toLower();
        if (suffix == QLatin1String("attnscope")) {
            files.session = path;
            break;
        }
        // A checkpoint as people have it: a Hugging Face or timm folder, or
        // its weights file.
        if (suffix == QLatin1String("pt") || suffix == QLatin1String("safetensors") || QFileInfo(path).isDir())
            files.model = path;
        else if (kImageSuffixes.contains(suffix))
            files.image = path;
        else
            files.unknown << QFileInfo(path).fileName();
    }
    return files;
}

QString DroppedFiles::refusal() const
{
    return QObject::tr("AttnScope opens models (.pt, .safetensors, or a checkpoint folder), sessions (.attnscope) and "
                       "images (%1); not %2")
        .arg(kImageSuffixes.join(QStringLiteral(", ")), unknown.join(QStringLiteral(", ")));
}

} // namespace attnscope::ui
