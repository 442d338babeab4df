#pragma once

#include <QLabel>

namespace attnscope::ui {

/// The message above the image: an error (red) or notes (amber), hidden
/// when there is nothing to say. Its text can be selected and copied.
class MessageBanner : public QLabel
{
    Q_OBJECT
public:
    explicit MessageBanner(QWidget *parent = nullptr);

    void showError(const QString &message);
    /// Notes, one per line; none: hidden.
    void showNotes(const QStringList &notes);
    /// Adds a note below what is shown (a note that arrives late).
    void addNote(const QString &note);
};

} // namespace attnscope::ui
