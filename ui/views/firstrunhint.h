#pragma once

#include <QLabel>

namespace attnscope::ui {

/// How to read the window, above the image until the user dismisses it
/// ("Got it", remembered in the settings); Help › What the views show brings
/// it back.
class FirstRunHint : public QLabel
{
    Q_OBJECT
public:
    explicit FirstRunHint(QWidget *parent = nullptr);
};

} // namespace attnscope::ui
