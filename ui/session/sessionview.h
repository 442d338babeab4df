#pragma once

class QTabWidget;

namespace attnscope::core {
struct Session;
}

namespace attnscope::ui {

class DisplayToolBar;
class ImageView;
class InputsToolBar;
class Selection;
class ZeroShotPanel;

/// What a session file keeps of the window: the inputs on screen (image,
/// text, a pair's second text, the zero-shot candidates) and how they are
/// shown (answer, map, head, selected token, method, device, display
/// controls with "without sinks", zoom and pan, tab). Reads the window's parts to save
/// and sets the controls back when a session opens. GUI thread only.
class SessionView
{
public:
    SessionView(const Selection *selection, InputsToolBar *inputs, DisplayToolBar *display, const ImageView *image,
                QTabWidget *tabs, ZeroShotPanel *zeroShot);

    /// The session of the result on screen, without hashes (SessionStore
    /// adds them off the GUI thread). Throws core::Error when there is none.
    core::Session capture() const;
    /// Sets the tool bars, the text and the tab from `session`; they ask
    /// for no run.
    void restoreControls(const core::Session &session);

private:
    const Selection *m_selection;
    InputsToolBar *m_inputs;
    DisplayToolBar *m_display;
    const ImageView *m_image;
    QTabWidget *m_tabs;
    ZeroShotPanel *m_zeroShot;
};

} // namespace attnscope::ui
