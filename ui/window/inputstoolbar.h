#pragma once

#include "core/engine/device.h"
#include "core/explain/explanation.h"

#include <QToolBar>

class QComboBox;
class QLineEdit;
class QSettings;

namespace attnscope::core {
struct Session;
}

namespace attnscope::ui {

/// The window's first tool bar: the text, Run, the model, the method and the
/// device. It says when the user runs or picks something; choices made by
/// the program (settings, a session) say nothing.
class InputsToolBar : public QToolBar
{
    Q_OBJECT
public:
    explicit InputsToolBar(QWidget *parent = nullptr);

    QString text() const;
    void setText(const QString &text);
    /// The second text of a sentence pair; empty when none (or the model reads one text).
    QString pair() const;
    /// Sets the second text and shows its box (before the model says it reads pairs).
    void setPair(const QString &pair);
    /// Shows what the open model reads: the text box only for a model that
    /// reads text, the second box only for one whose tokenizer makes pairs.
    void setModelInputs(bool readsText, bool pairs);
    /// Puts the cursor in the text, all of it selected (Ctrl+L).
    void editText();
    core::Method method() const;
    /// Selects the method as the user would (Ctrl+1..4): methodChosen follows.
    void chooseMethod(int index);
    /// The methods' names, in the selector's order.
    QStringList methodNames() const;
    core::DeviceChoice device() const;
    /// The models offered (bundled and recent); `current` selected.
    void setModels(const QStringList &paths, const QString &current);

    void restoreSettings(const QSettings &settings);
    void saveSettings(QSettings &settings) const;
    void saveTo(core::Session &session) const;
    void restore(const core::Session &session);

signals:
    void runRequested();                   ///< Enter in the text, or Run
    void modelChosen(const QString &path); ///< another model in the selector
    void methodChosen();
    void deviceChosen();

private:
    QLineEdit *m_text = nullptr;
    QLineEdit *m_pair = nullptr;
    QList<QAction *> m_textActions; ///< the text box and its label
    QList<QAction *> m_pairActions;
    QComboBox *m_model = nullptr;
    QComboBox *m_method = nullptr;
    QComboBox *m_device = nullptr;
    bool m_quiet = false; ///< set by the program: no signals
};

} // namespace attnscope::ui
