// Colormaps, upsampling and overlays, against values worked out by hand and
// matplotlib's published colormap end points.
#include "core/error.h"
#include "core/render/colormap.h"
#include "core/render/heatmap.h"
#include "core/render/overlay.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace attnscope::core;

using Rgb = std::array<uint8_t, 3>;

class TestRender : public QObject
{
    Q_OBJECT
private slots:
    void colormapEndPoints();
    void colormapClampsAndHandlesNan();
    void normalizes();
    void normalizesWithoutSinks();
    void nearestUpsampling();
    void bilinearUpsampling();
    void bilinearPeaksAtPatchCentres();
    void upsamplesOntoTheInputRegion();
    void blends();
    void colorizesNanAsTransparent();
    void spotlightKeepsTheHue();
};

// matplotlib: viridis runs from #440154 to #fde725, inferno from #000004 to
// #fcffa4, magma from #000004 to #fcfdbf.
void TestRender::colormapEndPoints()
{
    QCOMPARE(Colormap::get(ColormapKind::Viridis).map(0.f), (Rgb{0x44, 0x01, 0x54}));
    QCOMPARE(Colormap::get(ColormapKind::Viridis).map(1.f), (Rgb{0xfd, 0xe7, 0x25}));
    QCOMPARE(Colormap::get(ColormapKind::Inferno).map(0.f), (Rgb{0x00, 0x00, 0x04}));
    QCOMPARE(Colormap::get(ColormapKind::Inferno).map(1.f), (Rgb{0xfc, 0xff, 0xa4}));
    QCOMPARE(Colormap::get(ColormapKind::Magma).map(1.f), (Rgb{0xfc, 0xfd, 0xbf}));
    QCOMPARE(Colormap::get(ColormapKind::Grey).map(0.5f), (Rgb{128, 128, 128}));
    // Turbo starts dark blue-violet and ends dark red.
    const Rgb t0 = Colormap::get(ColormapKind::Turbo).map(0.f), t1 = Colormap::get(ColormapKind::Turbo).map(1.f);
    QVERIFY(t0[2] > t0[0] && t0[2] > t0[1]);
    QVERIFY(t1[0] > t1[1] && t1[0] > t1[2]);
    QCOMPARE(Colormap::parse("gray"), ColormapKind::Grey);
    QVERIFY_THROWS_EXCEPTION(Error, Colormap::parse("jet"));
}

void TestRender::colormapClampsAndHandlesNan()
{
    const Colormap &g = Colormap::get(ColormapKind::Grey);
    QCOMPARE(g.map(-3.f), (Rgb{0, 0, 0}));
    QCOMPARE(g.map(7.f), (Rgb{255, 255, 255}));
    QCOMPARE(g.map(std::nanf("")), (Rgb{0, 0, 0}));
}

void TestRender::normalizes()
{
    QCOMPARE(Heatmap::normalize({2.f, 4.f, 3.f}), std::vector<float>({0.f, 1.f, .5f}));
    QCOMPARE(Heatmap::normalize({5.f, 5.f}), std::vector<float>({0.f, 0.f}));
    const auto withNan = Heatmap::normalize({1.f, std::nanf(""), 3.f});
    QCOMPARE(withNan[0], 0.f);
    QVERIFY(std::isnan(withNan[1]));
    QCOMPARE(withNan[2], 1.f);
}

// A 2x2 grid [[1,2],[3,4]] to 4x4: each cell becomes a 2x2 block.
// A sink (the last value) left out of the range: the others span [0, 1] by
// themselves and the sink is clamped to the top.
void TestRender::normalizesWithoutSinks()
{
    QCOMPARE(Heatmap::normalize({0.f, 1.f, 2.f, 10.f}, {0, 0, 0, 1}), std::vector<float>({0.f, .5f, 1.f, 1.f}));
    QCOMPARE(Heatmap::normalize({4.f, 1.f, 2.f, 3.f}, {1, 0, 0, 0}), std::vector<float>({1.f, 0.f, .5f, 1.f}));
    // A sink below the rest is clamped to the bottom.
    QCOMPARE(Heatmap::normalize({-4.f, 1.f, 3.f}, {1, 0, 0}), std::vector<float>({0.f, 0.f, 1.f}));
    // All left out, or no mask: the plain range.
    QCOMPARE(Heatmap::normalize({2.f, 4.f}, {1, 1}), std::vector<float>({0.f, 1.f}));
    QCOMPARE(Heatmap::normalize({2.f, 4.f}, {}), std::vector<float>({0.f, 1.f}));
}

