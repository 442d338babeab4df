#include "ui/panels/comparepanel.h"
#include "ui/window/modelname.h"

#include "ui/state/selection.h"
#include "ui/views/imageview.h"
#include "ui/worker/explaincontroller.h"

#include "core/explain/attentionlinks.h"
#include "core/render/heatmap.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QStackedWidget>
#include <QVBoxLayout>


namespace attnscope::ui {

ComparePanel::ComparePanel(QWidget *parent)
    : QWidget(parent)
    , m_controller(new ExplainController(this))
    , m_mode(new QComboBox(this))
    , m_choice(new QStackedWidget(this))
    , m_method(new QComboBox(this))
    , m_text(new QLineEdit(this))
    , m_model(new QComboBox(this))
    , m_b(new ImageView(this))
    , m_diff(new ImageView(this))
    , m_message(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *top = new QHBoxLayout;
    m_mode->setObjectName(QStringLiteral("compareMode"));
    m_mode->addItem(tr("B: another method"), static_cast<int>(Mode::Method));
    m_mode->addItem(tr("B: another text"), static_cast<int>(Mode::Text));
    m_mode->addItem(tr("B: another model"), static_cast<int>(Mode::Model));
    top->addWidget(m_mode);
    m_method->setObjectName(QStringLiteral("compareMethod"));
    for (core::Method method : core::allMethods())
        m_method->addItem(QString::fromLatin1(core::methodName(method)), static_cast<int>(method));
    m_method->setCurrentIndex(1); // rollout against the default relevance
    m_text->setObjectName(QStringLiteral("compareText"));
    m_text->setPlaceholderText(tr("Side B's text - change one word and see what moves; Enter runs"));
    m_model->setObjectName(QStringLiteral("compareModel"));
    m_choice->addWidget(m_method);
    m_choice->addWidget(m_text);
    m_choice->addWidget(m_model);
    top->addWidget(m_choice, 1);
    layout->addLayout(top);
    m_message->setObjectName(QStringLiteral("compareMessage"));
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    auto *views = new QHBoxLayout;
    m_b->setObjectName(QStringLiteral("compareSideB"));
    m_diff->setObjectName(QStringLiteral("compareDifference"));
    m_b->setMinimumSize(160, 160);
    m_diff->setMinimumSize(160, 160);
    m_diff->setColormap(core::ColormapKind::Coolwarm);
    m_diff->setDiverging(true);
    m_diff->setOpacity(0.75);
    views->addWidget(m_b, 1);
    views->addWidget(m_diff, 1);
    layout->addLayout(views, 1);
    auto *legend = new QLabel(tr("Right: A - B, each scaled to [0, 1] first; red where A (the main view) scores higher, "
                                 "blue where B does."),
                              this);
    legend->setWordWrap(true);
    layout->addWidget(legend);

    connect(this, &ComparePanel::changed, this, &ComparePanel::run);
    connect(m_controller, &ExplainController::resultReady, this, [this](const ExplainResult &result) {
        m_result = result;
        m_resultFor = m_askedFor; // the controller drops all but the latest request's result
        m_error.clear();
        refresh();
    });
    connect(m_controller, &ExplainController::errorOccurred, this, [this](const QString &message) {
        m_result = ExplainResult();
        m_resultFor = m_askedFor;
        m_error = message;
        refresh();
    });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_choice->setCurrentIndex(index);
        emit changed();
    });
    connect(m_method, &QComboBox::currentIndexChanged, this, &ComparePanel::changed);
    connect(m_text, &QLineEdit::returnPressed, this, &ComparePanel::changed);
    connect(m_model, &QComboBox::activated, this, [this] {
        m_modelChosen = true;
        emit changed();
    });
}

ComparePanel::Mode ComparePanel::mode() const
{
    return static_cast<Mode>(m_mode->currentData().toInt());
}

core::Method ComparePanel::method() const
{
    return static_cast<core::Method>(m_method->currentData().toInt());
}

QString ComparePanel::text() const
{
    return m_text->text();
}

QString ComparePanel::model() const
{
    return m_model->currentData().toString();
}

void ComparePanel::setModels(const QStringList &paths, const QString &mainModel)
{
    const QString current = model();
    const QSignalBlocker quiet(m_model);
    m_model->clear();
    for (const QString &p : paths)
        m_model->addItem(ModelName::of(p), p);
    int at = m_model->findData(current);
    // "Another model" means another one: until the user picks, B is the first
    // model that is not the one on side A.
    if (at < 0 || (!m_modelChosen && current == mainModel)) {
        at = 0;
        for (int i = 0; i < m_model->count(); ++i) {
            if (m_model->itemData(i).toString() != mainModel) {
                at = i;
                break;
            }
        }
    }
    m_model->setCurrentIndex(at);
}

void ComparePanel::suggestText(const QString &text)
{
    if (m_text->text().isEmpty())
        m_text->setText(text);
}

