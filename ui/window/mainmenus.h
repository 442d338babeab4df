#pragma once

#include <QObject>
#include <QStringList>

class QMenuBar;

namespace attnscope::ui {

class RecentFiles;

/// The window's menus and their keyboard shortcuts. Each item says what the
/// user asked for through a signal; the window decides what that does.
class MainMenus : public QObject
{
    Q_OBJECT
public:
    /// What File › Export writes a picture of.
    enum class View { Image, Matrix, HeadGrid, Faithfulness, Window };

    /// `methods`: the Run menu's method items (Ctrl+1, Ctrl+2, ...).
    MainMenus(QMenuBar *bar, const QStringList &methods, QObject *parent = nullptr);
    /// File › Recent images and Recent models.
    RecentFiles *recent() const { return m_recent; }

signals:
    void openImage();
    void openModel();
    void openModelFolder(); ///< a Hugging Face or timm checkpoint folder
    void openSession();
    void saveSession();
    void exportView(attnscope::ui::MainMenus::View view);
    void exportArrays();
    void exportReport();
    void quit();
    void run();
    void cancel();
    void editText();
    void chooseMethod(int index);
    void stepMap(int delta); ///< [ and ]
    void toggleGrid();
    void fitImage();
    void clearSelection();
    void showModelCard();
    void showHint();
    void showAbout();

private:
    void buildFile(QMenuBar *bar);
    RecentFiles *m_recent = nullptr;
};

} // namespace attnscope::ui
