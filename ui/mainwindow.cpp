#include "ui/mainwindow.h"

#include "core/image/imagedecoder.h"

#include "core/engine/device.h"

#include "core/io/inputloader.h"
#include "core/io/modelcard.h"
#include "core/io/regularfile.h"
#include "ui/sessionstore.h"

#include "core/explain/attentionlinks.h"
#include "ui/attentionmatrixview.h"
#include "ui/comparepanel.h"
#include "ui/explaincontroller.h"
#include "ui/faithfulnesspanel.h"
#include "ui/headgridview.h"
#include "ui/imageview.h"
#include "ui/modalitybars.h"
#include "ui/predictionbars.h"
#include "ui/reportwriter.h"
#include "ui/teachingview.h"
#include "ui/tokenview.h"
#include "ui/viewexporter.h"

#include "core/error.h"
#include "core/io/npywriter.h"
#include "core/io/explanationjson.h"
#include "core/io/sessionfile.h"
#include "core/io/sha256.h"
#include "core/io/textfile.h"
#include "core/render/colormap.h"

#include <QAction>
#include <QMessageBox>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDir>
#include <QTextBrowser>
#include <QDialogButtonBox>
#include <QDialog>
#include <QDropEvent>
#include <QStandardPaths>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QInputDialog>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

