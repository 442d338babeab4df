#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::core {

enum class ColormapKind { Viridis, Inferno, Magma, Turbo, Grey, Coolwarm };

/// A 256-entry colour table. Sequential maps for scores, coolwarm (diverging)
/// for differences.
class Colormap
{
public:
    static const Colormap &get(ColormapKind kind);
    /// "viridis", "inferno", "magma", "turbo", "grey", "coolwarm"; throws Error otherwise.
    static ColormapKind parse(const std::string &name);
    static const char *name(ColormapKind kind);
    static std::vector<ColormapKind> all();

    /// The colour at t in [0, 1] (clamped; NaN maps to 0): entry round(t * 255).
    std::array<uint8_t, 3> map(float t) const;
    const std::array<uint8_t, 3> &entry(int index) const { return m_table[static_cast<size_t>(index)]; }

private:
    explicit Colormap(ColormapKind kind);
    std::array<std::array<uint8_t, 3>, 256> m_table{};
};

} // namespace attnscope::core
