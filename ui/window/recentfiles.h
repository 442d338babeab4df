#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace attnscope::ui {

/// The recent models and images (kept in QSettings, newest first, at most
/// eight each) and the File menu's two submenus that list them.
/// Thread rules: GUI thread only.
class RecentFiles : public QObject
{
    Q_OBJECT
public:
    RecentFiles(QMenu *models, QMenu *images, QObject *parent = nullptr);

    QStringList models() const;
    /// Puts a file that worked first in its list.
    void rememberModel(const QString &path);
    void rememberImage(const QString &path);

signals:
    void modelChosen(const QString &path);
    void imageChosen(const QString &path);
    void changed(); ///< a list changed

private:
    void remember(const QString &key, const QString &path);
    void rebuildMenus();

    QMenu *m_models = nullptr;
    QMenu *m_images = nullptr;
};

} // namespace attnscope::ui
