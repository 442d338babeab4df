#include "ui/window/helpdialogs.h"

#include "core/engine/device.h"
#include "core/image/imagedecoder.h"
#include "core/io/modelcard.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QMessageBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace attnscope::ui {

void HelpDialogs::showAbout(QWidget *parent)
{
    const QString device = core::cudaAvailable() ? QObject::tr("a CUDA GPU is available")
                                                 : QObject::tr("no CUDA GPU: models run on the CPU");
    auto *box = new QMessageBox(QMessageBox::NoIcon, QObject::tr("About AttnScope"),
                                QObject::tr("<h3>AttnScope %1</h3><p>See inside multimodal transformers: where a model looks, "
                                            "and how far to trust the picture.</p>"
                                            "<p>Qt %2 &middot; LibTorch %3 &middot; OpenCV %4<br>%5</p>")
                                    .arg(QStringLiteral(ATTNSCOPE_VERSION), QString::fromLatin1(qVersion()),
                                         QString::fromStdString(core::libTorchVersion()),
                                         QString::fromStdString(core::ImageDecoder::openCvVersion()), device),
                                QMessageBox::Close, parent);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

QString HelpDialogs::modelCardText(const QString &modelPath)
{
    const core::ModelCard card = core::ModelCard::forModel(modelPath.toStdString());
    if (!card.exists())
        return QObject::tr("# %1\n\nThis model has no model card: AttnScope shows a Markdown file with the model's name and "
                           "the extension .md beside the model file (its data, accuracy per question type and known limits) "
                           "when there is one.")
            .arg(QFileInfo(modelPath).fileName());
    return QString::fromStdString(card.text);
}

void HelpDialogs::showModelCard(QWidget *parent, const QString &modelPath)
{
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("modelCardDialog"));
    dialog->setWindowTitle(QObject::tr("This model"));
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QTextBrowser(dialog);
    text->setObjectName(QStringLiteral("modelCardText"));
    text->setMarkdown(modelCardText(modelPath));
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->resize(720, 560);
    dialog->show();
}

} // namespace attnscope::ui
