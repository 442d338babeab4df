#include "core/render/colormap.h"

#include "core/error.h"

#include <cmath>

namespace attnscope::core {

namespace {
#include "core/render/colormaptables.inc"
} // namespace

Colormap::Colormap(ColormapKind kind)
{
    const uint8_t(*table)[3] = nullptr;
    switch (kind) {
    case ColormapKind::Viridis: table = kViridisTable; break;
    case ColormapKind::Inferno: table = kInfernoTable; break;
    case ColormapKind::Magma: table = kMagmaTable; break;
    case ColormapKind::Turbo: table = kTurboTable; break;
    case ColormapKind::Coolwarm: table = kCoolwarmTable; break;
    case ColormapKind::Grey: break;
    }
    for (int i = 0; i < 256; ++i) {
        for (int c = 0; c < 3; ++c)
            m_table[static_cast<size_t>(i)][static_cast<size_t>(c)] = table ? table[i][c] : static_cast<uint8_t>(i);
    }
}

const Colormap &Colormap::get(ColormapKind kind)
{
    static const Colormap viridis(ColormapKind::Viridis), inferno(ColormapKind::Inferno),
        magma(ColormapKind::Magma), turbo(ColormapKind::Turbo), grey(ColormapKind::Grey),
        coolwarm(ColormapKind::Coolwarm);
    switch (kind) {
    case ColormapKind::Viridis: return viridis;
    case ColormapKind::Inferno: return inferno;
    case ColormapKind::Magma: return magma;
    case ColormapKind::Turbo: return turbo;
    case ColormapKind::Grey: return grey;
    case ColormapKind::Coolwarm: return coolwarm;
    }
    return viridis;
}

std::vector<ColormapKind> Colormap::all()
{
    return {ColormapKind::Viridis, ColormapKind::Inferno, ColormapKind::Magma,
            ColormapKind::Turbo, ColormapKind::Grey, ColormapKind::Coolwarm};
}

const char *Colormap::name(ColormapKind kind)
{
    switch (kind) {
    case ColormapKind::Viridis: return "viridis";
    case ColormapKind::Inferno: return "inferno";
    case ColormapKind::Magma: return "magma";
    case ColormapKind::Turbo: return "turbo";
    case ColormapKind::Grey: return "grey";
    case ColormapKind::Coolwarm: return "coolwarm";
    }
    return "viridis";
}

ColormapKind Colormap::parse(const std::string &name)
{
    for (ColormapKind kind : all()) {
        if (name == Colormap::name(kind))
            return kind;
    }
    if (name == "gray")
        return ColormapKind::Grey;
    throw Error("unknown colormap \"" + name + "\": use viridis, inferno, magma, turbo, grey or coolwarm");
}

std::array<uint8_t, 3> Colormap::map(float t) const
{
    if (!(t > 0.0f)) // also NaN
        return m_table[0];
    if (t >= 1.0f)
        return m_table[255];
    return m_table[static_cast<size_t>(std::lround(t * 255.0f))];
}

} // namespace attnscope::core
