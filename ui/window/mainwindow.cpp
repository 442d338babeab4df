#include "ui/window/mainwindow.h"

#include "core/engine/device.h"
#include "core/error.h"
#include "core/io/inputloader.h"
#include "ui/export/exportdialogs.h"
#include "ui/export/reportwriter.h"
#include "ui/panels/attentionmappanel.h"
#include "ui/panels/comparepanel.h"
#include "ui/panels/faithfulnesspanel.h"
#include "ui/panels/zeroshotpanel.h"
#include "ui/session/sessionstore.h"
#include "ui/session/sessionview.h"
#include "ui/state/selection.h"
#include "ui/views/answerheader.h"
#include "ui/views/firstrunhint.h"
#include "ui/views/progressindicator.h"
#include "ui/views/attentionmatrixview.h"
#include "ui/views/headgridview.h"
#include "ui/views/imageview.h"
#include "ui/views/messagebanner.h"
#include "ui/views/modalitybars.h"
#include "ui/views/predictionbars.h"
#include "ui/views/teachingview.h"
#include "ui/views/tokenview.h"
#include "ui/window/displaytoolbar.h"
#include "ui/window/droppedfiles.h"
#include "ui/window/filedialogs.h"
#include "ui/window/helpdialogs.h"
#include "ui/window/inputstoolbar.h"
#include "ui/window/mainmenus.h"
#include "ui/window/recentfiles.h"
#include "ui/worker/explaincontroller.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace attnscope::ui {

