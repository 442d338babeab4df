#pragma once

#include <QList>
#include <QStringList>
#include <QUrl>

namespace attnscope::ui {

/// Files dropped on the window, sorted by what AttnScope does with them: a
/// session opens (and wins over the rest), a model and an image run.
struct DroppedFiles
{
    QString session;
    QString model;
    QString image;
    QStringList unknown; ///< file names AttnScope does not open

    static DroppedFiles sort(const QList<QUrl> &urls);
    /// Nothing to open: the sentence that says what AttnScope opens.
    QString refusal() const;
    bool nothingToOpen() const { return session.isEmpty() && model.isEmpty() && image.isEmpty(); }
};

} // namespace attnscope::ui
