#pragma once

#include <QString>

class QWidget;

namespace attnscope::ui {

class ImageView;

/// Writes views for papers and slides. Every file is written atomically
/// (QSaveFile): an interrupted export leaves the old file or none, never a
/// torn one. Each function throws core::Error with a message naming the file.
class ViewExporter
{
public:
    /// The widget rendered at `dpi` (96 = its size on screen), the DPI
    /// recorded in the PNG.
    static void png(QWidget *widget, const QString &path, int dpi);
    /// One PDF page the widget's size, drawn with the widget's own painting
    /// (vector for the plots, the text and the chips).
    static void pdf(QWidget *widget, const QString &path);
    /// SVG: for the image view, layers - the image, the heatmap (its grid as
    /// an image scaled by the viewer, smooth or pixelated, with the view's
    /// opacity), the patch grid and the selection as vector lines; for any
    /// other view, its rendering at `dpi` embedded in an SVG of its size.
    static void svg(QWidget *widget, const QString &path, int dpi = 192);

private:
    static void svgOfImageView(const ImageView *view, const QString &path);
};

} // namespace attnscope::ui
