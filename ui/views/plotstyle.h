#pragma once

#include "core/render/colormap.h"

class QCPColorGradient;
class QCustomPlot;

namespace attnscope::ui {

/// Shared QCustomPlot set-up, so every plot looks and behaves alike.
class PlotStyle
{
public:
    /// A QCustomPlot gradient with the 256 entries of one of core's colormaps.
    static QCPColorGradient gradient(core::ColormapKind kind);
    /// Fonts, margins and a neutral background.
    static void apply(QCustomPlot *plot);
    /// Moves the plot's legend out of the axis rectangle into a row of its
    /// own below it, `columns` items a row, so it never covers data.
    static void legendBelow(QCustomPlot *plot, int columns);
};

} // namespace attnscope::ui
