#include "ui/export/qtimages.h"

#include <algorithm>

namespace attnscope::ui {

QImage QtImages::toQImage(const core::RgbImage &image)
{
    if (image.empty())
        return {};
    return QImage(image.pixels.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888).copy();
}

QImage QtImages::toQImage(const core::RgbaImage &image)
{
    if (image.empty())
        return {};
    return QImage(image.pixels.data(), image.width, image.height, image.width * 4, QImage::Format_RGBA8888).copy();
}

core::RgbImage QtImages::toRgb(const QImage &image)
{
    core::RgbImage out;
    if (image.isNull())
        return out;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    out.width = rgb.width();
    out.height = rgb.height();
    out.pixels.resize(static_cast<size_t>(out.width) * static_cast<size_t>(out.height) * 3);
    const size_t row = static_cast<size_t>(out.width) * 3;
    for (int y = 0; y < out.height; ++y) // QImage rows may be padded: copy row by row
        std::copy_n(rgb.constScanLine(y), row, out.pixels.begin() + static_cast<ptrdiff_t>(y * row));
    return out;
}

} // namespace attnscope::ui
