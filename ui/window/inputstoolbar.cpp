#include "ui/window/inputstoolbar.h"
#include "ui/window/modelname.h"

#include "core/io/inputloader.h"
#include "core/io/sessionfile.h"

#include <QAction>
#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>

#include <algorithm>

namespace attnscope::ui {

InputsToolBar::InputsToolBar(QWidget *parent)
    : QToolBar(tr("Inputs"), parent)
    , m_text(new QLineEdit(this))
    , m_pair(new QLineEdit(this))
    , m_model(new QComboBox(this))
    , m_method(new QComboBox(this))
    , m_device(new QComboBox(this))
{
    setObjectName(QStringLiteral("inputsToolBar"));
    setMovable(false);
    m_text->setObjectName(QStringLiteral("textInput"));
    m_text->setMaxLength(static_cast<int>(core::InputLoader::kMaxTextBytes)); // QLineEdit's default cuts at 32,767
    m_text->setPlaceholderText(tr("Question or caption - Enter runs"));
    m_text->setClearButtonEnabled(true);
    m_text->setMinimumWidth(260);
    m_textActions << addWidget(new QLabel(tr(" Text "), this)) << addWidget(m_text);
    m_pair->setObjectName(QStringLiteral("pairInput"));
    m_pair->setMaxLength(static_cast<int>(core::InputLoader::kMaxTextBytes));
    m_pair->setPlaceholderText(tr("Second text of a pair (optional) - Enter runs"));
    m_pair->setClearButtonEnabled(true);
    m_pair->setMinimumWidth(150);
    m_pair->setToolTip(tr("A sentence pair (premise and hypothesis, question and passage): the second text gets type id 1"));
    m_pairActions << addWidget(new QLabel(tr(" Pair "), this)) << addWidget(m_pair);
    for (QAction *action : m_pairActions)
        action->setVisible(false);
    auto *runButton = new QPushButton(tr("Run"), this);
    runButton->setToolTip(tr("Run the model on the image and text (Enter, Ctrl+R)"));
    addWidget(runButton);
    addSeparator();
    m_model->setObjectName(QStringLiteral("modelSelector"));
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_model->setToolTip(tr("Bundled and recent models (Ctrl+Shift+O opens another)"));
    addWidget(new QLabel(tr(" Model "), this));
    addWidget(m_model);
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
    addWidget(new QLabel(tr(" Method "), this));
    addWidget(m_method);
    m_device->setObjectName(QStringLiteral("deviceSelector"));
    m_device->addItem(tr("Auto"), static_cast<int>(core::DeviceChoice::Auto));
    m_device->addItem(tr("CPU"), static_cast<int>(core::DeviceChoice::Cpu));
    m_device->addItem(tr("CUDA"), static_cast<int>(core::DeviceChoice::Cuda));
    addWidget(new QLabel(tr(" Device "), this));
    addWidget(m_device);

    connect(m_text, &QLineEdit::returnPressed, this, &InputsToolBar::runRequested);
    connect(m_pair, &QLineEdit::returnPressed, this, &InputsToolBar::runRequested);
    connect(runButton, &QPushButton::clicked, this, &InputsToolBar::runRequested);
    connect(m_model, &QComboBox::activated, this, [this](int index) {
        const QString path = m_model->itemData(index).toString();
        if (!path.isEmpty())
            emit modelChosen(path);
    });
    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_quiet)
            emit methodChosen();
    });
    connect(m_device, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_quiet)
            emit deviceChosen();
    });
}

QString InputsToolBar::text() const
{
    return m_text->text();
}

QString InputsToolBar::pair() const
{
    return m_pairActions.front()->isVisible() ? m_pair->text() : QString();
}

void InputsToolBar::setModelInputs(bool readsText, bool pairs)
{
    for (QAction *action : m_textActions)
        action->setVisible(readsText);
    for (QAction *action : m_pairActions)
        action->setVisible(readsText && pairs);
    // Two boxes share the width one had, so the tool bar still fits 1024 pixels.
    m_text->setMinimumWidth(pairs ? 170 : 260);
    m_text->setMaximumWidth(pairs ? 240 : QWIDGETSIZE_MAX);
    m_pair->setMaximumWidth(240);
    m_text->setPlaceholderText(pairs ? tr("First text - Enter runs") : tr("Question or caption - Enter runs"));
}

void InputsToolBar::setPair(const QString &pair)
{
    m_pair->setText(pair);
    if (!pair.isEmpty()) // the box is there before the model's first result says it reads pairs
        setModelInputs(true, true);
}

void InputsToolBar::setText(const QString &text)
{
    m_text->setText(text);
}

void InputsToolBar::editText()
{
    m_text->setFocus();
    m_text->selectAll();
}

core::Method InputsToolBar::method() const
{
    return static_cast<core::Method>(m_method->currentData().toInt());
}

void InputsToolBar::chooseMethod(int index)
{
    m_method->setCurrentIndex(index);
}

QStringList InputsToolBar::methodNames() const
{
    QStringList names;
    for (int i = 0; i < m_method->count(); ++i)
        names << m_method->itemText(i);
    return names;
}

core::DeviceChoice InputsToolBar::device() const
{
    return static_cast<core::DeviceChoice>(m_device->currentData().toInt());
}

void InputsToolBar::setModels(const QStringList &paths, const QString &current)
{
    m_model->clear();
    for (const QString &p : paths) {
        m_model->addItem(ModelName::of(p), p);
        m_model->setItemData(m_model->count() - 1, p, Qt::ToolTipRole);
    }
    m_model->setCurrentIndex(std::max(0, static_cast<int>(paths.indexOf(current))));
}

void InputsToolBar::restoreSettings(const QSettings &settings)
{
    m_quiet = true;
    m_method->setCurrentIndex(std::clamp(settings.value(QStringLiteral("method"), 2).toInt(), 0, m_method->count() - 1));
    m_device->setCurrentIndex(std::clamp(settings.value(QStringLiteral("device"), 0).toInt(), 0, m_device->count() - 1));
    m_quiet = false;
}

void InputsToolBar::saveSettings(QSettings &settings) const
{
    settings.setValue(QStringLiteral("method"), m_method->currentIndex());
    settings.setValue(QStringLiteral("device"), m_device->currentIndex());
    settings.setValue(QStringLiteral("lastText"), m_text->text());
}

void InputsToolBar::saveTo(core::Session &session) const
{
    session.device = core::deviceChoiceName(device());
}

void InputsToolBar::restore(const core::Session &session)
{
    m_quiet = true;
    m_method->setCurrentIndex(std::max(0, m_method->findData(static_cast<int>(core::parseMethod(session.method)))));
    m_device->setCurrentIndex(std::max(0, m_device->findData(static_cast<int>(core::parseDeviceChoice(session.device)))));
    m_text->setText(QString::fromStdString(session.text));
    setPair(QString::fromStdString(session.pair)); // saved from a model that reads pairs
    m_quiet = false;
}

} // namespace attnscope::ui
