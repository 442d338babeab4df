#pragma once

#include "core/image/rgbimage.h"

#include <QImage>

namespace attnscope::ui {

/// The one place core's pixel buffers and QImage meet. Every conversion deep-
/// copies: the result owns its pixels, whatever happens to the source.
class QtImages
{
public:
    static QImage toQImage(const core::RgbImage &image);   ///< RGB888
    static QImage toQImage(const core::RgbaImage &image);  ///< RGBA8888
    static core::RgbImage toRgb(const QImage &image);       ///< any format; alpha dropped
};

} // namespace attnscope::ui
