#pragma once

#include <QString>

class QWidget;

namespace attnscope::ui {

/// The Help menu's windows: About (the version, the libraries it runs on,
/// the device) and This model (the model card).
class HelpDialogs
{
public:
    static void showAbout(QWidget *parent);
    /// The card for `modelPath` (Markdown), or a sentence saying it has none.
    static QString modelCardText(const QString &modelPath);
    static void showModelCard(QWidget *parent, const QString &modelPath);
};

} // namespace attnscope::ui
