#include "ui/window/mainmenus.h"

#include "ui/window/recentfiles.h"

#include <QKeySequence>
#include <QMenu>
#include <QMenuBar>

namespace attnscope::ui {

MainMenus::MainMenus(QMenuBar *bar, const QStringList &methods, QObject *parent)
    : QObject(parent)
{
    buildFile(bar);
    QMenu *run = bar->addMenu(tr("&Run"));
    run->addAction(tr("&Run"), QKeySequence(Qt::CTRL | Qt::Key_R), this, &MainMenus::run);
    run->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), this, &MainMenus::cancel);
    run->addAction(tr("Edit &text"), QKeySequence(Qt::CTRL | Qt::Key_L), this, &MainMenus::editText);
    run->addSeparator();
    for (int i = 0; i < methods.size(); ++i)
        run->addAction(methods[i], QKeySequence(Qt::CTRL | (Qt::Key_1 + i)), this, [this, i] { emit chooseMethod(i); });

    QMenu *view = bar->addMenu(tr("&View"));
    view->addAction(tr("Previous attention map"), QKeySequence(Qt::Key_BracketLeft), this, [this] { emit stepMap(-1); });
    view->addAction(tr("Next attention map"), QKeySequence(Qt::Key_BracketRight), this, [this] { emit stepMap(1); });
    view->addAction(tr("Toggle patch &grid"), QKeySequence(Qt::CTRL | Qt::Key_G), this, &MainMenus::toggleGrid);
    view->addAction(tr("Fit image"), QKeySequence(Qt::CTRL | Qt::Key_0), this, &MainMenus::fitImage);
    view->addAction(tr("Clear selection"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), this, &MainMenus::clearSelection);

    QMenu *help = bar->addMenu(tr("&Help"));
    help->addAction(tr("This &model"), QKeySequence(Qt::Key_F1), this, &MainMenus::showModelCard);
    help->addAction(tr("What the views show"), this, &MainMenus::showHint);
    help->addSeparator();
    help->addAction(tr("&About AttnScope"), this, &MainMenus::showAbout);
}

void MainMenus::buildFile(QMenuBar *bar)
{
    QMenu *file = bar->addMenu(tr("&File"));
    file->addAction(tr("Open &image..."), QKeySequence::Open, this, &MainMenus::openImage);
    file->addAction(tr("Open &model..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, &MainMenus::openModel);
    file->addAction(tr("Open model &folder..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), this,
                    &MainMenus::openModelFolder);
    QMenu *recentImages = file->addMenu(tr("Recent images"));
    QMenu *recentModels = file->addMenu(tr("Recent models"));
    m_recent = new RecentFiles(recentModels, recentImages, this);
    file->addSeparator();
    file->addAction(tr("Open &session..."), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O), this, &MainMenus::openSession);
    file->addAction(tr("&Save session..."), QKeySequence::Save, this, &MainMenus::saveSession);
    QMenu *exports = file->addMenu(tr("&Export"));
    auto picture = [this](View v) { return [this, v] { emit exportView(v); }; };
    exports->addAction(tr("Image view (PNG, SVG, PDF)..."), QKeySequence(Qt::CTRL | Qt::Key_E), this, picture(View::Image));
    exports->addAction(tr("Attention matrix..."), this, picture(View::Matrix));
    exports->addAction(tr("Head grid..."), this, picture(View::HeadGrid));
    exports->addAction(tr("Faithfulness panel..."), this, picture(View::Faithfulness));
    exports->addAction(tr("Whole window..."), this, picture(View::Window));
    exports->addSeparator();
    exports->addAction(tr("Arrays (NPY and JSON)..."), this, &MainMenus::exportArrays);
    exports->addAction(tr("Report for a domain expert (PDF)..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this,
                       &MainMenus::exportReport);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &MainMenus::quit);
}

} // namespace attnscope::ui
