#pragma once

#include "ui/panels/comparepanel.h"
#include "ui/state/selection.h"
#include "ui/worker/explainrequest.h"

#include <QHash>
#include <QMainWindow>
#include <QPointF>

#include <memory>

class QLabel;
class QSplitter;
class QTabWidget;

namespace attnscope::ui {

class AnswerHeader;
class AttentionMapPanel;
class DisplayToolBar;
class ExplainController;
class ExportDialogs;
class FaithfulnessPanel;
class HeadGridView;
class ImageView;
class InputsToolBar;
class MessageBanner;
class ModalityBars;
class PredictionBars;
class ProgressIndicator;
class RecentFiles;
class SessionStore;
class SessionView;
class TeachingView;
class ZeroShotPanel;
class TokenView;

/// AttnScope's main window. It builds and places the views and runs requests;
/// the views are linked through the shared Selection (hovering or selecting a
/// word shows its attention over the image, clicking a patch shows how much
/// each word attends to it, clicking a matrix row selects that token
/// everywhere, clicking an answer explains it). Runs go through the
/// ExplainController's worker thread; the window never waits on it.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Sets the inputs and runs them.
    /// `pair`: a sentence pair's second text; `candidates`: zero-shot captions.
    void open(const QString &modelPath, const QString &imagePath, const QString &text, const QString &pair = {},
              const QStringList &candidates = {});
    /// Shows a tab of the right side by its position (-1: leave it).
    void showTab(int index);
    void openModelFile(const QString &path);
    void openImageFile(const QString &path);
    /// Models offered in the model selector besides the recent ones; they are
    /// trusted (loaded without the probe).
    void setBundledModels(const QStringList &paths);
    /// The program that loads each new model file in a child process first
    /// (`PROGRAM info MODEL`; the attnscope executable itself), so a file
    /// that crashes the TorchScript loader cannot take the window down.
    /// Bundled models skip it. Empty: models load in-process directly.
    void setModelProbe(const QString &program);
    /// Starts writing the session (atomically, off the GUI thread: hashing a
    /// large model takes seconds); sessionSaved says when it is on the disk.
    /// Returns false and shows why when there is nothing to save.
    bool saveSession(const QString &path);
    /// Opens a session: its model, inputs and view. Says so when the model or
    /// a referenced image has changed since it was saved.
    bool openSession(const QString &path);
    /// Writes the report PDF for the result on screen; when faithfulness has
    /// not been measured yet it is first computed in the worker. Emits
    /// reportWritten or shows the error.
    void exportReport(const QString &path);
    /// The card Help > This model shows for the model on screen (Markdown),
    /// or a sentence saying it has none.
    QString modelCardText() const;
    /// Help > This model (F1): the model card (Markdown) in a dialog.
    void showModelCard();
    /// Notes shown with the last result (e.g. "the model has changed").
    QString lastNotice() const { return m_notice; }
    /// Runs the current inputs (a new input: the predicted answer is explained).
    void run();

    Selection *selection() const { return m_selection; }
    const ExplainResult &lastResult() const { return m_selection->result(); }
    QString lastError() const { return m_error; }
    ExplainController *controller() const { return m_controller; }
    ExplainController *compareController() const { return m_compare->controller(); }
    const ExplainResult &compareResult() const { return m_compare->result(); }
    /// The selected token as a layout index; -1: none.
    int selectedToken() const { return m_selection->token(); }

signals:
    void resultShown();
    void reportWritten(const QString &path);
    /// A session write started by saveSession ended; `error` empty: on the disk.
    void sessionSaved(const QString &path, const QString &error);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QWidget *buildLeftSide();
    QWidget *buildRightSide();
    void buildStatusBar();
    void connectMenus();
    void connectWorkers();
    void restoreSettings();
    void request(bool newInput);
    void showResult(const ExplainResult &result);
    void showTeachingStep(const ExplainResult &result);
    void showError(const QString &message);
    void tabChanged();
    /// What the user calls an image file (its name; for a session's embedded
    /// image, the name it was saved under).
    QString imageName(const QString &path) const;
    void syncRolloutOptions();
    void writeReport(const QString &path);
    void rebuildModelSelector();
    void applyDisplaySettings();

    ExplainController *m_controller = nullptr;
    Selection *m_selection = nullptr;
    InputsToolBar *m_inputs = nullptr;
    DisplayToolBar *m_display = nullptr;
    AnswerHeader *m_answer = nullptr;
    MessageBanner *m_banner = nullptr;
    QLabel *m_hint = nullptr; ///< what the views show, until dismissed (first run)
    ImageView *m_image = nullptr;
    TokenView *m_tokens = nullptr;
    AttentionMapPanel *m_maps = nullptr;
    HeadGridView *m_headGrid = nullptr;
    FaithfulnessPanel *m_faithfulness = nullptr;
    ComparePanel *m_compare = nullptr;
    TeachingView *m_teaching = nullptr;
    ZeroShotPanel *m_zeroShot = nullptr;
    QTabWidget *m_tabs = nullptr;
    PredictionBars *m_predictions = nullptr;
    ModalityBars *m_modality = nullptr;
    QSplitter *m_split = nullptr;
    QSplitter *m_rightSplit = nullptr;
    ProgressIndicator *m_progress = nullptr;
    QLabel *m_status = nullptr;
    RecentFiles *m_recent = nullptr;
    ExportDialogs *m_exports = nullptr;
    SessionStore *m_sessions = nullptr; ///< session writes and hash checks, off the GUI thread
    std::unique_ptr<SessionView> m_sessionView; ///< what a session keeps of the window
    int m_sessionToken = 0;             ///< counts inputs: a late hash check about an older one is dropped
    /// Images restored from sessions live in the cache under their hash: the
    /// names they had when saved, for the status bar and the title.
    QHash<QString, QString> m_imageNames;

    QStringList m_bundledModels;
    QString m_probeProgram;
    QString m_modelPath;
    QString m_imagePath;
    bool m_restoring = false; ///< a session sets the controls: they ask for nothing
    QString m_error;
    QString m_notice;
    QString m_pendingReport;
    /// View state of an opened session, applied when its first result arrives.
    struct PendingView
    {
        bool active = false;
        int selectedToken = -1;
        double zoom = 1.0;
        QPointF pan;
    } m_pendingView;
};

} // namespace attnscope::ui
