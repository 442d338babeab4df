#include "ui/export/viewexporter.h"

#include "ui/views/imageview.h"

#include "core/error.h"
#include "core/io/atomicfile.h"

#include <QBuffer>
#include <QFileInfo>
#include <QPainter>
#include <QPdfWriter>
#include <QWidget>

namespace attnscope::ui {

namespace {

QImage render(QWidget *widget, int dpi)
{
    const double scale = dpi / 96.0;
    QImage image((QSizeF(widget->size()) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    const int dotsPerMeter = static_cast<int>(dpi / 0.0254 + 0.5);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(scale, scale);
    widget->render(&p, QPoint(), QRegion(), QWidget::DrawChildren);
    return image;
}

QByteArray pngBytes(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}

QString imageElement(const QRectF &r, const QImage &image, const QString &extra = {})
{
    return QStringLiteral("<image x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" preserveAspectRatio=\"none\" %5"
                          "xlink:href=\"data:image/png;base64,%6\"/>\n")
        .arg(r.x())
        .arg(r.y())
        .arg(r.width())
        .arg(r.height())
        .arg(extra, QString::fromLatin1(pngBytes(image).toBase64()));
}

QString svgHeader(const QSize &size)
{
    return QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                          "version=\"1.1\" width=\"%1\" height=\"%2\" viewBox=\"0 0 %1 %2\">\n")
        .arg(size.width())
        .arg(size.height());
}

void writeText(const QString &path, const QString &text)
{
    core::AtomicFile::write(path.toStdString(), text.toUtf8().toStdString());
}

} // namespace

void ViewExporter::png(QWidget *widget, const QString &path, int dpi)
{
    if (dpi < 24 || dpi > 1200)
        throw core::Error("choose a resolution from 24 to 1200 DPI");
    const QImage image = render(widget, dpi);
    core::AtomicFile file(path.toStdString());
    if (!image.save(&file.device(), "PNG"))
        throw core::Error("could not encode " + path.toStdString() + " as PNG");
    file.commit();
}

void ViewExporter::pdf(QWidget *widget, const QString &path)
{
    core::AtomicFile file(path.toStdString());
    {
        QPdfWriter writer(&file.device());
        writer.setResolution(96);
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setPageSize(QPageSize(QSizeF(widget->size()) * 72.0 / 96.0, QPageSize::Point, QString(),
                                     QPageSize::ExactMatch));
        writer.setCreator(QStringLiteral("AttnScope"));
        writer.setTitle(QFileInfo(path).completeBaseName());
        QPainter p(&writer);
        widget->render(&p, QPoint(), QRegion(), QWidget::DrawChildren);
    }
    file.commit();
}

void ViewExporter::svg(QWidget *widget, const QString &path, int dpi)
{
    if (const auto *view = qobject_cast<const ImageView *>(widget)) {
        svgOfImageView(view, path);
        return;
    }
    QString svg = svgHeader(widget->size());
    svg += imageElement(QRectF(QPointF(0, 0), QSizeF(widget->size())), render(widget, dpi));
    svg += QStringLiteral("</svg>\n");
    writeText(path, svg);
}

void ViewExporter::svgOfImageView(const ImageView *view, const QString &path)
{
    const QRectF r = view->imageRect();
    QString svg = svgHeader(view->size());
    svg += QStringLiteral("<title>%1</title>\n").arg(escaped(view->caption()));
    svg += QStringLiteral("<rect width=\"100%\" height=\"100%\" fill=\"%1\"/>\n").arg(view->palette().window().color().name());
    if (!view->image().isNull())
        svg += imageElement(r, view->image(), QStringLiteral("id=\"image\" "));
    if (!view->heatImage().isNull()) {
        svg += imageElement(r, view->heatImage(),
                            QStringLiteral("id=\"heatmap\" opacity=\"%1\" style=\"image-rendering:%2\" ")
                                .arg(view->opacity())
                                .arg(view->smooth() ? QStringLiteral("auto") : QStringLiteral("pixelated")));
    }
    const int rows = view->gridRows();
    const int cols = view->gridCols();
    if (rows > 0 && cols > 0) {
        if (view->gridVisible()) {
            svg += QStringLiteral("<g id=\"grid\" stroke=\"white\" stroke-opacity=\"0.43\" stroke-width=\"1\">\n");
            for (int c = 1; c < cols; ++c) {
                const double x = r.left() + c * r.width() / cols;
                svg += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%1\" y2=\"%3\"/>\n").arg(x).arg(r.top()).arg(r.bottom());
            }
            for (int row = 1; row < rows; ++row) {
                const double y = r.top() + row * r.height() / rows;
                svg += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%2\"/>\n").arg(r.left()).arg(y).arg(r.right());
            }
            svg += QStringLiteral("</g>\n");
        }
        const int selected = view->selectedPatch();
        if (selected >= 0 && selected < rows * cols) {
            const double w = r.width() / cols;
            const double h = r.height() / rows;
            svg += QStringLiteral("<rect id=\"selection\" x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"none\" "
                                  "stroke=\"#ff3c3c\" stroke-width=\"2.5\"/>\n")
                       .arg(r.left() + (selected % cols) * w)
                       .arg(r.top() + (selected / cols) * h)
                       .arg(w)
                       .arg(h);
        }
    }
    if (!view->caption().isEmpty())
        svg += QStringLiteral("<text x=\"12\" y=\"24\" font-family=\"sans-serif\" font-size=\"13\" fill=\"black\" "
                              "stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">%1</text>\n")
                   .arg(escaped(view->caption()));
    svg += QStringLiteral("</svg>\n");
    writeText(path, svg);
}

} // namespace attnscope::ui
