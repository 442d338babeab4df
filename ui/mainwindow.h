#pragma once

#include "ui/explainrequest.h"

#include <QHash>
#include <QList>
#include <QMainWindow>

class QAction;
class QCheckBox;
class QDoubleSpinBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QSlider;
class QSplitter;
class QTabWidget;

namespace attnscope::ui {

class AttentionMatrixView;
class ComparePanel;
class TeachingView;
class ExplainController;
class FaithfulnessPanel;
class HeadGridView;
class ImageView;
class ModalityBars;
class PredictionBars;
class SessionStore;
class TokenView;

/// AttnScope's main window. Every view shows the same run and they are
/// linked: hovering or selecting a word shows its attention (or relevance)
/// over the image; clicking a patch shows how much each word attends to it;
/// clicking a matrix row selects that token everywhere; clicking an answer
/// explains it. Runs go through the ExplainController's worker thread; the
/// window never waits on it.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Sets the inputs and runs them.
    void open(const QString &modelPath, const QString &imagePath, const QString &text);
    void openModelFile(const QString &path);
    void openImageFile(const QString &path);
    /// Models offered in the model selector besides the recent ones.
    void setBundledModels(const QStringList &paths);
    /// The program that loads each new model file in a child process first
    /// (`PROGRAM info MODEL`; the attnscope executable itself), so a file
    /// that crashes the TorchScript loader cannot take the window down.
    /// Bundled models skip it. Empty: models load in-process directly.
    void setModelProbe(const QString &program) { m_probeProgram = program; }
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

    const ExplainResult &lastResult() const { return m_result; }
    QString lastError() const { return m_error; }
    ExplainController *controller() const { return m_controller; }
    ExplainController *compareController() const { return m_compareController; }
    const ExplainResult &compareResult() const { return m_compareResult; }
    /// The selected token as a layout index; -1: none.
    int selectedToken() const { return m_selectedToken; }

signals:
    void resultShown();
    void reportWritten(const QString &path);
    /// A session write started by saveSession ended; `error` empty: on the disk.
    void sessionSaved(const QString &path, const QString &error);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    /// The status bar's progress: `done` of `total` steps of `step`, or a
    /// busy bar naming the step when it cannot be counted (total 0).
    void showProgress(int done, int total, const QString &step);
    /// Help > About: the version, the libraries it runs on and the device.
    void showAbout();
    void buildMenus();
    void request(bool newInput);
    void showResult(const ExplainResult &result);
    void showError(const QString &message);
    /// What the user calls an image file (its name; for a session's embedded
    /// image, the name it was saved under).
    QString imageName(const QString &path) const;
    void updateRolloutOptions();
    void refreshLinkedViews();
    void selectToken(int layoutIndex);
    void setHoverToken(int layoutIndex);
    void explainAnswer(int label);
    void chooseMap(int index);
    void chooseHead(int map, int head);
    void openImage();
    void openModel();
    void saveSessionAs();
    void openSessionDialog();
    void showNotice(const QString &message);
    void exportView(QWidget *view, const QString &name);
    void exportArrays();
    void writeReport(const QString &path);
    void requestCompare();
    /// The row of the selected map's query stream the teaching tab steps
    /// through: the selected token when it is in that stream, else its first.
    int teachingQuery() const;
    void refreshCompare();
    void rememberRecent(const QString &key, const QString &path);
    void rebuildRecentMenus();
    void rebuildModelSelector();
    void applyDisplaySettings();
    /// The matrix the links read for a token: the method's own matrix for
    /// rollout and relevance, else the attention map shown in the matrix view.
    const core::Explanation &linkMatrix(int layoutIndex, QString *what) const;

    ExplainController *m_controller = nullptr;
    QLineEdit *m_text = nullptr;
    QComboBox *m_model = nullptr;
    QComboBox *m_method = nullptr;
    QComboBox *m_device = nullptr;
    QComboBox *m_colormap = nullptr;
    QComboBox *m_overlay = nullptr; ///< spotlight (keeps the image's colours) or colour blend
    QComboBox *m_fusion = nullptr;       ///< rollout's head fusion
    QDoubleSpinBox *m_discard = nullptr; ///< rollout's discard ratio
    QList<QAction *> m_rolloutOptions;   ///< their toolbar actions, shown for rollout only
    QSlider *m_opacity = nullptr;
    QCheckBox *m_smooth = nullptr;
    QCheckBox *m_grid = nullptr;
    QLabel *m_answer = nullptr;
    QLabel *m_trustBadge = nullptr; ///< how far to trust the map on screen (TrustCheck)
    QLabel *m_hint = nullptr;       ///< what the views show, until dismissed (first run)
    SessionStore *m_sessions = nullptr; ///< session writes and hash checks, off the GUI thread
    int m_sessionToken = 0;             ///< counts inputs: a late hash check about an older one is dropped
    /// Images restored from sessions live in the cache under their hash: the
    /// names they had when saved, for the status bar and the title.
    QHash<QString, QString> m_imageNames;
    QLabel *m_banner = nullptr;
    ImageView *m_image = nullptr;
    TokenView *m_tokens = nullptr;
    QSlider *m_layer = nullptr;
    QLabel *m_layerLabel = nullptr;
    QComboBox *m_head = nullptr;
    AttentionMatrixView *m_matrix = nullptr;
    HeadGridView *m_headGrid = nullptr;
    FaithfulnessPanel *m_faithfulness = nullptr;
    ComparePanel *m_compare = nullptr;
    TeachingView *m_teaching = nullptr;
    ExplainController *m_compareController = nullptr; ///< side B runs beside side A, in its own worker
    ExplainResult m_compareResult;
    quint64 m_compareAskedFor = 0;  ///< side A's generation when side B was last requested
    quint64 m_compareResultFor = 0; ///< side A's generation m_compareResult belongs to
    QString m_compareError;
    QTabWidget *m_tabs = nullptr;
    PredictionBars *m_predictions = nullptr;
    ModalityBars *m_modality = nullptr;
    QSplitter *m_split = nullptr;
    QSplitter *m_rightSplit = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QMenu *m_recentModels = nullptr;
    QMenu *m_recentImages = nullptr;

    QStringList m_bundledModels;
    QString m_modelPath;
    QString m_imagePath;
    int m_target = -1;
    int m_attention = -1;
    int m_headIndex = -1;
    int m_selectedToken = -1;
    int m_hoverToken = -1;
    bool m_updatingControls = false;
    QString m_probeProgram;
    ExplainResult m_result;
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