namespace {

QWidget *titled(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QGroupBox(title, parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(content);
    return box;
}

/// The widget, with the object name tests and style sheets find it by.
template <typename Widget>
Widget *named(Widget *widget, const char *name)
{
    widget->setObjectName(QLatin1String(name));
    return widget;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(new ExplainController(this))
    , m_selection(new Selection(this))
    , m_inputs(new InputsToolBar(this))
    , m_display(new DisplayToolBar(this))
    , m_exports(new ExportDialogs(this))
    , m_sessions(new SessionStore(this))
{
    setWindowTitle(QStringLiteral("AttnScope"));
    setAcceptDrops(true);
    addToolBar(m_inputs);
    addToolBarBreak();
    addToolBar(m_display);

    // Left: answer, image, words. Right: matrix and the other tabs, answers,
    // modality bars.
    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->setObjectName(QStringLiteral("mainSplitter"));
    m_split->addWidget(buildLeftSide());
    m_split->addWidget(buildRightSide());
    m_split->setStretchFactor(0, 1);
    m_split->setStretchFactor(1, 1);
    setCentralWidget(m_split);
    buildStatusBar();
    connectMenus();

    m_answer->follow(m_selection);
    m_image->follow(m_selection);
    m_tokens->follow(m_selection);
    m_maps->follow(m_selection);
    m_predictions->follow(m_selection);
    m_modality->follow(m_selection);
    m_headGrid->follow(m_selection);
    m_faithfulness->follow(m_selection);
    m_compare->follow(m_selection);
    m_zeroShot->follow(m_selection);
    connect(m_zeroShot, &ZeroShotPanel::rankRequested, this, [this] { request(false); }); // the run is reused
    connect(m_zeroShot, &ZeroShotPanel::captionChosen, this, [this](const QString &caption) {
        m_inputs->setText(caption);
        run();
    });
    connect(m_selection, &Selection::explanationWanted, this, [this] { request(false); });
    connect(m_selection, &Selection::focusChanged, this, [this] {
        // The teaching step follows the selected token; the run is reused.
        if (m_tabs->currentWidget() == m_teaching && m_selection->hasResult()
            && m_selection->teachingQuery() != m_selection->result().teachQuery)
            request(false);
    });
    connect(m_inputs, &InputsToolBar::runRequested, this, &MainWindow::run);
    connect(m_inputs, &InputsToolBar::modelChosen, this, [this](const QString &path) {
        if (path != m_modelPath)
            openModelFile(path);
    });
    connect(m_inputs, &InputsToolBar::methodChosen, this, [this] {
        syncRolloutOptions();
        request(false);
    });
    connect(m_inputs, &InputsToolBar::deviceChosen, this, &MainWindow::run);
    connect(m_display, &DisplayToolBar::rolloutChanged, this, [this] { request(false); });
    connect(m_display, &DisplayToolBar::displayChanged, this, &MainWindow::applyDisplaySettings);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::tabChanged);
    connect(m_recent, &RecentFiles::modelChosen, this, &MainWindow::openModelFile);
    connect(m_recent, &RecentFiles::imageChosen, this, &MainWindow::openImageFile);
    connect(m_recent, &RecentFiles::changed, this, &MainWindow::rebuildModelSelector);
    connect(m_exports, &ExportDialogs::done, m_status, &QLabel::setText);
    connect(m_exports, &ExportDialogs::failed, this, &MainWindow::showError);
    connectWorkers();
    restoreSettings();
    m_sessionView = std::make_unique<SessionView>(m_selection, m_inputs, m_display, m_image, m_tabs, m_zeroShot);
}

MainWindow::~MainWindow()
{
    QSettings settings;
    m_inputs->saveSettings(settings);
    m_display->saveSettings(settings);
    settings.setValue(QStringLiteral("windowSize"), size());
    settings.setValue(QStringLiteral("mainSplitter"), m_split->saveState());
    settings.setValue(QStringLiteral("rightSplitter"), m_rightSplit->saveState());
    settings.setValue(QStringLiteral("rightTab"), m_tabs->currentIndex());
    settings.setValue(QStringLiteral("lastModel"), m_modelPath);
    settings.setValue(QStringLiteral("lastImage"), m_imagePath);
}

QWidget *MainWindow::buildLeftSide()
{
    auto *left = new QWidget(this);
    auto *layout = new QVBoxLayout(left);
    layout->setContentsMargins(6, 6, 6, 6);
    m_answer = new AnswerHeader(left);
    layout->addWidget(m_answer);
    m_banner = new MessageBanner(left);
    layout->addWidget(m_banner);
    m_hint = new FirstRunHint(left);
    layout->addWidget(m_hint);
    layout->addWidget(m_image = named(new ImageView(left), "imageView"), 1);
    layout->addWidget(m_tokens = named(new TokenView(left), "tokenView"));
    layout->addStretch(); // the space an image-less model's missing image leaves
    return left;
}

QWidget *MainWindow::buildRightSide()
{
    m_rightSplit = new QSplitter(Qt::Vertical, this);
    m_rightSplit->setObjectName(QStringLiteral("rightSplitter"));
    m_tabs = new QTabWidget(m_rightSplit);
    m_tabs->setObjectName(QStringLiteral("rightTabs"));
    m_maps = new AttentionMapPanel(m_tabs);
    m_tabs->addTab(m_maps, tr("Attention matrix"));
    m_tabs->addTab(m_headGrid = named(new HeadGridView(m_tabs), "headGrid"), tr("Head grid"));
    m_tabs->addTab(m_faithfulness = named(new FaithfulnessPanel(m_tabs), "faithfulnessPanel"), tr("Faithfulness"));
    m_tabs->addTab(m_compare = named(new ComparePanel(m_tabs), "comparePanel"), tr("Compare"));
    m_tabs->addTab(m_teaching = named(new TeachingView(m_tabs), "teachingView"), tr("Teaching"));
    m_tabs->addTab(m_zeroShot = named(new ZeroShotPanel(m_tabs), "zeroShotPanel"), tr("Zero-shot"));
    m_predictions = named(new PredictionBars(m_rightSplit), "predictionBars");
    m_modality = named(new ModalityBars(m_rightSplit), "modalityBars");
    m_rightSplit->addWidget(m_tabs);
    m_rightSplit->addWidget(titled(tr("Answers"), m_predictions, m_rightSplit));
    m_rightSplit->addWidget(titled(tr("Modality weights"), m_modality, m_rightSplit));
    m_rightSplit->setStretchFactor(0, 3);
    m_rightSplit->setStretchFactor(1, 1);
    m_rightSplit->setStretchFactor(2, 1);
    return m_rightSplit;
}

void MainWindow::buildStatusBar()
{
    m_progress = new ProgressIndicator(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
}

void MainWindow::connectWorkers()
{
    connect(m_controller, &ExplainController::resultReady, this, &MainWindow::showResult);
    connect(m_controller, &ExplainController::errorOccurred, this, &MainWindow::showError);
    connect(m_controller, &ExplainController::busyChanged, m_progress, &ProgressIndicator::setBusy);
    connect(m_controller, &ExplainController::progressChanged, m_progress, &ProgressIndicator::showStep);
    connect(m_sessions, &SessionStore::saved, this, [this](const QString &path, const QString &error) {
        if (error.isEmpty()) {
            m_status->setText(tr("Saved the session to %1").arg(QFileInfo(path).fileName()));
        } else {
            // Arrives later than the save was asked for: it must not touch the
            // inputs or a run in flight, as showError's recovery does.
            m_error = tr("the session was not saved: %1").arg(error);
            m_banner->showError(m_error);
            m_status->setText(tr("The session was not saved - see the message above the image"));
        }
        emit sessionSaved(path, error);
    });
    connect(m_sessions, &SessionStore::changed, this, [this](const QString &note, int token) {
        if (token != m_sessionToken)
            return; // about a session whose input is no longer on screen
        m_notice = m_notice.isEmpty() ? note : m_notice + QLatin1Char(' ') + note;
        if (m_error.isEmpty())
            m_banner->addNote(note);
    });
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    m_inputs->restoreSettings(settings);
    m_display->restoreSettings(settings);
    resize(settings.value(QStringLiteral("windowSize"), QSize(1280, 820)).toSize());
    m_split->restoreState(settings.value(QStringLiteral("mainSplitter")).toByteArray());
    m_rightSplit->restoreState(settings.value(QStringLiteral("rightSplitter")).toByteArray());
    m_tabs->setCurrentIndex(std::clamp(settings.value(QStringLiteral("rightTab"), 0).toInt(), 0, m_tabs->count() - 1));
    applyDisplaySettings();
    syncRolloutOptions();
    rebuildModelSelector();
}

QString MainWindow::modelCardText() const
{
    return HelpDialogs::modelCardText(m_selection->hasResult() ? m_selection->result().modelPath : m_modelPath);
}

void MainWindow::showModelCard()
{
    HelpDialogs::showModelCard(this, m_selection->hasResult() ? m_selection->result().modelPath : m_modelPath);
}

void MainWindow::open(const QString &modelPath, const QString &imagePath, const QString &text, const QString &pair,
                      const QStringList &candidates)
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
    m_inputs->setText(text);
    m_inputs->setPair(pair);
    if (!candidates.isEmpty())
        m_zeroShot->setCandidates(candidates);
    rebuildModelSelector(); // names the model asked for, even if it fails to load
    run();
}

void MainWindow::showTab(int index)
{
    if (index >= 0 && index < m_tabs->count())
        m_tabs->setCurrentIndex(index);
}

void MainWindow::setBundledModels(const QStringList &paths)
{
    m_bundledModels = paths;
    setModelProbe(m_probeProgram);
    rebuildModelSelector();
}

void MainWindow::setModelProbe(const QString &program)
{
    m_probeProgram = program;
    m_controller->setModelProbe(program, m_bundledModels);
    m_compare->controller()->setModelProbe(program, m_bundledModels);
}

void MainWindow::rebuildModelSelector()
{
    QStringList paths;
    for (const QString &p : m_recent->models() + m_bundledModels) {
        const QString absolute = QFileInfo(p).absoluteFilePath();
        if (!paths.contains(absolute))
            paths << absolute;
    }
    const QString current = m_modelPath.isEmpty() ? QString() : QFileInfo(m_modelPath).absoluteFilePath();
    if (!current.isEmpty() && !paths.contains(current))
        paths.prepend(current);
    m_inputs->setModels(paths, current);
    m_compare->setModels(paths, current);
}

void MainWindow::openModelFile(const QString &path)
{
    m_modelPath = path;
    m_selection->reset(m_selection->target(), -1, -1); // another model: its default map
    rebuildModelSelector();
    run();
}

void MainWindow::openImageFile(const QString &path)
{
    m_imagePath = path;
    run();
}

void MainWindow::run()
{
    m_notice.clear(); // notes belong to the input they were about
    ++m_sessionToken;
    // A new input: explain what the model answers.
    m_selection->reset(-1, m_selection->map(), m_selection->head());
    request(true);
}

bool MainWindow::saveSession(const QString &path)
{
    try {
        core::Session s = m_sessionView->capture();
        // The hashes, the image's bytes and the write are the store's, off this thread.
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
        const OpenedSession opened = SessionStore::open(path);
        const core::Session &s = opened.session;
        m_restoring = true;
        m_sessionView->restoreControls(s);
        m_restoring = false;
        syncRolloutOptions();
        applyDisplaySettings();

        m_modelPath = opened.model;
        m_imagePath = opened.image;
        if (!opened.imageName.isEmpty())
            m_imageNames.insert(opened.image, opened.imageName);
        m_selection->reset(s.target, s.attention, s.head);
        m_pendingView = {true, s.selectedToken, s.zoom, QPointF(s.panX, s.panY)};
        m_notice.clear();
        const int token = ++m_sessionToken;
        request(true); // the session's inputs, with its answer, map and head
        // Hashed on a pool thread while the model loads; a difference is said
        // with the result (or added to it, when it comes later).
        m_sessions->checkOpened(opened, token);
        return true;
    } catch (const core::Error &e) {
        m_restoring = false;
        showError(tr("the session could not be opened: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

void MainWindow::exportReport(const QString &path)
{
    if (!m_selection->hasResult()) {
        showError(tr("there is no result to report yet"));
        return;
    }
    if (!m_selection->result().faithfulness.empty()) {
        writeReport(path);
        return;
    }
    m_pendingReport = path; // written when the faithfulness curves arrive
    request(false);
}

void MainWindow::writeReport(const QString &path)
{
    try {
        ReportWriter::write(ReportWriter::Content::of(m_selection->result()), path);
        m_status->setText(tr("Wrote the report to %1").arg(QFileInfo(path).fileName()));
        emit reportWritten(path);
    } catch (const core::Error &e) {
        showError(QString::fromStdString(e.what()));
    }
}

void MainWindow::request(bool newInput)
{
    const ExplainResult &shown = m_selection->result();
    ExplainRequest r;
    if (newInput || !m_selection->hasResult()) {
        r.modelPath = m_modelPath;
        r.imagePath = m_imagePath;
        r.text = m_inputs->text();
        r.pair = m_inputs->pair();
    } else {
        // A view change (method, answer, map, head) re-explains the input on
        // screen, not text typed but not yet run.
        r.modelPath = shown.modelPath;
        r.imagePath = shown.imagePath;
        r.text = shown.text;
        r.pair = shown.pair;
    }
    if (r.modelPath.isEmpty()) // no image is fine: the worker asks for one if the model takes one
        return;
    r.candidates = m_zeroShot->candidates();
    r.method = m_inputs->method();
    r.fusion = m_display->fusion();
    r.discardRatio = m_display->discardRatio();
    r.excludeSinks = m_display->excludeSinks();
    r.device = m_inputs->device();
    r.target = m_selection->target();
    r.attention = m_selection->map();
    r.head = m_selection->head();
    r.faithfulness = m_tabs->currentWidget() == m_faithfulness || !m_pendingReport.isEmpty();
    r.heads = m_tabs->currentWidget() == m_headGrid; // thumbnails and statistics only while shown
    // A new input clears the selection: its step starts at the first token.
    r.teachQuery = m_tabs->currentWidget() != m_teaching ? -1 : (newInput ? 0 : m_selection->teachingQuery());
    m_compare->setDevice(r.device);
    m_status->setText(tr("Running %1 on %2...").arg(QFileInfo(r.modelPath).fileName(), QFileInfo(r.imagePath).fileName()));
    m_controller->request(r);
}

void MainWindow::showResult(const ExplainResult &result)
{
    m_error.clear();
    QStringList notes = result.notes();
    if (!m_notice.isEmpty())
        notes.prepend(m_notice);
    m_banner->showNotes(notes);
    m_recent->rememberModel(result.modelPath);
    m_recent->rememberImage(result.imagePath);
    rebuildModelSelector();
    m_inputs->setModelInputs(result.readsText, result.takesPairs); // what the model reads; the views hide themselves
    m_modality->parentWidget()->setVisible(result.readsImage && result.readsText); // weights of two modalities
    const bool restoreView = m_pendingView.active;
    m_pendingView.active = false;
    m_selection->showResult(result, restoreView ? std::optional<int>(m_pendingView.selectedToken) : std::nullopt);
    if (restoreView) // after the new image, which is fitted to the view
        m_image->setZoomPan(m_pendingView.zoom, m_pendingView.pan);

    m_status->setText(tr("%1 on %2 - %3 - %4, total %5 ms%6")
                          .arg(result.modelName, result.deviceName, imageName(result.imagePath))
                          .arg(result.reusedRun ? tr("forward pass reused")
                                                : tr("forward %1 ms").arg(QString::number(result.forwardMs, 'f', 1)))
                          .arg(result.totalMs, 0, 'f', 1)
                          .arg(result.truncated ? tr(" - text truncated to the model's length") : QString()));
    setWindowTitle(tr("AttnScope - %1 - %2").arg(result.modelName, imageName(result.imagePath)));
    emit resultShown();
    showTeachingStep(result);
    if (!m_pendingReport.isEmpty()) { // the request it made has answered
        const QString path = m_pendingReport;
        m_pendingReport.clear();
        writeReport(path);
    }
}

void MainWindow::showTeachingStep(const ExplainResult &result)
{
    if (m_tabs->currentWidget() != m_teaching)
        return;
    const int query = result.layoutIndexOf(result.queryStreamOf(result.teaching.map), result.teaching.query);
    m_teaching->setStep(result, m_selection->tokenLabel(query));
}

void MainWindow::showError(const QString &message)
{
    m_pendingReport.clear();      // a report waits for a result that will not come
    m_pendingView.active = false; // a session's view belongs to its own result
    // A model or image that failed does not poison what follows: the next
    // run (a new text, another method) uses the last ones that worked, and
    // the failed model leaves the selector. The message still names it.
    const ExplainResult &shown = m_selection->result();
    if (m_selection->hasResult() && (m_modelPath != shown.modelPath || m_imagePath != shown.imagePath)) {
        m_modelPath = shown.modelPath;
        m_imagePath = shown.imagePath;
        rebuildModelSelector();
    }
    m_error = message;
    m_banner->showError(tr("Could not explain: %1%2")
                            .arg(message, m_selection->hasResult() ? tr("\n(still showing the previous result)") : QString()));
    m_status->setText(tr("Error - see the message above the image"));
}

void MainWindow::tabChanged()
{
    QWidget *tab = m_tabs->currentWidget();
    m_compare->setActive(tab == m_compare, !m_restoring);
    if (m_restoring || !m_selection->hasResult())
        return; // e.g. a session being opened sets the tab before its request
    // The perturbation tests cost a few dozen forward passes, the head grid
    // a map per head: they run only while their tab is shown.
    const ExplainResult &r = m_selection->result();
    if (tab == m_faithfulness && r.faithfulness.empty()) {
        m_faithfulness->setPending(true);
        request(false);
    }
    if ((tab == m_headGrid && r.heads.empty()) || (tab == m_teaching && r.teachQuery != m_selection->teachingQuery()))
        request(false);
}

QString MainWindow::imageName(const QString &path) const
{
    if (m_selection->hasResult() && !m_selection->result().readsImage)
        return tr("text");
    return m_imageNames.value(path, QFileInfo(path).fileName());
}

void MainWindow::syncRolloutOptions()
{
    m_display->setRolloutOptionsVisible(m_inputs->method() == core::Method::Rollout);
}

void MainWindow::applyDisplaySettings()
{
    const core::ColormapKind kind = m_display->colormap();
    m_image->setColormap(kind);
    m_tokens->setColormap(kind);
    m_maps->matrix()->setColormap(kind);
    m_headGrid->setColormap(kind);
    m_image->setOpacity(m_display->opacity());
    m_image->setOverlayMode(m_display->overlay());
    m_image->setSmooth(m_display->smooth());
    m_image->setGridVisible(m_display->grid());
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const DroppedFiles files = DroppedFiles::sort(event->mimeData()->urls());
    if (!files.unknown.isEmpty() && files.nothingToOpen()) {
        showError(files.refusal());
        return;
    }
    event->acceptProposedAction();
    if (!files.session.isEmpty()) {
        openSession(files.session);
        return;
    }
    if (!files.model.isEmpty()) {
        m_modelPath = files.model;
        m_selection->reset(m_selection->target(), -1, -1);
    }
    if (!files.image.isEmpty())
        m_imagePath = files.image;
    run();
}

} // namespace attnscope::ui
