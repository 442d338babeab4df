#include "ui/mainwindow.h"

#include "ui/explaincontroller.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(new ExplainController(this))
{
    setWindowTitle(QStringLiteral("AttnScope"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);

    auto *inputs = new QHBoxLayout;
    m_text = new QLineEdit(central);
    m_text->setPlaceholderText(tr("Question or caption - Enter runs"));
    m_method = new QComboBox(central);
    for (core::Method method : core::allMethods())
        m_method->addItem(QString::fromLatin1(core::methodName(method)), static_cast<int>(method));
    m_method->setCurrentIndex(static_cast<int>(core::Method::Relevance));
    inputs->addWidget(new QLabel(tr("Text:"), central));
    inputs->addWidget(m_text, 1);
    inputs->addWidget(new QLabel(tr("Method:"), central));
    inputs->addWidget(m_method);
    layout->addLayout(inputs);

    m_answer = new QLabel(central);
    m_answer->setObjectName(QStringLiteral("answer"));
    QFont big = m_answer->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_answer->setFont(big);
    layout->addWidget(m_answer);

    m_image = new QLabel(central);
    m_image->setObjectName(QStringLiteral("imageView"));
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setMinimumSize(320, 220);
    m_image->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    layout->addWidget(m_image, 1);

    m_tokens = new QLabel(central);
    m_tokens->setObjectName(QStringLiteral("tokenView"));
    m_tokens->setTextFormat(Qt::RichText);
    m_tokens->setWordWrap(true);
    layout->addWidget(m_tokens);
    setCentralWidget(central);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(120);
    m_progress->hide();
    statusBar()->addPermanentWidget(m_progress);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &image..."), QKeySequence::Open, this, &MainWindow::openImage);
    file->addAction(tr("Open &model..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, &MainWindow::openModel);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    auto *cancel = new QAction(tr("Cancel"), this);
    cancel->setShortcut(Qt::Key_Escape);
    connect(cancel, &QAction::triggered, m_controller, &ExplainController::cancel);
    addAction(cancel);

    connect(m_text, &QLineEdit::returnPressed, this, &MainWindow::run);
    connect(m_method, &QComboBox::currentIndexChanged, this, &MainWindow::run);
    connect(m_controller, &ExplainController::resultReady, this, &MainWindow::showResult);
    connect(m_controller, &ExplainController::errorOccurred, this, &MainWindow::showError);
    connect(m_controller, &ExplainController::busyChanged, m_progress, &QWidget::setVisible);

    QSettings settings;
    m_method->setCurrentIndex(std::clamp(settings.value(QStringLiteral("method"), m_method->currentIndex()).toInt(), 0,
                                         m_method->count() - 1));
    resize(settings.value(QStringLiteral("windowSize"), QSize(900, 700)).toSize());
}

MainWindow::~MainWindow()
{
    QSettings settings;
    settings.setValue(QStringLiteral("method"), m_method->currentIndex());
    settings.setValue(QStringLiteral("windowSize"), size());
    settings.setValue(QStringLiteral("lastModel"), m_modelPath);
    settings.setValue(QStringLiteral("lastImage"), m_imagePath);
    settings.setValue(QStringLiteral("lastText"), m_text->text());
}

void MainWindow::open(const QString &modelPath, const QString &imagePath, const QString &text)
{
    m_modelPath = modelPath;
    m_imagePath = imagePath;
    m_text->setText(text);
    run();
}

void MainWindow::run()
{
    if (m_modelPath.isEmpty() || m_imagePath.isEmpty())
        return;
    ExplainRequest request;
    request.modelPath = m_modelPath;
    request.imagePath = m_imagePath;
    request.text = m_text->text();
    request.method = static_cast<core::Method>(m_method->currentData().toInt());
    statusBar()->showMessage(tr("Running %1 on %2...").arg(QFileInfo(m_modelPath).fileName(), QFileInfo(m_imagePath).fileName()));
    m_controller->request(request);
}

void MainWindow::showResult(const ExplainResult &result)
{
    m_result = result;
    m_error.clear();
    const core::Prediction &p = result.prediction;
    const int top = p.predicted;
    m_answer->setText(tr("Answer: %1  (%2%)")
                          .arg(QString::fromStdString(p.labels.at(static_cast<size_t>(top))))
                          .arg(100.0 * p.probabilities.at(static_cast<size_t>(top)), 0, 'f', 1));
    // Tokens shaded by their score (scaled by the largest).
    const auto &scores = result.explanation.tokenScores;
    float maxScore = 0.0f;
    for (float s : scores)
        maxScore = std::max(maxScore, std::isnan(s) ? 0.0f : s);
    QString html;
    for (int i = 0; i < result.tokens.size(); ++i) {
        if (i < result.padding.size() && result.padding[i])
            continue;
        const float s = i < static_cast<int>(scores.size()) && maxScore > 0 ? scores[static_cast<size_t>(i)] / maxScore : 0.0f;
        const int shade = 255 - static_cast<int>(std::lround(std::clamp(s, 0.0f, 1.0f) * 160));
        html += QStringLiteral("<span style=\"background-color: rgb(255,%1,%1)\">&nbsp;%2&nbsp;</span> ")
                    .arg(shade)
                    .arg(result.tokens[i].toHtmlEscaped());
    }
    m_tokens->setText(html);
    statusBar()->showMessage(tr("%1 on %2 - forward %3 ms, total %4 ms%5")
                                 .arg(result.modelName, result.deviceName)
                                 .arg(result.forwardMs, 0, 'f', 1)
                                 .arg(result.totalMs, 0, 'f', 1)
                                 .arg(result.truncated ? tr(" - text truncated to the model's length") : QString()));
    updateImage();
    emit resultShown();
}

void MainWindow::showError(const QString &message)
{
    m_error = message;
    statusBar()->showMessage(tr("Error: %1").arg(message));
    m_answer->setText(tr("Could not explain: %1").arg(message));
}

void MainWindow::updateImage()
{
    if (m_result.overlay.isNull()) {
        m_image->clear();
        return;
    }
    m_image->setPixmap(QPixmap::fromImage(m_result.overlay).scaled(m_image->size(), Qt::KeepAspectRatio,
                                                                   Qt::SmoothTransformation));
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    updateImage();
}

void MainWindow::openImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open image"), QFileInfo(m_imagePath).absolutePath(),
                                                      tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)"));
    if (path.isEmpty())
        return;
    m_imagePath = path;
    run();
}

void MainWindow::openModel()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open model - TorchScript archives contain code: open only models you trust"),
        QFileInfo(m_modelPath).absolutePath(), tr("AttnScope models (*.pt);;All files (*)"));
    if (path.isEmpty())
        return;
    m_modelPath = path;
    run();
}

} // namespace attnscope::ui
