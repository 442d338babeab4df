#pragma once

#include "ui/explainrequest.h"

#include <QMainWindow>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;

namespace attnscope::ui {

class ExplainController;

/// AttnScope's main window: the image with the heatmap of the chosen method,
/// the answer, and the text tokens shaded by their score. Every run goes
/// through the ExplainController's worker thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Sets the inputs and runs them.
    void open(const QString &modelPath, const QString &imagePath, const QString &text);
    void run();

    const ExplainResult &lastResult() const { return m_result; }
    QString lastError() const { return m_error; }
    ExplainController *controller() const { return m_controller; }

signals:
    void resultShown();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void showResult(const ExplainResult &result);
    void showError(const QString &message);
    void updateImage();
    void openImage();
    void openModel();

    ExplainController *m_controller = nullptr;
    QLabel *m_image = nullptr;
    QLabel *m_answer = nullptr;
    QLabel *m_tokens = nullptr;
    QLineEdit *m_text = nullptr;
    QComboBox *m_method = nullptr;
    QProgressBar *m_progress = nullptr;
    QString m_modelPath;
    QString m_imagePath;
    ExplainResult m_result;
    QString m_error;
};

} // namespace attnscope::ui
