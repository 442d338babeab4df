#pragma once

#include <QString>

class QWidget;

namespace attnscope::ui {

/// The window's file choosers, with its filters and default suffixes. Each
/// returns the chosen path, or an empty string when the user cancelled.
class FileDialogs
{
public:
    static QString openImage(QWidget *parent, const QString &near);
    static QString openModel(QWidget *parent, const QString &near);
    /// A Hugging Face or timm checkpoint folder.
    static QString openModelFolder(QWidget *parent, const QString &near);
    static QString openSession(QWidget *parent);
    /// Adds ".attnscope" when the name has no suffix.
    static QString saveSession(QWidget *parent);
};

} // namespace attnscope::ui
