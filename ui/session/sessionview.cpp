#include "ui/session/sessionview.h"

#include "core/error.h"
#include "core/io/sessionfile.h"
#include "ui/panels/zeroshotpanel.h"
#include "ui/state/selection.h"
#include "ui/views/imageview.h"
#include "ui/window/displaytoolbar.h"
#include "ui/window/inputstoolbar.h"

#include <QFileInfo>
#include <QTabWidget>

#include <algorithm>

namespace attnscope::ui {

SessionView::SessionView(const Selection *selection, InputsToolBar *inputs, DisplayToolBar *display, const ImageView *image,
                         QTabWidget *tabs, ZeroShotPanel *zeroShot)
    : m_selection(selection)
    , m_inputs(inputs)
    , m_display(display)
    , m_image(image)
    , m_tabs(tabs)
    , m_zeroShot(zeroShot)
{
}

core::Session SessionView::capture() const
{
    if (!m_selection->hasResult())
        throw core::Error("there is no result to save yet");
    // What is on screen, not what was typed since.
    const ExplainResult &r = m_selection->result();
    core::Session s;
    s.modelPath = QFileInfo(r.modelPath).absoluteFilePath().toStdString();
    if (!r.imagePath.isEmpty())
        s.imagePath = QFileInfo(r.imagePath).absoluteFilePath().toStdString();
    s.text = r.text.toStdString();
    s.pair = r.pair.toStdString();
    for (const QString &c : m_zeroShot->candidates())
        s.candidates.push_back(c.toStdString());
    s.method = core::methodName(r.explanation.method);
    s.target = m_selection->target();
    s.attention = m_selection->map();
    s.head = m_selection->head();
    s.selectedToken = m_selection->token();
    m_inputs->saveTo(s);
    m_display->saveTo(s);
    s.zoom = m_image->zoom();
    s.panX = m_image->pan().x();
    s.panY = m_image->pan().y();
    s.tab = m_tabs->currentIndex();
    return s;
}

void SessionView::restoreControls(const core::Session &session)
{
    m_inputs->restore(session);
    m_display->restore(session);
    QStringList candidates;
    for (const std::string &c : session.candidates)
        candidates << QString::fromStdString(c);
    m_zeroShot->setCandidates(candidates);
    m_tabs->setCurrentIndex(std::clamp(session.tab, 0, m_tabs->count() - 1));
}

} // namespace attnscope::ui
