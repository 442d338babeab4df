// MainWindow's menu wiring: what each menu command does, apart from the
// window's construction and its request/result path (mainwindow.cpp).
#include "ui/window/mainwindow.h"

#include "ui/export/exportdialogs.h"
#include "ui/panels/attentionmappanel.h"
#include "ui/panels/comparepanel.h"
#include "ui/panels/faithfulnesspanel.h"
#include "ui/views/headgridview.h"
#include "ui/state/selection.h"
#include "ui/views/attentionmatrixview.h"
#include "ui/views/firstrunhint.h"
#include "ui/views/imageview.h"
#include "ui/window/displaytoolbar.h"
#include "ui/window/filedialogs.h"
#include "ui/window/helpdialogs.h"
#include "ui/window/inputstoolbar.h"
#include "ui/window/mainmenus.h"
#include "ui/worker/explaincontroller.h"

#include <QLabel>
#include <QMenuBar>

namespace attnscope::ui {

void MainWindow::connectMenus()
{
    auto *m = new MainMenus(menuBar(), m_inputs->methodNames(), this);
    m_recent = m->recent();
    auto ifChosen = [this](const QString &path, auto open) {
        if (!path.isEmpty()) // empty: the user cancelled
            (this->*open)(path);
    };
    connect(m, &MainMenus::openImage, this, [=] { ifChosen(FileDialogs::openImage(this, m_imagePath), &MainWindow::openImageFile); });
    connect(m, &MainMenus::openModel, this, [=] { ifChosen(FileDialogs::openModel(this, m_modelPath), &MainWindow::openModelFile); });
    connect(m, &MainMenus::openModelFolder, this,
            [=] { ifChosen(FileDialogs::openModelFolder(this, m_modelPath), &MainWindow::openModelFile); });
    connect(m, &MainMenus::openSession, this, [=] { ifChosen(FileDialogs::openSession(this), &MainWindow::openSession); });
    connect(m, &MainMenus::saveSession, this, [=] { ifChosen(FileDialogs::saveSession(this), &MainWindow::saveSession); });
    connect(m, &MainMenus::exportView, this, [this](MainMenus::View v) {
        const std::pair<QWidget *, const char *> views[] = {{m_image, "heatmap"}, {m_maps->matrix(), "matrix"},
                                                            {m_headGrid, "heads"}, {m_faithfulness, "faithfulness"},
                                                            {this, "attnscope"}};
        const auto &[view, name] = views[static_cast<int>(v)];
        m_exports->exportView(view, QLatin1String(name));
    });
    connect(m, &MainMenus::exportArrays, this, [this] { m_exports->exportArrays(m_selection->result()); });
    connect(m, &MainMenus::exportReport, this, [=] { ifChosen(m_exports->askReportPath(), &MainWindow::exportReport); });
    connect(m, &MainMenus::quit, this, &QWidget::close);
    connect(m, &MainMenus::run, this, &MainWindow::run);
    connect(m, &MainMenus::cancel, this, [this] {
        m_controller->cancel();
        m_compare->cancel();
        m_pendingReport.clear();
        m_status->setText(tr("Cancelled"));
    });
    connect(m, &MainMenus::editText, m_inputs, &InputsToolBar::editText);
    connect(m, &MainMenus::chooseMethod, m_inputs, &InputsToolBar::chooseMethod);
    connect(m, &MainMenus::stepMap, m_maps, &AttentionMapPanel::step);
    connect(m, &MainMenus::toggleGrid, m_display, &DisplayToolBar::toggleGrid);
    connect(m, &MainMenus::fitImage, this, [this] {
        m_image->resetZoom();
        m_maps->matrix()->resetZoom();
    });
    connect(m, &MainMenus::clearSelection, this, [this] { m_selection->selectToken(-1); });
    connect(m, &MainMenus::showModelCard, this, &MainWindow::showModelCard);
    connect(m, &MainMenus::showHint, m_hint, &QWidget::show);
    connect(m, &MainMenus::showAbout, this, [this] { HelpDialogs::showAbout(this); });
}

} // namespace attnscope::ui