std::vector<float> ComparePanel::difference(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        return {};
    const std::vector<float> na = core::Heatmap::normalize(a);
    const std::vector<float> nb = core::Heatmap::normalize(b);
    std::vector<float> d(a.size());
    for (size_t i = 0; i < d.size(); ++i)
        d[i] = na[i] - nb[i];
    return d;
}

void ComparePanel::showSides(int rows, int cols, const std::vector<float> &a, const std::vector<float> &b, const QImage &image,
                        const QString &captionB, const QString &message, const QRectF &region)
{
    m_b->setInputRegion(region);
    m_diff->setInputRegion(region);
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
    m_b->setImage(image);
    m_diff->setImage(image);
    m_b->setScores(rows, cols, b, captionB);
    const std::vector<float> d = difference(a, b);
    m_diff->setScores(rows, cols, d, d.empty() ? QString() : tr("A - B"));
}

void ComparePanel::follow(Selection *selection)
{
    m_selection = selection;
    connect(selection, &Selection::resultChanged, this, &ComparePanel::run);
    connect(selection, &Selection::focusChanged, this, &ComparePanel::refresh);
}

void ComparePanel::setActive(bool active, bool runNow)
{
    m_active = active;
    if (active && runNow)
        run();
}

void ComparePanel::cancel()
{
    m_controller->cancel();
}

void ComparePanel::run()
{
    if (!m_active || !m_selection || !m_selection->hasResult())
        return;
    const ExplainResult &a = m_selection->result();
    if (!a.readsImage) {
        // The sides are heatmaps over the image; a text model has none.
        showSides(0, 0, {}, {}, QImage(), QString(),
                  tr("Compare lays two heatmaps over the image side by side; this model sees no image. Compare two "
                     "methods' words with the method selector, or open a model that sees images."));
        return;
    }
    ExplainRequest r;
    r.modelPath = a.modelPath;
    r.imagePath = a.imagePath;
    r.text = a.text;
    r.pair = a.pair; // a sentence pair's second text stays on side B
    r.method = a.explanation.method;
    r.device = m_device;
    r.target = a.explanation.target; // the same answer on both sides
    r.attention = a.attentionIndex;  // and the same map and head
    r.head = a.head;
    r.modality = false; // side B shows heatmaps only
    switch (mode()) {
    case Mode::Method:
        r.method = method();
        break;
    case Mode::Text:
        suggestText(a.text);
        r.text = text();
        break;
    case Mode::Model:
        if (model().isEmpty())
            return;
        r.modelPath = model();
        r.target = -1; // another model may have other answers
        r.attention = -1;
        r.head = -1;
        break;
    }
    m_askedFor = a.generation;
    m_controller->request(r);
    refresh();
}

void ComparePanel::refresh()
{
    if (!m_selection || !m_selection->hasResult())
        return;
    const ExplainResult &a = m_selection->result();
    if (!a.readsImage)
        return; // run() said why there is nothing to compare
    // Side B is shown only beside the side A it was run for.
    const bool current = m_resultFor == a.generation;
    const ExplainResult &b = m_result;
    const core::Explanation &eb = b.explanation;
    if (b.generation == 0 || !current) {
        showSides(0, 0, {}, {}, a.image, QString(),
                  !current || m_error.isEmpty() ? (m_controller->isBusy() ? tr("Running side B...") : QString())
                                                : tr("Side B could not run: %1").arg(m_error));
        return;
    }
    // The selected (or hovered) word, kept in step: B shows the same text
    // position's row over its patches.
    std::vector<float> scores = eb.patchScores;
    QString caption = QStringLiteral("B: %1").arg(QString::fromStdString(eb.summary));
    const int textIndex = m_selection->focusedWord();
    const int bToken = b.layoutIndexOfText(textIndex);
    if (bToken >= 0 && eb.gridRows > 0) {
        const auto row = core::AttentionLinks::rowOverPatches(core::AttentionLinks::linkMatrix(eb, b.attention, bToken), b.layout, bToken);
        if (!row.empty()) {
            scores = row;
            caption = tr("B: \"%1\" over the image").arg(b.tokens.value(textIndex));
        }
    }
    const core::Explanation &ea = a.explanation;
    const bool sameGrid = ea.gridRows == eb.gridRows && ea.gridCols == eb.gridCols;
    QString note;
    if (!sameGrid)
        note = tr("The two models cut the image into different patch grids, so there is no difference map.");
    const core::Prediction &pb = b.prediction;
    if (pb.label(pb.predicted) != a.prediction.label(a.prediction.predicted))
        note += (note.isEmpty() ? QString() : QStringLiteral(" "))
            + tr("B answers \"%1\" (%2).")
                  .arg(QString::fromStdString(pb.label(pb.predicted)))
                  .arg(QString::fromStdString(pb.formatScore(pb.probability(pb.predicted))));
    QString shownA;
    const std::vector<float> scoresA = sameGrid ? m_selection->imageScores(&shownA) : std::vector<float>{};
    showSides(eb.gridRows, eb.gridCols, scoresA, scores, b.image, caption, note, b.inputRegion);
}

} // namespace attnscope::ui