namespace {

constexpr int kRecentCount = 8;
const QStringList kImageSuffixes = {"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "pgm", "ppm"};

QString label(const core::Prediction &p, int index)
{
    return QString::fromStdString(p.label(index));
}

/// The one style of the message above the image: an error, or a note.
QString bannerStyle(bool error)
{
    return error ? QStringLiteral("QLabel { background: #fde2e1; color: #8a1c13; border: 1px solid #e0a09b; "
                                  "border-radius: 4px; padding: 6px; }")
                 : QStringLiteral("QLabel { background: #fff4d6; color: #6b4e00; border: 1px solid #e6c870; "
                                  "border-radius: 4px; padding: 6px; }");
}

/// The badge's colours: green when the map passed its own test, amber when
/// weak, red when no better than random, grey when there is nothing to test.
QString trustStyle(core::TrustCheck::Verdict verdict)
{
    const char *colours = "#eeeeee; color: #444444; border: 1px solid #bbbbbb";
    switch (verdict) {
    case core::TrustCheck::Verdict::Faithful: colours = "#dff3e0; color: #1d5e20; border: 1px solid #8cc98f"; break;
    case core::TrustCheck::Verdict::Weak: colours = "#fff4d6; color: #6b4e00; border: 1px solid #e6c870"; break;
    case core::TrustCheck::Verdict::NoBetterThanRandom: colours = "#fde2e1; color: #8a1c13; border: 1px solid #e0a09b"; break;
    default: break;
    }
    return QStringLiteral("QLabel { background: %1; border-radius: 9px; padding: 2px 8px; }").arg(QLatin1String(colours));
}

QWidget *titled(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QGroupBox(title, parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(content);
    return box;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(new ExplainController(this))
    , m_compareController(new ExplainController(this))
{
    setWindowTitle(QStringLiteral("AttnScope"));
    setAcceptDrops(true);

    // Inputs and display options.
    auto *inputs = addToolBar(tr("Inputs"));
    inputs->setObjectName(QStringLiteral("inputsToolBar"));
    inputs->setMovable(false);
    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("textInput"));
    m_text->setMaxLength(static_cast<int>(core::InputLoader::kMaxTextBytes)); // QLineEdit's default cuts at 32,767
    m_text->setPlaceholderText(tr("Question or caption - Enter runs"));
    m_text->setClearButtonEnabled(true);
    m_text->setMinimumWidth(260);
    inputs->addWidget(new QLabel(tr(" Text "), this));
    inputs->addWidget(m_text);
    auto *runButton = new QPushButton(tr("Run"), this);
    runButton->setToolTip(tr("Run the model on the image and text (Enter, Ctrl+R)"));
    inputs->addWidget(runButton);
    inputs->addSeparator();
    m_model = new QComboBox(this);
    m_model->setObjectName(QStringLiteral("modelSelector"));
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_model->setToolTip(tr("Bundled and recent models (Ctrl+Shift+O opens another)"));
    inputs->addWidget(new QLabel(tr(" Model "), this));
    inputs->addWidget(m_model);
    m_method = new QComboBox(this);
    m_method->setObjectName(QStringLiteral("methodSelector"));
    // One name per method everywhere: the box, the badge, the CLI
    // (--method), sessions, explanation.json and the report; the item's
    // tooltip says what it is.
    const std::pair<core::Method, QString> methods[] = {
        {core::Method::RawAttention, tr("raw attention of the selected map and head")},
        {core::Method::Rollout, tr("attention rollout (Abnar & Zuidema 2020)")},
        {core::Method::Relevance, tr("generic relevance (Chefer, Gur & Wolf 2021)")},
        {core::Method::GradCam, tr("gradient-weighted last-layer attention, the Grad-CAM baseline of Chefer et al. 2021")},
    };
    for (const auto &[method, description] : methods) {
        m_method->addItem(QString::fromLatin1(core::methodName(method)), static_cast<int>(method));
        m_method->setItemData(m_method->count() - 1, description, Qt::ToolTipRole);
    }
    m_method->setCurrentIndex(2);
    inputs->addWidget(new QLabel(tr(" Method "), this));
    inputs->addWidget(m_method);
    m_device = new QComboBox(this);
    m_device->setObjectName(QStringLiteral("deviceSelector"));
    m_device->addItem(tr("Auto"), static_cast<int>(core::DeviceChoice::Auto));
    m_device->addItem(tr("CPU"), static_cast<int>(core::DeviceChoice::Cpu));
    m_device->addItem(tr("CUDA"), static_cast<int>(core::DeviceChoice::Cuda));
    inputs->addWidget(new QLabel(tr(" Device "), this));
    inputs->addWidget(m_device);

    addToolBarBreak();
    auto *display = addToolBar(tr("Display"));
    display->setObjectName(QStringLiteral("displayToolBar"));
    display->setMovable(false);
    // Rollout's head fusion and discard ratio, as vit-explain offers them;
    // shown while the method is rollout.
    m_fusion = new QComboBox(this);
    m_fusion->setObjectName(QStringLiteral("fusionSelector"));
    for (core::HeadReduction r : {core::HeadReduction::Mean, core::HeadReduction::Max, core::HeadReduction::Min})
        m_fusion->addItem(QString::fromLatin1(core::headReductionName(r)), static_cast<int>(r));
    m_fusion->setToolTip(tr("Rollout: how each map's heads are fused (vit-explain's head_fusion)"));
    m_discard = new QDoubleSpinBox(this);
    m_discard->setObjectName(QStringLiteral("discardRatio"));
    m_discard->setRange(0.0, 0.99);
    m_discard->setSingleStep(0.05);
    m_discard->setDecimals(2);
    m_discard->setToolTip(tr("Rollout: share of each fused map's lowest weights set to zero (vit-explain's discard_ratio)"));
    m_rolloutOptions = {display->addWidget(new QLabel(tr(" Rollout heads "), this)), display->addWidget(m_fusion),
                        display->addWidget(new QLabel(tr(" discard "), this)), display->addWidget(m_discard)};
    m_colormap = new QComboBox(this);
    m_colormap->setObjectName(QStringLiteral("colormapSelector"));
    for (core::ColormapKind kind : core::Colormap::all())
        m_colormap->addItem(QString::fromLatin1(core::Colormap::name(kind)), static_cast<int>(kind));
    m_overlay = new QComboBox(this);
    m_overlay->setObjectName(QStringLiteral("overlaySelector"));
    m_overlay->addItem(tr("Spotlight (keeps colours)"), static_cast<int>(ImageView::OverlayMode::Spotlight));
    m_overlay->addItem(tr("Colour blend"), static_cast<int>(ImageView::OverlayMode::Blend));
    m_overlay->setToolTip(tr("Spotlight dims what scores low and keeps the photo's own colours where it scores high; "
                             "colour blend lays the colormap over the photo (it changes the colours you see)"));
    display->addWidget(new QLabel(tr(" Overlay "), this));
    display->addWidget(m_overlay);
    display->addWidget(new QLabel(tr(" Colormap "), this));
    display->addWidget(m_colormap);
    m_opacity = new QSlider(Qt::Horizontal, this);
    m_opacity->setObjectName(QStringLiteral("opacitySlider"));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(55);
    m_opacity->setMaximumWidth(140);
    display->addWidget(new QLabel(tr(" Opacity "), this));
    display->addWidget(m_opacity);
    m_smooth = new QCheckBox(tr("Smooth"), this);
    m_smooth->setObjectName(QStringLiteral("smoothCheck"));
    m_smooth->setChecked(true);
    m_smooth->setToolTip(tr("Bilinear heatmap (off: one flat cell per patch)"));
    display->addWidget(m_smooth);
    m_grid = new QCheckBox(tr("Patch grid"), this);
    m_grid->setObjectName(QStringLiteral("gridCheck"));
    m_grid->setToolTip(tr("Show the model's patch grid (Ctrl+G)"));
    display->addWidget(m_grid);

    // Left: answer, image, words. Right: matrix, answers, modality bars.
    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->setObjectName(QStringLiteral("mainSplitter"));
    auto *left = new QWidget(m_split);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(6, 6, 6, 6);
    m_answer = new QLabel(left);
    m_answer->setObjectName(QStringLiteral("answer"));
    QFont big = m_answer->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_answer->setFont(big);
    m_answer->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *answerRow = new QHBoxLayout;
    answerRow->addWidget(m_answer, 1);
    m_trustBadge = new QLabel(left);
    m_trustBadge->setObjectName(QStringLiteral("trustBadge"));
    m_trustBadge->hide();
    answerRow->addWidget(m_trustBadge);
    leftLayout->addLayout(answerRow);
    m_banner = new QLabel(left);
    m_banner->setObjectName(QStringLiteral("errorBanner"));
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(bannerStyle(true));
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->hide();
    leftLayout->addWidget(m_banner);
    // Until dismissed (and from Help > What the views show): how to read the window.
    m_hint = new QLabel(left);
    m_hint->setObjectName(QStringLiteral("firstRunHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::RichText);
    m_hint->setStyleSheet(QStringLiteral("QLabel { background: #e8f0fb; color: #1f3b63; border: 1px solid #a9c1e6; "
                                         "border-radius: 4px; padding: 6px; }"));
    m_hint->setText(tr("<b>How to read this window.</b> The picture shows where the chosen method finds evidence for the "
                       "answer: the photo keeps its own colours where the evidence is, and is dimmed elsewhere. The "
                       "badge beside the answer says whether that map passed its own test on this input (hiding what it "
                       "marks must hurt the answer more than hiding anything else). Words are shaded the same way; the "
                       "matrix on the right is the raw attention between all tokens. Evidence of what the model used "
                       "is not proof of why. Help › This model says what it was trained on and where it fails. "
                       "<a href=\"dismiss\">Got it</a>"));
    connect(m_hint, &QLabel::linkActivated, this, [this] {
        m_hint->hide();
        QSettings().setValue(QStringLiteral("hintDismissed"), true);
    });
    m_hint->setVisible(!QSettings().value(QStringLiteral("hintDismissed"), false).toBool());
    leftLayout->addWidget(m_hint);
    m_image = new ImageView(left);
    m_image->setObjectName(QStringLiteral("imageView"));
    leftLayout->addWidget(m_image, 1);
    m_tokens = new TokenView(left);
    m_tokens->setObjectName(QStringLiteral("tokenView"));
    leftLayout->addWidget(m_tokens);

    m_rightSplit = new QSplitter(Qt::Vertical, m_split);
    m_rightSplit->setObjectName(QStringLiteral("rightSplitter"));
    auto *matrixPanel = new QWidget(m_rightSplit);
    auto *matrixLayout = new QVBoxLayout(matrixPanel);
    matrixLayout->setContentsMargins(4, 4, 4, 4);
    auto *selectors = new QHBoxLayout;
    m_layer = new QSlider(Qt::Horizontal, matrixPanel);
    m_layer->setObjectName(QStringLiteral("layerSlider"));
    m_layer->setToolTip(tr("Attention map: previous [ / next ]"));
    m_layer->setPageStep(1);
    m_layerLabel = new QLabel(matrixPanel);
    m_layerLabel->setObjectName(QStringLiteral("layerLabel"));
    m_layerLabel->setMinimumWidth(170);
    m_head = new QComboBox(matrixPanel);
    m_head->setObjectName(QStringLiteral("headSelector"));
    m_head->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_head->setMinimumContentsLength(14);
    selectors->addWidget(new QLabel(tr("Map"), matrixPanel));
    selectors->addWidget(m_layer, 1);
    selectors->addWidget(m_layerLabel);
    selectors->addWidget(m_head);
    matrixLayout->addLayout(selectors);
    m_matrix = new AttentionMatrixView(matrixPanel);
    m_matrix->setObjectName(QStringLiteral("attentionMatrix"));
    matrixLayout->addWidget(m_matrix, 1);
    m_predictions = new PredictionBars(m_rightSplit);
    m_predictions->setObjectName(QStringLiteral("predictionBars"));
    m_modality = new ModalityBars(m_rightSplit);
    m_modality->setObjectName(QStringLiteral("modalityBars"));
    m_headGrid = new HeadGridView(m_rightSplit);
    m_headGrid->setObjectName(QStringLiteral("headGrid"));
    m_faithfulness = new FaithfulnessPanel(m_rightSplit);
    m_faithfulness->setObjectName(QStringLiteral("faithfulnessPanel"));
    auto *tabs = new QTabWidget(m_rightSplit);
    m_tabs = tabs;
    tabs->setObjectName(QStringLiteral("rightTabs"));
    tabs->addTab(matrixPanel, tr("Attention matrix"));
    tabs->addTab(m_headGrid, tr("Head grid"));
    tabs->addTab(m_faithfulness, tr("Faithfulness"));
    m_compare = new ComparePanel(m_rightSplit);
    m_compare->setObjectName(QStringLiteral("comparePanel"));
    tabs->addTab(m_compare, tr("Compare"));
    m_teaching = new TeachingView(m_rightSplit);
    m_teaching->setObjectName(QStringLiteral("teachingView"));
    tabs->addTab(m_teaching, tr("Teaching"));
    m_rightSplit->addWidget(tabs);
    m_rightSplit->addWidget(titled(tr("Answers"), m_predictions, m_rightSplit));
    m_rightSplit->addWidget(titled(tr("Modality weights"), m_modality, m_rightSplit));
    m_rightSplit->setStretchFactor(0, 3);
    m_rightSplit->setStretchFactor(1, 1);
    m_rightSplit->setStretchFactor(2, 1);
    m_split->addWidget(left);
    m_split->addWidget(m_rightSplit);
    m_split->setStretchFactor(0, 1);
    m_split->setStretchFactor(1, 1);
    setCentralWidget(m_split);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("busyIndicator"));
    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(240);
    m_progress->setToolTip(tr("Working - Esc cancels"));
    m_progress->hide();
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);

    buildMenus();

    connect(m_text, &QLineEdit::returnPressed, this, &MainWindow::run);
    connect(runButton, &QPushButton::clicked, this, &MainWindow::run);
    connect(m_model, &QComboBox::activated, this, [this](int index) {
        const QString path = m_model->itemData(index).toString();
        if (!path.isEmpty() && path != m_modelPath)
            openModelFile(path);
    });
    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        updateRolloutOptions();
        if (!m_updatingControls)
            request(false);
    });
    connect(m_fusion, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updatingControls)
            request(false);
    });
    connect(m_discard, &QDoubleSpinBox::valueChanged, this, [this] {
        if (!m_updatingControls)
            request(false);
    });
    connect(m_device, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updatingControls)
            run();
    });
    connect(m_colormap, &QComboBox::currentIndexChanged, this, &MainWindow::applyDisplaySettings);
    connect(m_overlay, &QComboBox::currentIndexChanged, this, &MainWindow::applyDisplaySettings);
    connect(m_opacity, &QSlider::valueChanged, this, &MainWindow::applyDisplaySettings);
    connect(m_smooth, &QCheckBox::toggled, this, &MainWindow::applyDisplaySettings);
    connect(m_grid, &QCheckBox::toggled, this, &MainWindow::applyDisplaySettings);
    connect(m_layer, &QSlider::valueChanged, this, [this](int value) {
        if (!m_updatingControls)
            chooseMap(value);
    });
    connect(m_head, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (m_updatingControls)
            return;
        m_headIndex = index - 1; // item 0 is the heads' mean
        request(false);
    });
    connect(m_image, &ImageView::patchClicked, this, [this](int patch) {
        selectToken(patch < 0 ? -1 : m_result.layoutIndexOfPatch(patch));
    });
    connect(m_tokens, &TokenView::tokenClicked, this, [this](int index) {
        selectToken(index < 0 ? -1 : m_result.layoutIndexOfText(index));
    });
    connect(m_tokens, &TokenView::tokenHovered, this, [this](int index) {
        setHoverToken(index < 0 ? -1 : m_result.layoutIndexOfText(index));
    });
    connect(m_matrix, &AttentionMatrixView::tokenSelected, this, &MainWindow::selectToken);
    connect(m_predictions, &PredictionBars::answerClicked, this, &MainWindow::explainAnswer);
    connect(m_headGrid, &HeadGridView::headSelected, this, &MainWindow::chooseHead);
    // The perturbation tests cost a few dozen forward passes: run them only
    // while their tab is shown.
    connect(m_compare, &ComparePanel::changed, this, &MainWindow::requestCompare);
    connect(m_compareController, &ExplainController::resultReady, this, [this](const ExplainResult &result) {
        m_compareResult = result;
        m_compareResultFor = m_compareAskedFor; // the controller drops all but the latest request's result
        m_compareError.clear();
        refreshCompare();
    });
    connect(m_compareController, &ExplainController::errorOccurred, this, [this](const QString &message) {
        m_compareResult = ExplainResult();
        m_compareResultFor = m_compareAskedFor;
        m_compareError = message;
        refreshCompare();
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_updatingControls)
            return; // e.g. a session being opened sets the tab before its request
        if (m_tabs->currentWidget() == m_compare)
            requestCompare();
        if (m_tabs->currentWidget() == m_faithfulness && m_result.generation != 0 && m_result.faithfulness.empty()) {
            m_faithfulness->setPending(true);
            request(false);
        }
        if (m_tabs->currentWidget() == m_headGrid && m_result.generation != 0 && m_result.heads.empty())
            request(false);
        if (m_tabs->currentWidget() == m_teaching && m_result.generation != 0 && m_result.teachQuery != teachingQuery())
            request(false);
    });
    connect(m_controller, &ExplainController::resultReady, this, &MainWindow::showResult);
    connect(m_controller, &ExplainController::errorOccurred, this, &MainWindow::showError);
    m_sessions = new SessionStore(this);
    connect(m_sessions, &SessionStore::saved, this, [this](const QString &path, const QString &error) {
        if (error.isEmpty()) {
            m_status->setText(tr("Saved the session to %1").arg(QFileInfo(path).fileName()));
        } else {
            // Arrives later than the save was asked for: it must not touch the
            // inputs or a run in flight, as showError's recovery does.
            m_error = tr("the session was not saved: %1").arg(error);
            m_banner->setStyleSheet(bannerStyle(true));
            m_banner->setText(m_error);
            m_banner->show();
            m_status->setText(tr("The session was not saved - see the message above the image"));
        }
        emit sessionSaved(path, error);
    });
    connect(m_sessions, &SessionStore::changed, this, [this](const QString &note, int token) {
        if (token != m_sessionToken)
            return; // about a session whose input is no longer on screen
        m_notice = m_notice.isEmpty() ? note : m_notice + QLatin1Char(' ') + note;
        if (m_error.isEmpty()) {
            m_banner->setStyleSheet(bannerStyle(false));
            m_banner->setText(m_banner->isVisible() && !m_banner->text().isEmpty() ? m_banner->text() + QLatin1Char('\n') + note : note);
            m_banner->show();
        }
    });
    connect(m_controller, &ExplainController::busyChanged, this, [this](bool busy) {
        showProgress(0, 0, tr("Working"));
        m_progress->setVisible(busy);
    });
    connect(m_controller, &ExplainController::progressChanged, this, &MainWindow::showProgress);

    QSettings settings;
    m_updatingControls = true;
    m_method->setCurrentIndex(std::clamp(settings.value(QStringLiteral("method"), 2).toInt(), 0, m_method->count() - 1));
    m_device->setCurrentIndex(std::clamp(settings.value(QStringLiteral("device"), 0).toInt(), 0, m_device->count() - 1));
    m_colormap->setCurrentIndex(std::clamp(settings.value(QStringLiteral("colormap"), 0).toInt(), 0, m_colormap->count() - 1));
    m_opacity->setValue(settings.value(QStringLiteral("opacity"), 55).toInt());
    m_overlay->setCurrentIndex(std::clamp(settings.value(QStringLiteral("overlay"), 0).toInt(), 0, m_overlay->count() - 1));
    m_fusion->setCurrentIndex(std::clamp(settings.value(QStringLiteral("rolloutFusion"), 0).toInt(), 0, m_fusion->count() - 1));
    m_discard->setValue(settings.value(QStringLiteral("rolloutDiscard"), 0.0).toDouble());
    m_smooth->setChecked(settings.value(QStringLiteral("smooth"), true).toBool());
    m_grid->setChecked(settings.value(QStringLiteral("grid"), false).toBool());
    m_updatingControls = false;
    resize(settings.value(QStringLiteral("windowSize"), QSize(1280, 820)).toSize());
    m_split->restoreState(settings.value(QStringLiteral("mainSplitter")).toByteArray());
    m_rightSplit->restoreState(settings.value(QStringLiteral("rightSplitter")).toByteArray());
    tabs->setCurrentIndex(std::clamp(settings.value(QStringLiteral("rightTab"), 0).toInt(), 0, tabs->count() - 1));
    applyDisplaySettings();
    updateRolloutOptions();
    rebuildRecentMenus();
}

