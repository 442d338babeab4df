#include "ui/export/exportdialogs.h"

#include "core/io/atomicfile.h"
#include "core/error.h"
#include "core/io/explanationjson.h"
#include "core/io/npywriter.h"
#include "core/io/textfile.h"
#include "ui/export/viewexporter.h"
#include "ui/worker/explainrequest.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QSettings>

namespace attnscope::ui {

ExportDialogs::ExportDialogs(QWidget *parent)
    : QObject(parent)
    , m_parent(parent)
{
}

void ExportDialogs::exportView(QWidget *view, const QString &name)
{
    QString selected;
    QString path = QFileDialog::getSaveFileName(m_parent, tr("Export"), name + QStringLiteral(".png"),
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
            const int dpi = QInputDialog::getInt(m_parent, tr("Resolution"), tr("Dots per inch (96 = as on screen):"),
                                                 QSettings().value(QStringLiteral("exportDpi"), 300).toInt(), 24, 1200, 1, &ok);
            if (!ok)
                return;
            QSettings().setValue(QStringLiteral("exportDpi"), dpi);
            ViewExporter::png(view, path, dpi);
        }
        emit done(tr("Exported %1").arg(QFileInfo(path).fileName()));
    } catch (const core::Error &e) {
        emit failed(QString::fromStdString(e.what()));
    }
}

void ExportDialogs::exportArrays(const ExplainResult &result)
{
    const QString folder = QFileDialog::getExistingDirectory(m_parent, tr("Export arrays into"));
    if (folder.isEmpty())
        return;
    try {
        const core::Explanation &e = result.explanation;
        const QString stem = folder + QLatin1Char('/') + QString::fromLatin1(core::methodName(e.method));
        auto npy = [](const QString &path, std::vector<int> shape, const std::vector<float> &values) {
            core::NpyWriter::write(path.toStdString(), shape, values);
        };
        if (e.hasPatchScores())
            npy(stem + QStringLiteral("_patches.npy"), {e.gridRows, e.gridCols}, e.patchScores);
        if (e.hasTokenScores())
            npy(stem + QStringLiteral("_tokens.npy"), {static_cast<int>(e.tokenScores.size())}, e.tokenScores);
        if (!e.matrix.empty())
            npy(stem + QStringLiteral("_matrix.npy"), {e.matrix.rows(), e.matrix.cols()}, e.matrix.values());
        const core::Explanation &a = result.attention;
        if (!a.matrix.empty())
            npy(folder + QStringLiteral("/attention_map%1_%2.npy")
                             .arg(result.attentionIndex)
                             .arg(result.head < 0 ? QStringLiteral("mean") : QString::number(result.head)),
                {a.matrix.rows(), a.matrix.cols()}, a.matrix.values());
        core::AtomicFile::write((stem + QStringLiteral(".json")).toStdString(),
                              core::ExplanationJson::explanation(e, true).dump(1) + "\n");
        emit done(tr("Exported the arrays to %1").arg(folder));
    } catch (const core::Error &err) {
        emit failed(QString::fromStdString(err.what()));
    }
}

QString ExportDialogs::askReportPath()
{
    QString path = QFileDialog::getSaveFileName(m_parent, tr("Save report"), QStringLiteral("attnscope-report.pdf"),
                                                tr("PDF (*.pdf)"));
    if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".pdf");
    return path;
}

} // namespace attnscope::ui
