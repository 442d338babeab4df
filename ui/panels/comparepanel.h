#pragma once

#include "ui/worker/explainrequest.h"

#include <QRectF>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QStackedWidget;

namespace attnscope::ui {

class ExplainController;
class ImageView;
class Selection;

/// Side B of a comparison, beside the main view (side A): another method on
/// the same run, the same model on another text, or another model on the same
/// input; with B's heatmap and the difference A - B (each scaled to [0, 1]
/// first) in a diverging colormap. The window keeps the answer, map, head and
/// selected word in step on both sides. Side B runs in its own worker,
/// beside side A's, while the panel is active (its tab is shown).
class ComparePanel : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Method, Text, Model };

    explicit ComparePanel(QWidget *parent = nullptr);

    /// Side A: each new result runs side B for it; the focused word is kept
    /// in step on B.
    void follow(Selection *selection);
    /// Runs side B when it becomes active (its tab shown) unless `runNow` is
    /// false (a session sets the tab before its own request); inactive, it waits.
    void setActive(bool active, bool runNow = true);
    /// The device side B runs on (side A's).
    void setDevice(core::DeviceChoice device) { m_device = device; }
    void cancel();
    ExplainController *controller() const { return m_controller; }
    /// Side B's last result; generation 0 when none.
    const ExplainResult &result() const { return m_result; }

    Mode mode() const;
    core::Method method() const;
    QString text() const;
    QString model() const;
    /// The models side B can run; until the user picks one, B's model is
    /// the first that differs from `mainModel` (side A's).
    void setModels(const QStringList &paths, const QString &mainModel = {});
    /// Prefills side B's text from side A's when it is empty.
    void suggestText(const QString &text);

    /// Shows side B and the difference. `a` and `b`: patch scores of the two
    /// sides (same grid), or b empty when B failed or has no patches.
    void showSides(int rows, int cols, const std::vector<float> &a, const std::vector<float> &b, const QImage &image,
              const QString &captionB, const QString &message = {}, const QRectF &region = QRectF(0.0, 0.0, 1.0, 1.0));

    ImageView *sideB() const { return m_b; }
    ImageView *difference() const { return m_diff; }
    QComboBox *modeSelector() const { return m_mode; }
    QComboBox *methodSelector() const { return m_method; }
    QLineEdit *textInput() const { return m_text; }
    QComboBox *modelSelector() const { return m_model; }

    /// Each vector scaled to [0, 1] by its min and max, then a - b.
    static std::vector<float> difference(const std::vector<float> &a, const std::vector<float> &b);

signals:
    void changed(); ///< side B's choice changed: run it again

private:
    /// Asks for side B of the result on side A (when active).
    void run();
    /// Draws side B and the difference from what side A shows now.
    void refresh();

    Selection *m_selection = nullptr;
    ExplainController *m_controller = nullptr;
    ExplainResult m_result;
    quint64 m_askedFor = 0;  ///< side A's generation when side B was last requested
    quint64 m_resultFor = 0; ///< side A's generation m_result belongs to
    QString m_error;
    bool m_active = false;
    core::DeviceChoice m_device = core::DeviceChoice::Auto;
    QComboBox *m_mode = nullptr;
    QStackedWidget *m_choice = nullptr;
    QComboBox *m_method = nullptr;
    QLineEdit *m_text = nullptr;
    QComboBox *m_model = nullptr;
    ImageView *m_b = nullptr;
    ImageView *m_diff = nullptr;
    QLabel *m_message = nullptr;
    bool m_modelChosen = false; ///< the user picked B's model: keep it
};

} // namespace attnscope::ui
