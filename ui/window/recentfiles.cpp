#include "ui/window/recentfiles.h"

#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace attnscope::ui {

namespace {

constexpr int kRecentCount = 8;
const QString kModels = QStringLiteral("recentModels");
const QString kImages = QStringLiteral("recentImages");

} // namespace

RecentFiles::RecentFiles(QMenu *models, QMenu *images, QObject *parent)
    : QObject(parent)
    , m_models(models)
    , m_images(images)
{
    rebuildMenus();
}

QStringList RecentFiles::models() const
{
    return QSettings().value(kModels).toStringList();
}

void RecentFiles::rememberModel(const QString &path)
{
    remember(kModels, path);
}

void RecentFiles::rememberImage(const QString &path)
{
    remember(kImages, path);
}

void RecentFiles::remember(const QString &key, const QString &path)
{
    if (path.isEmpty())
        return;
    QSettings settings;
    QStringList list = settings.value(key).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    if (!list.isEmpty() && list.first() == absolute)
        return;
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kRecentCount)
        list.removeLast();
    settings.setValue(key, list);
    rebuildMenus();
    emit changed();
}

void RecentFiles::rebuildMenus()
{
    QSettings settings;
    auto fill = [&](QMenu *menu, const QString &key, void (RecentFiles::*chosen)(const QString &)) {
        menu->clear();
        const QStringList list = settings.value(key).toStringList();
        for (const QString &path : list)
            menu->addAction(QFileInfo(path).fileName(), this, [this, chosen, path] { emit(this->*chosen)(path); })->setToolTip(path);
        menu->setEnabled(!list.isEmpty());
    };
    fill(m_models, kModels, &RecentFiles::modelChosen);
    fill(m_images, kImages, &RecentFiles::imageChosen);
}

} // namespace attnscope::ui