MainWindow::~MainWindow()
{
    QSettings settings;
    settings.setValue(QStringLiteral("method"), m_method->currentIndex());
    settings.setValue(QStringLiteral("device"), m_device->currentIndex());
    settings.setValue(QStringLiteral("colormap"), m_colormap->currentIndex());
    settings.setValue(QStringLiteral("opacity"), m_opacity->value());
    settings.setValue(QStringLiteral("overlay"), m_overlay->currentIndex());
    settings.setValue(QStringLiteral("rolloutFusion"), m_fusion->currentIndex());
    settings.setValue(QStringLiteral("rolloutDiscard"), m_discard->value());
    settings.setValue(QStringLiteral("smooth"), m_smooth->isChecked());
    settings.setValue(QStringLiteral("grid"), m_grid->isChecked());
    settings.setValue(QStringLiteral("windowSize"), size());
    settings.setValue(QStringLiteral("mainSplitter"), m_split->saveState());
    settings.setValue(QStringLiteral("rightSplitter"), m_rightSplit->saveState());
    settings.setValue(QStringLiteral("rightTab"), m_tabs->currentIndex());
    settings.setValue(QStringLiteral("lastModel"), m_modelPath);
    settings.setValue(QStringLiteral("lastImage"), m_imagePath);
    settings.setValue(QStringLiteral("lastText"), m_text->text());
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &image..."), QKeySequence::Open, this, &MainWindow::openImage);
    file->addAction(tr("Open &model..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, &MainWindow::openModel);
    m_recentImages = file->addMenu(tr("Recent images"));
    m_recentModels = file->addMenu(tr("Recent models"));
    file->addSeparator();
    file->addAction(tr("Open &session..."), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O), this, &MainWindow::openSessionDialog);
    file->addAction(tr("&Save session..."), QKeySequence::Save, this, &MainWindow::saveSessionAs);
    QMenu *exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Image view (PNG, SVG, PDF)..."), QKeySequence(Qt::CTRL | Qt::Key_E), this,
                          [this] { exportView(m_image, QStringLiteral("heatmap")); });
    exportMenu->addAction(tr("Attention matrix..."), this, [this] { exportView(m_matrix, QStringLiteral("matrix")); });
    exportMenu->addAction(tr("Head grid..."), this, [this] { exportView(m_headGrid, QStringLiteral("heads")); });
    exportMenu->addAction(tr("Faithfulness panel..."), this, [this] { exportView(m_faithfulness, QStringLiteral("faithfulness")); });
    exportMenu->addAction(tr("Whole window..."), this, [this] { exportView(this, QStringLiteral("attnscope")); });
    exportMenu->addSeparator();
    exportMenu->addAction(tr("Arrays (NPY and JSON)..."), this, &MainWindow::exportArrays);
    exportMenu->addAction(tr("Report for a domain expert (PDF)..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Save report"), QStringLiteral("attnscope-report.pdf"),
                                                    tr("PDF (*.pdf)"));
        if (path.isEmpty())
            return;
        if (QFileInfo(path).suffix().isEmpty())
            path += QStringLiteral(".pdf");
        exportReport(path);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *runMenu = menuBar()->addMenu(tr("&Run"));
    runMenu->addAction(tr("&Run"), QKeySequence(Qt::CTRL | Qt::Key_R), this, &MainWindow::run);
    runMenu->addAction(tr("&Cancel"), QKeySequence(Qt::Key_Escape), this, [this] {
        m_controller->cancel();
        m_compareController->cancel();
        m_pendingReport.clear();
        m_status->setText(tr("Cancelled"));
    });
    runMenu->addAction(tr("Edit &text"), QKeySequence(Qt::CTRL | Qt::Key_L), this, [this] {
        m_text->setFocus();
        m_text->selectAll();
    });
    runMenu->addSeparator();
    for (int i = 0; i < m_method->count(); ++i) {
        runMenu->addAction(m_method->itemText(i), QKeySequence(Qt::CTRL | (Qt::Key_1 + i)), this,
                           [this, i] { m_method->setCurrentIndex(i); });
    }

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Previous attention map"), QKeySequence(Qt::Key_BracketLeft), this,
                    [this] { m_layer->setValue(m_layer->value() - 1); });
    view->addAction(tr("Next attention map"), QKeySequence(Qt::Key_BracketRight), this,
                    [this] { m_layer->setValue(m_layer->value() + 1); });
    view->addAction(tr("Toggle patch &grid"), QKeySequence(Qt::CTRL | Qt::Key_G), this, [this] { m_grid->toggle(); });
    view->addAction(tr("Fit image"), QKeySequence(Qt::CTRL | Qt::Key_0), this, [this] {
        m_image->resetZoom();
        m_matrix->resetZoom();
    });
    view->addAction(tr("Clear selection"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), this, [this] { selectToken(-1); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("This &model"), QKeySequence(Qt::Key_F1), this, &MainWindow::showModelCard);
    help->addAction(tr("What the views show"), this, [this] { m_hint->show(); });
    help->addSeparator();
    help->addAction(tr("&About AttnScope"), this, &MainWindow::showAbout);
}

