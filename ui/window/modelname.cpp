#include "ui/window/modelname.h"

#include <QDir>
#include <QFileInfo>

namespace attnscope::ui {

QString ModelName::of(const QString &path)
{
    const QFileInfo info(QDir::cleanPath(path));
    const bool folder = info.isDir();
    if (!folder && info.suffix().compare(QLatin1String("safetensors"), Qt::CaseInsensitive) != 0)
        return info.completeBaseName();
    const QString dir = folder ? info.absoluteFilePath() : info.absolutePath();
    const QString name = QFileInfo(dir).fileName();
    const QString above = QFileInfo(QFileInfo(dir).absolutePath()).fileName();
    if (name == QLatin1String("hf") || name == QLatin1String("timm") || name == QLatin1String("openai"))
        return above + QLatin1Char('/') + name;
    return name.isEmpty() ? path : name;
}

} // namespace attnscope::ui
