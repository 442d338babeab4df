#include "ui/window/filedialogs.h"

#include <QFileDialog>
#include <QFileInfo>

namespace attnscope::ui {

namespace {

QString sessionFilter()
{
    return QObject::tr("AttnScope sessions (*.attnscope);;All files (*)");
}

} // namespace

QString FileDialogs::openImage(QWidget *parent, const QString &near)
{
    return QFileDialog::getOpenFileName(parent, QObject::tr("Open image"), QFileInfo(near).absolutePath(),
                                        QObject::tr("Images (*.png *.jpg *.jpeg *.gif *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;"
                                                    "All files (*)"));
}

QString FileDialogs::openModel(QWidget *parent, const QString &near)
{
    return QFileDialog::getOpenFileName(parent,
                                        QObject::tr("Open model - TorchScript archives contain code: open only models you trust"),
                                        QFileInfo(near).absolutePath(),
                                        QObject::tr("Models (*.pt *.safetensors);;All files (*)"));
}

QString FileDialogs::openModelFolder(QWidget *parent, const QString &near)
{
    return QFileDialog::getExistingDirectory(parent, QObject::tr("Open a checkpoint folder (config.json and model.safetensors)"),
                                             QFileInfo(near).absolutePath());
}

QString FileDialogs::openSession(QWidget *parent)
{
    return QFileDialog::getOpenFileName(parent, QObject::tr("Open session"), QString(), sessionFilter());
}

QString FileDialogs::saveSession(QWidget *parent)
{
    QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Save session"), QString(), sessionFilter());
    if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".attnscope");
    return path;
}

} // namespace attnscope::ui