void MainWindow::showAbout()
{
    const QString device = core::cudaAvailable() ? tr("a CUDA GPU is available") : tr("no CUDA GPU: models run on the CPU");
    auto *box = new QMessageBox(QMessageBox::NoIcon, tr("About AttnScope"),
                                tr("<h3>AttnScope %1</h3><p>See inside multimodal transformers: where a model looks, "
                                   "and how far to trust the picture.</p>"
                                   "<p>Qt %2 &middot; LibTorch %3 &middot; OpenCV %4<br>%5</p>")
                                    .arg(QStringLiteral(ATTNSCOPE_VERSION), QString::fromLatin1(qVersion()),
                                         QString::fromStdString(core::libTorchVersion()),
                                         QString::fromStdString(core::ImageDecoder::openCvVersion()), device),
                                QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

QString MainWindow::modelCardText() const
{
    const QString model = m_result.generation ? m_result.modelPath : m_modelPath;
    const core::ModelCard card = core::ModelCard::forModel(model.toStdString());
    if (!card.exists())
        return tr("# %1\n\nThis model has no model card: AttnScope shows a Markdown file with the model's name and "
                  "the extension .md beside the model file (its data, accuracy per question type and known limits) "
                  "when there is one.")
            .arg(QFileInfo(model).fileName());
    return QString::fromStdString(card.text);
}

void MainWindow::showModelCard()
{
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("modelCardDialog"));
    dialog->setWindowTitle(tr("This model"));
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QTextBrowser(dialog);
    text->setObjectName(QStringLiteral("modelCardText"));
    text->setMarkdown(modelCardText());
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->resize(720, 560);
    dialog->show();
}

void MainWindow::open(const QString &modelPath, const QString &imagePath, const QString &text)
{
    // Said, not cut: the text box would keep the first million characters
    // without a word.
    if (static_cast<size_t>(text.toUtf8().size()) > core::InputLoader::kMaxTextBytes) {
        showError(tr("the text is %1 kB long; AttnScope reads at most %2 MB of text")
                      .arg(text.toUtf8().size() / 1000)
                      .arg(core::InputLoader::kMaxTextBytes >> 20));
        return;
    }
    m_modelPath = modelPath;
    m_imagePath = imagePath;
    m_text->setText(text);
    rebuildModelSelector(); // names the model asked for, even if it fails to load
    run();
}

void MainWindow::setBundledModels(const QStringList &paths)
{
    m_bundledModels = paths;
    rebuildModelSelector();
}

void MainWindow::rebuildModelSelector()
{
    QStringList paths;
    for (const QString &p : QSettings().value(QStringLiteral("recentModels")).toStringList() + m_bundledModels) {
        const QString absolute = QFileInfo(p).absoluteFilePath();
        if (!paths.contains(absolute))
            paths << absolute;
    }
    const QString current = m_modelPath.isEmpty() ? QString() : QFileInfo(m_modelPath).absoluteFilePath();
    if (!current.isEmpty() && !paths.contains(current))
        paths.prepend(current);
    m_updatingControls = true;
    m_model->clear();
    for (const QString &p : paths) {
        m_model->addItem(QFileInfo(p).completeBaseName(), p);
        m_model->setItemData(m_model->count() - 1, p, Qt::ToolTipRole);
    }
    m_model->setCurrentIndex(std::max(0, static_cast<int>(paths.indexOf(current))));
    m_updatingControls = false;
    if (m_compare)
        m_compare->setModels(paths, current);
}

void MainWindow::openModelFile(const QString &path)
{
    m_modelPath = path;
    m_attention = -1;
    m_headIndex = -1;
    rebuildModelSelector();
    run();
}

void MainWindow::openImageFile(const QString &path)
{
    m_imagePath = path;
    run();
}

void MainWindow::showProgress(int done, int total, const QString &step)
{
    m_progress->setRange(0, std::max(0, total));
    m_progress->setValue(total > 0 ? std::clamp(done, 0, total) : 0);
    // Qt replaces %v and %m with the value and the maximum.
    m_progress->setFormat(total > 0 ? tr("%1 %v/%m").arg(step) : step);
    m_progress->setTextVisible(true);
    m_progress->setToolTip(tr("%1 - Esc cancels").arg(step));
}

void MainWindow::run()
{
    m_notice.clear(); // notes belong to the input they were about
    ++m_sessionToken;
    m_target = -1;    // a new input: explain what the model answers
    request(true);
}

bool MainWindow::saveSession(const QString &path)
{
    try {
        if (m_result.generation == 0)
            throw core::Error("there is no result to save yet");
        // What is on screen, not what was typed since. The hashes, the
        // image's bytes and the write are the store's, off this thread.
        core::Session s;
        s.modelPath = QFileInfo(m_result.modelPath).absoluteFilePath().toStdString();
        s.imagePath = QFileInfo(m_result.imagePath).absoluteFilePath().toStdString();
        s.text = m_result.text.toStdString();
        s.method = core::methodName(m_result.explanation.method);
        s.device = core::deviceChoiceName(static_cast<core::DeviceChoice>(m_device->currentData().toInt()));
        s.target = m_target;
        s.attention = m_attention;
        s.head = m_headIndex;
        s.selectedToken = m_selectedToken;
        s.colormap = core::Colormap::name(static_cast<core::ColormapKind>(m_colormap->currentData().toInt()));
        s.opacity = m_opacity->value() / 100.0;
        s.overlay = m_overlay->currentIndex() == 0 ? "spotlight" : "blend";
        s.fusion = core::headReductionName(static_cast<core::HeadReduction>(m_fusion->currentData().toInt()));
        s.discardRatio = m_discard->value();
        s.smooth = m_smooth->isChecked();
        s.grid = m_grid->isChecked();
        s.zoom = m_image->zoom();
        s.panX = m_image->pan().x();
        s.panY = m_image->pan().y();
        s.tab = m_tabs->currentIndex();
        m_status->setText(tr("Saving the session to %1...").arg(QFileInfo(path).fileName()));
        m_sessions->save(std::move(s), path);
        return true;
    } catch (const core::Error &e) {
        showError(tr("the session was not saved: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

bool MainWindow::openSession(const QString &path)
{
    try {
        const core::Session s = core::Session::parse(core::TextFile::read(path.toStdString(), size_t(256) << 20),
                                                     QFileInfo(path).fileName().toStdString());
        const QDir base = QFileInfo(path).absoluteDir();
        QStringList notes;
        const QString model = base.absoluteFilePath(QString::fromStdString(s.modelPath));
        if (!QFileInfo::exists(model))
            throw core::Error("the session's model " + model.toStdString() + " does not exist");
        core::RegularFile::require(model.toStdString(), "model"); // before anything reads it
        QString changedImage; // a referenced image to check against its saved hash
        QString image;
        if (!s.imageData.empty()) {
            const std::string hash = core::Sha256::hex(s.imageData);
            if (!s.imageSha256.empty() && hash != s.imageSha256)
                throw core::Error("the image embedded in the session is damaged (its SHA-256 does not match)");
            // The embedded image goes to the cache under its hash, so the
            // worker reads it like any other file.
            const QString folder = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/sessions");
            QDir().mkpath(folder);
            const QString suffix = QFileInfo(QString::fromStdString(s.imagePath)).suffix();
            image = QStringLiteral("%1/%2.%3").arg(folder, QString::fromStdString(hash),
                                                   suffix.isEmpty() ? QStringLiteral("png") : suffix);
            if (!QFileInfo::exists(image) || core::Sha256::ofFile(image.toStdString()) != hash) {
                core::TextFile::write(image.toStdString(), std::string(s.imageData.begin(), s.imageData.end()));
            }
        } else {
            image = base.absoluteFilePath(QString::fromStdString(s.imagePath));
            if (!QFileInfo::exists(image))
                throw core::Error("the session's image " + image.toStdString() + " does not exist");
            core::RegularFile::require(image.toStdString(), "image");
            changedImage = image;
        }

        m_updatingControls = true;
        const int method = m_method->findData(static_cast<int>(core::parseMethod(s.method)));
        m_method->setCurrentIndex(std::max(0, method));
        const int device = m_device->findData(static_cast<int>(core::parseDeviceChoice(s.device)));
        m_device->setCurrentIndex(std::max(0, device));
        const int colormap = m_colormap->findData(static_cast<int>(core::Colormap::parse(s.colormap)));
        m_colormap->setCurrentIndex(std::max(0, colormap));
        m_opacity->setValue(static_cast<int>(std::lround(s.opacity * 100)));
        m_overlay->setCurrentIndex(s.overlay == "blend" ? 1 : 0);
        m_fusion->setCurrentIndex(std::max(0, m_fusion->findData(static_cast<int>(core::parseHeadReduction(s.fusion)))));
        m_discard->setValue(s.discardRatio);
        m_smooth->setChecked(s.smooth);
        m_grid->setChecked(s.grid);
        m_tabs->setCurrentIndex(std::clamp(s.tab, 0, m_tabs->count() - 1));
        m_text->setText(QString::fromStdString(s.text));
        m_updatingControls = false;
        applyDisplaySettings();

        m_modelPath = model;
        m_imagePath = image;
        if (!s.imageData.empty() && !s.imagePath.empty()) // the cache names it by its hash; the user knows its name
            m_imageNames.insert(image, QFileInfo(QString::fromStdString(s.imagePath)).fileName());
        m_target = s.target;
        m_attention = s.attention;
        m_headIndex = s.head;
        m_pendingView = {true, s.selectedToken, s.zoom, QPointF(s.panX, s.panY)};
        m_notice = notes.join(QLatin1Char(' '));
        const int token = ++m_sessionToken;
        request(true); // the session's inputs, with its answer, map and head
        // Hashed on a pool thread while the model loads; a difference is said
        // with the result (or added to it, when it comes later).
        m_sessions->checkUnchanged(model, QString::fromStdString(s.modelSha256),
                                   tr("The model file %1 has changed since this session was saved (its SHA-256 differs): "
                                      "the explanations may differ from the saved ones.").arg(QFileInfo(model).fileName()),
                                   token);
        if (!changedImage.isEmpty())
            m_sessions->checkUnchanged(changedImage, QString::fromStdString(s.imageSha256),
                                       tr("The image %1 has changed since this session was saved.").arg(QFileInfo(changedImage).fileName()),
                                       token);

        return true;
    } catch (const core::Error &e) {
        m_updatingControls = false;
        showError(tr("the session could not be opened: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

void MainWindow::exportReport(const QString &path)
{
    if (m_result.generation == 0) {
        showError(tr("there is no result to report yet"));
        return;
    }
    if (!m_result.faithfulness.empty()) {
        writeReport(path);
        return;
    }
    m_pendingReport = path; // written when the faithfulness curves arrive
    request(false);
}

void MainWindow::writeReport(const QString &path)
{
    try {
        ReportWriter::Content content;
        content.result = m_result;
        content.modelFile = m_result.modelPath;
        content.cardSummary = ReportWriter::cardSummary(m_result.modelPath);
        content.text = m_result.text;
        ReportWriter::write(content, path);
        m_status->setText(tr("Wrote the report to %1").arg(QFileInfo(path).fileName()));
        emit reportWritten(path);
    } catch (const core::Error &e) {
        showError(QString::fromStdString(e.what()));
    }
}

void MainWindow::exportView(QWidget *view, const QString &name)
{
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, tr("Export"), name + QStringLiteral(".png"),
                                                tr("PNG image (*.png);;SVG (*.svg);;PDF (*.pdf)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QLatin1String("svg")) ? QStringLiteral(".svg")
                                                        : selected.contains(QLatin1String("pdf")) ? QStringLiteral(".pdf")
                                                                                                   : QStringLiteral(".png");
    try {
        const QString suffix = QFileInfo(path).suffix().toLower();
        if (suffix == QLatin1String("svg")) {
            ViewExporter::svg(view, path);
        } else if (suffix == QLatin1String("pdf")) {
            ViewExporter::pdf(view, path);
        } else {
            bool ok = false;
            const int dpi = QInputDialog::getInt(this, tr("Resolution"), tr("Dots per inch (96 = as on screen):"),
                                                 QSettings().value(QStringLiteral("exportDpi"), 300).toInt(), 24, 1200, 1, &ok);
            if (!ok)
                return;
            QSettings().setValue(QStringLiteral("exportDpi"), dpi);
            ViewExporter::png(view, path, dpi);
        }
        m_status->setText(tr("Exported %1").arg(QFileInfo(path).fileName()));
    } catch (const core::Error &e) {
        showError(QString::fromStdString(e.what()));
    }
}

void MainWindow::exportArrays()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Export arrays into"));
    if (folder.isEmpty())
        return;
    try {
        const core::Explanation &e = m_result.explanation;
        const QString stem = folder + QLatin1Char('/') + QString::fromLatin1(core::methodName(e.method));
        if (e.hasPatchScores())
            core::NpyWriter::write((stem + QStringLiteral("_patches.npy")).toStdString(), {e.gridRows, e.gridCols}, e.patchScores);
        if (e.hasTokenScores())
            core::NpyWriter::write((stem + QStringLiteral("_tokens.npy")).toStdString(), {static_cast<int>(e.tokenScores.size())},
                                   e.tokenScores);
        if (!e.matrix.empty())
            core::NpyWriter::write((stem + QStringLiteral("_matrix.npy")).toStdString(), {e.matrix.rows(), e.matrix.cols()}, e.matrix.values());
        const core::Explanation &a = m_result.attention;
        if (!a.matrix.empty())
            core::NpyWriter::write((folder + QStringLiteral("/attention_map%1_%2.npy")
                                                 .arg(m_result.attentionIndex)
                                                 .arg(m_result.head < 0 ? QStringLiteral("mean") : QString::number(m_result.head)))
                                       .toStdString(),
                                   {a.matrix.rows(), a.matrix.cols()}, a.matrix.values());
        core::TextFile::write((stem + QStringLiteral(".json")).toStdString(),
                              core::ExplanationJson::explanation(e, true).dump(1) + "\n");
        m_status->setText(tr("Exported the arrays to %1").arg(folder));
    } catch (const core::Error &err) {
        showError(QString::fromStdString(err.what()));
    }
}

void MainWindow::saveSessionAs()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save session"), QString(),
                                                tr("AttnScope sessions (*.attnscope);;All files (*)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".attnscope");
    saveSession(path);
}

void MainWindow::openSessionDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), QString(),
                                                      tr("AttnScope sessions (*.attnscope);;All files (*)"));
    if (!path.isEmpty())
        openSession(path);
}

void MainWindow::request(bool newInput)
{
    ExplainRequest r;
    if (newInput || m_result.generation == 0) {
        r.modelPath = m_modelPath;
        r.imagePath = m_imagePath;
        r.text = m_text->text();
    } else {
        // A view change (method, answer, map, head) re-explains the input on
        // screen, not text typed but not yet run.
        r.modelPath = m_result.modelPath;
        r.imagePath = m_result.imagePath;
        r.text = m_result.text;
    }
    if (r.modelPath.isEmpty() || r.imagePath.isEmpty())
        return;
    r.probeProgram = m_bundledModels.contains(r.modelPath) ? QString() : m_probeProgram;
    r.method = static_cast<core::Method>(m_method->currentData().toInt());
    r.fusion = static_cast<core::HeadReduction>(m_fusion->currentData().toInt());
    r.discardRatio = m_discard->value();
    r.device = static_cast<core::DeviceChoice>(m_device->currentData().toInt());
    r.target = m_target;
    r.attention = m_attention;
    r.head = m_headIndex;
    r.faithfulness = m_tabs->currentWidget() == m_faithfulness || !m_pendingReport.isEmpty();
    r.heads = m_tabs->currentWidget() == m_headGrid; // thumbnails and statistics only while shown
    // A new input clears the selection: its step starts at the first token.
    r.teachQuery = m_tabs->currentWidget() != m_teaching ? -1 : (newInput ? 0 : teachingQuery());
    m_status->setText(tr("Running %1 on %2...").arg(QFileInfo(r.modelPath).fileName(), QFileInfo(r.imagePath).fileName()));
    m_controller->request(r);
}

void MainWindow::explainAnswer(int label)
{
    m_target = label;
    request(false);
}

void MainWindow::chooseMap(int index)
{
    m_attention = index;
    if (index >= 0 && index < m_result.maps.size() && m_headIndex >= m_result.maps[index].heads)
        m_headIndex = -1;
    request(false);
}

void MainWindow::chooseHead(int map, int head)
{
    m_attention = map;
    m_headIndex = head;
    request(false);
}

void MainWindow::showResult(const ExplainResult &result)
{
    const bool sameInput = result.modelPath == m_result.modelPath && result.imagePath == m_result.imagePath
        && result.tokens == m_result.tokens && result.layout.size() == m_result.layout.size();
    m_result = result;
    m_error.clear();
    // A note rather than an error: the answer stands, but the model did not
    // read the whole text.
    QStringList notes;
    if (!m_notice.isEmpty())
        notes << m_notice;
    if (!result.notice.isEmpty())
        notes << result.notice;
    if (!result.unknownNote.isEmpty())
        notes << result.unknownNote;
    if (!result.chanceNote.isEmpty())
        notes << result.chanceNote;
    notes << result.limitNotes;
    if (!result.imageNote.isEmpty())
        notes << result.imageNote;
    if (result.truncated)
        notes << tr("The text has %1 words, but the model reads at most %2 tokens: the last %3 words were left out.")
                     .arg(result.wordCount)
                     .arg(result.tokens.size())
                     .arg(result.droppedWords);
    if (notes.isEmpty()) {
        m_banner->hide();
    } else {
        m_banner->setStyleSheet(bannerStyle(false));
        m_banner->setText(notes.join(QLatin1Char('\n')));
        m_banner->show();
    }
    if (!sameInput) {
        m_selectedToken = -1;
        m_hoverToken = -1;
    }
    const bool restoreView = m_pendingView.active;
    if (restoreView) {
        m_pendingView.active = false;
        m_selectedToken = m_pendingView.selectedToken < static_cast<int>(result.layout.size()) ? m_pendingView.selectedToken : -1;
    }
    rememberRecent(QStringLiteral("recentModels"), result.modelPath);
    rememberRecent(QStringLiteral("recentImages"), result.imagePath);
    rebuildModelSelector();

    const core::Prediction &p = result.prediction;
    const int explained = result.explanation.target;
    QString answer = tr("Answer: %1  (%2%)").arg(label(p, p.predicted)).arg(100.0 * p.probability(p.predicted), 0, 'f', 1);
    if (explained != p.predicted)
        answer += tr("   - explaining \"%1\"").arg(label(p, explained));
    m_answer->setText(answer);
    const core::TrustCheck::Verdict verdict = result.trust.verdict;
    m_trustBadge->setVisible(verdict != core::TrustCheck::Verdict::NotTested);
    m_trustBadge->setText(tr("%1: %2").arg(QString::fromLatin1(core::methodName(result.explanation.method)),
                                           QString::fromLatin1(core::TrustCheck::verdictName(verdict))));
    m_trustBadge->setStyleSheet(trustStyle(verdict));
    m_trustBadge->setToolTip(QString::fromStdString(result.trust.sentence())
                             + tr("\nThe Faithfulness tab has the full curves of every method."));

    m_updatingControls = true;
    m_layer->setRange(0, std::max(0, static_cast<int>(result.maps.size()) - 1));
    m_layer->setValue(result.attentionIndex);
    m_layerLabel->setText(result.attentionIndex < result.maps.size() ? result.maps[result.attentionIndex].title() : QString());
    m_head->clear();
    m_head->addItem(tr("mean of heads"));
    const int heads = result.attentionIndex < result.maps.size() ? result.maps[result.attentionIndex].heads : 0;
    for (int h = 0; h < heads; ++h)
        m_head->addItem(tr("head %1").arg(h));
    m_head->setCurrentIndex(result.head + 1);
    m_updatingControls = false;
    m_attention = result.attentionIndex;
    m_headIndex = result.head;

    m_image->setImage(result.image);
    m_image->setInputRegion(result.inputRegion);
    if (restoreView) // after setImage, which fits a new image
        m_image->setZoomPan(m_pendingView.zoom, m_pendingView.pan);
    m_tokens->setTokens(result.tokens, result.padding, result.unknown);
    m_matrix->setMatrix(result.attention, result.layout,
                        tr("key - %1, %2").arg(m_layerLabel->text(), m_head->currentText()));
    m_predictions->setPrediction(p, explained);
    m_modality->setWeights(result.modality);
    QStringList titles;
    for (const AttentionMapInfo &info : result.maps)
        titles << info.title();
    m_headGrid->setStatistics(result.heads, titles);
    m_headGrid->setSelected(result.attentionIndex, result.head);
    if (!result.faithfulness.empty())
        m_faithfulness->setCurves(result.faithfulness, label(p, explained));
    else
        m_faithfulness->setPending(false);
    refreshLinkedViews();

    m_status->setText(tr("%1 on %2 - %3 - forward %4 ms, total %5 ms%6")
                          .arg(result.modelName, result.deviceName, imageName(result.imagePath))
                          .arg(result.reusedRun ? tr("reused") : QString::number(result.forwardMs, 'f', 1))
                          .arg(result.totalMs, 0, 'f', 1)
                          .arg(result.truncated ? tr(" - text truncated to the model's length") : QString()));
    setWindowTitle(tr("AttnScope - %1 - %2").arg(result.modelName, imageName(result.imagePath)));
    emit resultShown();
    if (m_tabs->currentWidget() == m_teaching) {
        const int query = result.layoutIndexOf(result.queryStreamOf(result.teaching.map), result.teaching.query);
        m_teaching->setStep(result, query < 0 ? QString() : QString::fromStdString(result.layout[static_cast<size_t>(query)].label));
        // The selection may have changed with this result (a new input, a
        // session): step through what is selected now. Compared with what
        // was asked, not with the step, so an error cannot loop.
        if (teachingQuery() != result.teachQuery)
            request(false);
    }
    requestCompare();
    if (!m_pendingReport.isEmpty()) { // the request it made has answered
        const QString path = m_pendingReport;
        m_pendingReport.clear();
        writeReport(path);
    }
}

void MainWindow::showNotice(const QString &message)
{
    m_notice = message;
    m_banner->setStyleSheet(bannerStyle(false));
    m_banner->setText(message);
    m_banner->setVisible(!message.isEmpty());
}

void MainWindow::updateRolloutOptions()
{
    const bool rollout = static_cast<core::Method>(m_method->currentData().toInt()) == core::Method::Rollout;
    for (QAction *action : m_rolloutOptions)
        action->setVisible(rollout);
}

QString MainWindow::imageName(const QString &path) const
{
    return m_imageNames.value(path, QFileInfo(path).fileName());
}

void MainWindow::showError(const QString &message)
{
    m_pendingReport.clear();         // a report waits for a result that will not come
    m_pendingView.active = false;    // a session's view belongs to its own result
    // A model or image that failed does not poison what follows: the next
    // run (a new text, another method) uses the last ones that worked, and
    // the failed model leaves the selector. The message still names it.
    if (m_result.generation != 0 && (m_modelPath != m_result.modelPath || m_imagePath != m_result.imagePath)) {
        m_modelPath = m_result.modelPath;
        m_imagePath = m_result.imagePath;
        rebuildModelSelector();
    }
    m_banner->setStyleSheet(bannerStyle(true));
    m_error = message;
    m_banner->setText(tr("Could not explain: %1%2")
                          .arg(message, m_result.generation ? tr("\n(still showing the previous result)") : QString()));
    m_banner->show();
    m_status->setText(tr("Error - see the message above the image"));
}

const core::Explanation &MainWindow::linkMatrix(int layoutIndex, QString *what) const
{
    const core::Explanation &m = core::AttentionLinks::linkMatrix(m_result.explanation, m_result.attention, layoutIndex);
    *what = &m == &m_result.explanation ? QString::fromLatin1(core::methodName(m.method))
                                        : tr("attention (%1, %2)").arg(m_layerLabel->text(), m_head->currentText());
    return m;
}

void MainWindow::refreshLinkedViews()
{
    const auto &layout = m_result.layout;
    const core::Explanation &e = m_result.explanation;
    auto tokenLabel = [&](int index) {
        return index >= 0 && index < static_cast<int>(layout.size()) ? QString::fromStdString(layout[static_cast<size_t>(index)].label)
                                                                     : QString();
    };
    const int selectedPatch = m_selectedToken >= 0 && m_selectedToken < static_cast<int>(layout.size())
        ? layout[static_cast<size_t>(m_selectedToken)].patchIndex
        : -1;

    // Image: a word (hovered, else selected) shows its row over the patches.
    const int focus = m_hoverToken >= 0 ? m_hoverToken : (selectedPatch < 0 ? m_selectedToken : -1);
    bool shown = false;
    if (focus >= 0 && e.gridRows > 0) {
        QString what;
        const auto scores = core::AttentionLinks::rowOverPatches(linkMatrix(focus, &what), layout, focus);
        if (!scores.empty()) {
            m_image->setScores(e.gridRows, e.gridCols, scores, tr("\"%1\" over the image: %2").arg(tokenLabel(focus), what));
            shown = true;
        }
    }
    if (!shown) {
        m_image->setScores(e.gridRows, e.gridCols, e.patchScores,
                           e.hasPatchScores() ? QString::fromStdString(e.summary) : tr("%1 reaches no image patch").arg(QString::fromStdString(e.summary)));
    }
    m_image->setSelectedPatch(selectedPatch);

    // Words: a selected patch shows how much each word attends to it.
    bool wordsShown = false;
    if (selectedPatch >= 0) {
        QString what;
        const auto scores = core::AttentionLinks::patchOverText(linkMatrix(m_selectedToken, &what), layout, m_selectedToken);
        if (!scores.empty()) {
            m_tokens->setScores(scores, tr("Each word and %1: %2").arg(tokenLabel(m_selectedToken), what));
            wordsShown = true;
        }
    }
    if (!wordsShown)
        m_tokens->setScores(e.tokenScores, tr("Words: %1").arg(QString::fromStdString(e.summary)));
    const int textIndex = m_selectedToken >= 0 && m_selectedToken < static_cast<int>(layout.size())
        ? layout[static_cast<size_t>(m_selectedToken)].textIndex
        : -1;
    m_tokens->setSelected(textIndex);
    m_matrix->setSelectedToken(m_selectedToken);
    refreshCompare();
}

int MainWindow::teachingQuery() const
{
    const int stream = m_result.queryStreamOf(m_attention >= 0 ? m_attention : m_result.attentionIndex);
    if (stream >= 0 && m_selectedToken >= 0 && m_selectedToken < static_cast<int>(m_result.layout.size())
        && m_result.layout[static_cast<size_t>(m_selectedToken)].stream == stream)
        return m_result.layout[static_cast<size_t>(m_selectedToken)].position;
    return 0;
}

void MainWindow::requestCompare()
{
    if (m_tabs->currentWidget() != m_compare || m_result.generation == 0)
        return;
    ExplainRequest r;
    r.modelPath = m_result.modelPath;
    r.imagePath = m_result.imagePath;
    r.text = m_result.text;
    r.method = m_result.explanation.method;
    r.device = static_cast<core::DeviceChoice>(m_device->currentData().toInt());
    r.target = m_result.explanation.target; // the same answer on both sides
    r.attention = m_result.attentionIndex;  // and the same map and head
    r.head = m_result.head;
    r.modality = false; // side B shows heatmaps only
    switch (m_compare->mode()) {
    case ComparePanel::Mode::Method:
        r.method = m_compare->method();
        break;
    case ComparePanel::Mode::Text:
        m_compare->suggestText(m_result.text);
        r.text = m_compare->text();
        break;
    case ComparePanel::Mode::Model:
        if (m_compare->model().isEmpty())
            return;
        r.modelPath = m_compare->model();
        r.target = -1; // another model may have other answers
        r.attention = -1;
        r.head = -1;
        break;
    }
    m_compareAskedFor = m_result.generation;
    r.probeProgram = m_bundledModels.contains(r.modelPath) ? QString() : m_probeProgram;
    m_compareController->request(r);
    refreshCompare();
}

void MainWindow::refreshCompare()
{
    if (!m_compare || m_result.generation == 0)
        return;
    // Side B is shown only beside the side A it was run for.
    const bool current = m_compareResultFor == m_result.generation;
    const ExplainResult &b = m_compareResult;
    const core::Explanation &eb = b.explanation;
    if (b.generation == 0 || !current) {
        m_compare->showSides(0, 0, {}, {}, m_result.image, QString(),
                             !current || m_compareError.isEmpty()
                                 ? (m_compareController->isBusy() ? tr("Running side B...") : QString())
                                 : tr("Side B could not run: %1").arg(m_compareError));
        return;
    }
    // The selected (or hovered) word, kept in step: B shows the same text
    // position's row over its patches.
    std::vector<float> scores = eb.patchScores;
    QString caption = QStringLiteral("B: %1").arg(QString::fromStdString(eb.summary));
    const int focus = m_hoverToken >= 0 ? m_hoverToken : m_selectedToken;
    const int textIndex = focus >= 0 && focus < static_cast<int>(m_result.layout.size())
        ? m_result.layout[static_cast<size_t>(focus)].textIndex
        : -1;
    const int bToken = b.layoutIndexOfText(textIndex);
    if (bToken >= 0 && eb.gridRows > 0) {
        const auto row = core::AttentionLinks::rowOverPatches(core::AttentionLinks::linkMatrix(eb, b.attention, bToken), b.layout, bToken);
        if (!row.empty()) {
            scores = row;
            caption = tr("B: \"%1\" over the image").arg(b.tokens.value(textIndex));
        }
    }
    const core::Explanation &ea = m_result.explanation;
    const bool sameGrid = ea.gridRows == eb.gridRows && ea.gridCols == eb.gridCols;
    QString note;
    if (!sameGrid)
        note = tr("The two models cut the image into different patch grids, so there is no difference map.");
    if (b.prediction.label(b.prediction.predicted) != m_result.prediction.label(m_result.prediction.predicted))
        note += (note.isEmpty() ? QString() : QStringLiteral(" "))
            + tr("B answers \"%1\" (%2%).")
                  .arg(label(b.prediction, b.prediction.predicted))
                  .arg(100.0 * b.prediction.probability(b.prediction.predicted), 0, 'f', 1);
    m_compare->showSides(eb.gridRows, eb.gridCols, sameGrid ? m_image->scores() : std::vector<float>{}, scores, b.image,
                    caption, note, b.inputRegion);
}

void MainWindow::selectToken(int layoutIndex)
{
    m_selectedToken = layoutIndex;
    refreshLinkedViews();
    if (m_tabs->currentWidget() == m_teaching && m_result.generation != 0 && teachingQuery() != m_result.teachQuery)
        request(false); // the run is reused: only the step is computed
}

void MainWindow::setHoverToken(int layoutIndex)
{
    if (layoutIndex == m_hoverToken)
        return;
    m_hoverToken = layoutIndex;
    refreshLinkedViews();
}

void MainWindow::applyDisplaySettings()
{
    const auto kind = static_cast<core::ColormapKind>(m_colormap->currentData().toInt());
    m_image->setColormap(kind);
    m_tokens->setColormap(kind);
    m_matrix->setColormap(kind);
    m_headGrid->setColormap(kind);
    m_image->setOpacity(m_opacity->value() / 100.0);
    m_image->setOverlayMode(static_cast<ImageView::OverlayMode>(m_overlay->currentData().toInt()));
    m_image->setSmooth(m_smooth->isChecked());
    m_image->setGridVisible(m_grid->isChecked());
}

void MainWindow::openImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open image"), QFileInfo(m_imagePath).absolutePath(),
                                                      tr("Images (*.png *.jpg *.jpeg *.gif *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"));
    if (!path.isEmpty())
        openImageFile(path);
}

void MainWindow::openModel()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open model - TorchScript archives contain code: open only models you trust"),
        QFileInfo(m_modelPath).absolutePath(), tr("AttnScope models (*.pt);;All files (*)"));
    if (!path.isEmpty())
        openModelFile(path);
}

void MainWindow::rememberRecent(const QString &key, const QString &path)
{
    if (path.isEmpty())
        return;
    QSettings settings;
    QStringList list = settings.value(key).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    if (!list.isEmpty() && list.first() == absolute)
        return;
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kRecentCount)
        list.removeLast();
    settings.setValue(key, list);
    rebuildRecentMenus();
}

void MainWindow::rebuildRecentMenus()
{
    QSettings settings;
    auto fill = [&](QMenu *menu, const QString &key, void (MainWindow::*open)(const QString &)) {
        menu->clear();
        const QStringList list = settings.value(key).toStringList();
        for (const QString &path : list) {
            menu->addAction(QFileInfo(path).fileName(), this, [this, open, path] { (this->*open)(path); })->setToolTip(path);
        }
        menu->setEnabled(!list.isEmpty());
    };
    fill(m_recentModels, QStringLiteral("recentModels"), &MainWindow::openModelFile);
    fill(m_recentImages, QStringLiteral("recentImages"), &MainWindow::openImageFile);
    rebuildModelSelector();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QString model;
    QString image;
    QStringList unknown;
    for (const QUrl &url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        const QString suffix = QFileInfo(path).suffix().toLower();
        if (suffix == QLatin1String("attnscope")) {
            event->acceptProposedAction();
            openSession(path);
            return;
        }
        if (suffix == QLatin1String("pt"))
            model = path;
        else if (kImageSuffixes.contains(suffix))
            image = path;
        else
            unknown << QFileInfo(path).fileName();
    }
    if (!unknown.isEmpty() && model.isEmpty() && image.isEmpty()) {
        showError(tr("AttnScope opens models (.pt), sessions (.attnscope) and images (%1); not %2")
                      .arg(kImageSuffixes.join(QStringLiteral(", ")), unknown.join(QStringLiteral(", "))));
        return;
    }
    event->acceptProposedAction();
    if (!model.isEmpty()) {
        m_modelPath = model;
        m_attention = -1;
        m_headIndex = -1;
    }
    if (!image.isEmpty())
        m_imagePath = image;
    run();
}

} // namespace attnscope::ui