void TestRender::nearestUpsampling()
{
    const auto out = Heatmap::upsample({1, 2, 3, 4}, 2, 2, 4, 4, Interpolation::Nearest);
    QCOMPARE(out, std::vector<float>({1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

// Bilinear, half-pixel aligned: output x in 0..3 samples grid column
// (x + .5) * 2/4 - .5 = -.25, .25, .75, 1.25 -> clamped 0, .25, .75, 1.
// Row 0 of [[1,2],[3,4]] (y clamps to 0): 1, 1.25, 1.75, 2.
// Row 1 (y = .25): top (row 0) values blended with row 1 (+2) by .25: 1.5, 1.75, 2.25, 2.5.
void TestRender::bilinearUpsampling()
{
    const auto out = Heatmap::upsample({1, 2, 3, 4}, 2, 2, 4, 4, Interpolation::Bilinear);
    const std::vector<float> expected{1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,
                                      2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4};
    QCOMPARE(out.size(), expected.size());
    for (size_t i = 0; i < out.size(); ++i)
        QVERIFY2(std::fabs(out[i] - expected[i]) < 1e-6f, qPrintable(QString::number(i)));
}

// The pointing game reads the highest patch; bilinear upsampling must peak at
// that patch's centre.
void TestRender::bilinearPeaksAtPatchCentres()
{
    std::vector<float> grid(12, 0.f);
    grid[6] = 1.f; // row 1, column 2 of a 3x4 grid
    const auto out = Heatmap::upsample(grid, 3, 4, 40, 30, Interpolation::Bilinear);
    const auto best = std::max_element(out.begin(), out.end()) - out.begin();
    const int x = int(best % 40), y = int(best / 40);
    QVERIFY(x >= 20 && x < 30);
    QVERIFY(y >= 10 && y < 20);
}

// Base (100, 200, 0), grey colour 255 at value 1, opacity .25:
// 100*.75 + 255*.25 = 138.75 -> 139; 200*.75 + 63.75 = 213.75 -> 214; 0 + 63.75 -> 64.
// A 1 x 2 grid over the middle half of an 8 x 2 image (a centre crop):
// columns 0-1 and 6-7 were not seen (0); 2-3 take the grid's first cell, 4-5
// its second. Over a region twice the image's height (a pad), the image's 2
// rows are the middle of the grid's 4 rows: rows 1 and 2 of a 4 x 1 grid.
void TestRender::upsamplesOntoTheInputRegion()
{
    const std::vector<float> crop = Heatmap::upsample({0.3f, 0.9f}, 1, 2, 8, 2, Interpolation::Nearest, {0.25, 0.0, 0.5, 1.0});
    const std::vector<float> cropRow{0.0f, 0.0f, 0.3f, 0.3f, 0.9f, 0.9f, 0.0f, 0.0f};
    QCOMPARE(std::vector<float>(crop.begin(), crop.begin() + 8), cropRow);
    QCOMPARE(std::vector<float>(crop.begin() + 8, crop.end()), cropRow);
    const std::vector<float> pad = Heatmap::upsample({0.1f, 0.2f, 0.7f, 0.4f}, 4, 1, 1, 2, Interpolation::Nearest, {0.0, -0.5, 1.0, 2.0});
    QCOMPARE(pad, (std::vector<float>{0.2f, 0.7f}));
    // Bilinear over the crop: pixel 3 (centre 3.5) is grid column (3.5 - 2) / 2
    // = 0.75, i.e. 0.25 past the first cell's centre: 0.3 + 0.25 * 0.6 = 0.45.
    const std::vector<float> smooth = Heatmap::upsample({0.3f, 0.9f}, 1, 2, 8, 1, Interpolation::Bilinear, {0.25, 0.0, 0.5, 1.0});
    QCOMPARE(smooth[0], 0.0f);
    QVERIFY(std::fabs(smooth[3] - 0.45f) < 1e-6f);
    QCOMPARE(smooth[7], 0.0f);
    // The whole image as region is the plain upsampling.
    QCOMPARE(Heatmap::upsample({0.3f, 0.9f}, 1, 2, 8, 2, Interpolation::Bilinear, {}),
             Heatmap::upsample({0.3f, 0.9f}, 1, 2, 8, 2, Interpolation::Bilinear));
}

void TestRender::blends()
{
    const RgbImage base{1, 1, {100, 200, 0}};
    const RgbaImage out = Overlay::blend(base, {1.f}, Colormap::get(ColormapKind::Grey), .25f);
    QCOMPARE(out.pixels, std::vector<uint8_t>({139, 214, 64, 255}));
    const RgbaImage untouched = Overlay::blend(base, {std::nanf("")}, Colormap::get(ColormapKind::Grey), .25f);
    QCOMPARE(untouched.pixels, std::vector<uint8_t>({100, 200, 0, 255}));
    QVERIFY_THROWS_EXCEPTION(Error, Overlay::blend(base, {1.f, 2.f}, Colormap::get(ColormapKind::Grey), .5f));
}

void TestRender::colorizesNanAsTransparent()
{
    const RgbaImage out = Overlay::colorize({0.f, std::nanf("")}, 2, 1, Colormap::get(ColormapKind::Viridis));
    QCOMPARE(out.pixels, std::vector<uint8_t>({0x44, 0x01, 0x54, 255, 0x44, 0x01, 0x54, 0}));
}

// (200, 180, 40): luma 0.299*200 + 0.587*180 + 0.114*40 = 170.02, dimmed grey
// 0.4 * 170.02 = 68.008. Value 0 at strength 1: (68, 68, 68). Value 0.5: a =
// 0.5, 0.5*c + 34.004 = (134, 124, 54). Hue (HSV): 60 * (g - b) / (max - min)
// = 60 * 140/160 = 52.5 degrees for the pixel, 60 * 70/80 = 52.5 for the mix.
void TestRender::spotlightKeepsTheHue()
{
    const RgbImage base{3, 1, {200, 180, 40, 200, 180, 40, 200, 180, 40}};
    const RgbaImage out = Overlay::spotlight(base, {1.f, .5f, 0.f}, 1.f);
    QCOMPARE(out.pixels, std::vector<uint8_t>({200, 180, 40, 255, 134, 124, 54, 255, 68, 68, 68, 255}));
    auto hue = [](int r, int g, int b) {
        const int hi = std::max({r, g, b}), lo = std::min({r, g, b});
        return hi == r ? 60.0 * (g - b) / (hi - lo) : 0.0; // red is the largest channel here
    };
    QCOMPARE(hue(134, 124, 54), hue(200, 180, 40));
    // Strength 0.5 at value 0: a = 0.5, the same mix as value 0.5 at strength 1.
    QCOMPARE(Overlay::spotlight(RgbImage{1, 1, {200, 180, 40}}, {0.f}, .5f).pixels, std::vector<uint8_t>({134, 124, 54, 255}));
    // NaN: untouched.
    QCOMPARE(Overlay::spotlight(RgbImage{1, 1, {200, 180, 40}}, {std::nanf("")}, 1.f).pixels,
             std::vector<uint8_t>({200, 180, 40, 255}));
    // The blend at the same point tints it: viridis' middle (#21918c) pulls the hue to cyan.
    const RgbaImage tinted = Overlay::blend(RgbImage{1, 1, {200, 180, 40}}, {.5f}, Colormap::get(ColormapKind::Viridis), .55f);
    const auto &t = tinted.pixels;
    QVERIFY(t[1] > t[0]); // green now leads: not yellow any more
}

QTEST_APPLESS_MAIN(TestRender)
#include "tst_render.moc"
