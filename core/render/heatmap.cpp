#include "core/render/heatmap.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope::core {

std::vector<float> Heatmap::normalize(const std::vector<float> &values)
{
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (float v : values) {
        if (std::isnan(v))
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    std::vector<float> out(values.size(), 0.0f);
    if (!(hi > lo))
        return out;
    const float scale = 1.0f / (hi - lo);
    for (size_t i = 0; i < values.size(); ++i)
        out[i] = std::isnan(values[i]) ? values[i] : (values[i] - lo) * scale;
    return out;
}

std::vector<float> Heatmap::normalize(const std::vector<float> &values, const std::vector<uint8_t> &leftOut)
{
    std::vector<float> kept;
    for (size_t i = 0; i < values.size(); ++i) {
        if (!(i < leftOut.size() && leftOut[i]))
            kept.push_back(values[i]);
    }
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (float v : kept) {
        if (std::isnan(v))
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (kept.size() == values.size() || !(hi > lo))
        return normalize(values);
    std::vector<float> out(values.size(), 0.0f);
    const float scale = 1.0f / (hi - lo);
    for (size_t i = 0; i < values.size(); ++i)
        out[i] = std::isnan(values[i]) ? values[i] : std::clamp((values[i] - lo) * scale, 0.0f, 1.0f);
    return out;
}

std::vector<float> Heatmap::upsample(const std::vector<float> &grid, int rows, int cols, int width,
                                     int height, Interpolation interpolation, const InputRegion &region)
{
    if (rows <= 0 || cols <= 0 || width <= 0 || height <= 0
        || grid.size() != static_cast<size_t>(rows) * cols)
        throw Error("heatmap: the grid does not match its size");
    if (!(region.width > 0.0 && region.height > 0.0))
        throw Error("heatmap: the input region is empty");
    std::vector<float> out(static_cast<size_t>(width) * height, 0.0f);
    // Pixel centre x + 0.5 lies at grid column ((x + 0.5) - ox) * sx; with
    // the whole image as region, (x + 0.5) * cols / width.
    const double ox = region.x * width, oy = region.y * height;
    const double sx = cols / (region.width * width), sy = rows / (region.height * height);
    auto inside = [](double g, int n) { return g >= 0.0 && g < n; };
    if (interpolation == Interpolation::Nearest) {
        for (int y = 0; y < height; ++y) {
            const double gy = ((y + 0.5) - oy) * sy;
            if (!inside(gy, rows))
                continue;
            const int r = std::min(rows - 1, static_cast<int>(std::floor(gy)));
            for (int x = 0; x < width; ++x) {
                const double gx = ((x + 0.5) - ox) * sx;
                if (!inside(gx, cols))
                    continue;
                const int c = std::min(cols - 1, static_cast<int>(std::floor(gx)));
                out[static_cast<size_t>(y) * width + x] = grid[static_cast<size_t>(r) * cols + c];
            }
        }
        return out;
    }
    // Source coordinates per column, computed once.
    std::vector<int> x0(static_cast<size_t>(width)), x1(static_cast<size_t>(width));
    std::vector<float> fx(static_cast<size_t>(width));
    std::vector<char> xIn(static_cast<size_t>(width));
    for (int x = 0; x < width; ++x) {
        const double gx = ((x + 0.5) - ox) * sx;
        xIn[static_cast<size_t>(x)] = inside(gx, cols);
        const double src = std::clamp(gx - 0.5, 0.0, static_cast<double>(cols - 1));
        x0[static_cast<size_t>(x)] = static_cast<int>(std::floor(src));
        x1[static_cast<size_t>(x)] = std::min(cols - 1, x0[static_cast<size_t>(x)] + 1);
        fx[static_cast<size_t>(x)] = static_cast<float>(src - x0[static_cast<size_t>(x)]);
    }
    for (int y = 0; y < height; ++y) {
        const double gy = ((y + 0.5) - oy) * sy;
        if (!inside(gy, rows))
            continue;
        const double src = std::clamp(gy - 0.5, 0.0, static_cast<double>(rows - 1));
        const int r0 = static_cast<int>(std::floor(src));
        const int r1 = std::min(rows - 1, r0 + 1);
        const float fy = static_cast<float>(src - r0);
        const float *a = grid.data() + static_cast<size_t>(r0) * cols;
        const float *b = grid.data() + static_cast<size_t>(r1) * cols;
        float *dst = out.data() + static_cast<size_t>(y) * width;
        for (int x = 0; x < width; ++x) {
            const size_t i = static_cast<size_t>(x);
            if (!xIn[i])
                continue;
            const float top = a[x0[i]] + (a[x1[i]] - a[x0[i]]) * fx[i];
            const float bottom = b[x0[i]] + (b[x1[i]] - b[x0[i]]) * fx[i];
            dst[x] = top + (bottom - top) * fy;
        }
    }
    return out;
}

} // namespace attnscope::core
