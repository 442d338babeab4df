// Image decoding (written here with QImage, read back through OpenCV) and
// preprocessing, with expected pixels worked out by hand.
#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/image/imagedecoder.h"
#include "core/image/imageheader.h"
#include "core/image/imagepreprocessor.h"

#include "../../testsupport.h"

#include <QFile>
#include <QFileInfo>
#include <QVariant>
#include <QImage>
#include <QTemporaryDir>
#include <QRectF>
#include <QTest>

#include <cmath>

#include <sys/resource.h>

using namespace attnscope::core;
using attnscope::test::dataPath;

class TestImage : public QObject
{
    Q_OBJECT
private slots:
    void notesImagesFarFromTheInput_data();
    void notesImagesFarFromTheInput();
    void initTestCase();
    void keepsRgbOrder();
    void expandsGrey();
    void scales16Bit();
    void compositesAlphaOverWhite();
    void rejectsBadFiles_data();
    void rejectsBadFiles();
    void corpus_data();
    void corpus();
    void sniffsHeaders_data();
    void sniffsHeaders();
    void bombsUseBoundedMemory();
    void normalizes();
    void normalizesInBgrOrder();
    void resizes();
    void resizeModes_data();
    void resizeModes();
    void notesCropsAndPads();

private:
    std::string path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }
    QTemporaryDir m_dir;
};

void TestImage::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestImage::keepsRgbOrder()
{
    QImage img(2, 1, QImage::Format_RGB888);
    img.setPixelColor(0, 0, QColor(255, 0, 0));
    img.setPixelColor(1, 0, QColor(0, 10, 200));
    QVERIFY(img.save(QString::fromStdString(path("rgb.png"))));
    const RgbImage d = ImageDecoder::decodeFile(path("rgb.png"));
    QCOMPARE(d.width, 2);
    QCOMPARE(d.height, 1);
    QCOMPARE(d.pixels, std::vector<uint8_t>({255, 0, 0, 0, 10, 200}));
}

void TestImage::expandsGrey()
{
    QImage img(1, 2, QImage::Format_Grayscale8);
    img.setPixel(0, 0, qRgb(100, 100, 100));
    img.setPixel(0, 1, qRgb(7, 7, 7));
    QVERIFY(img.save(QString::fromStdString(path("grey.png"))));
    const RgbImage d = ImageDecoder::decodeFile(path("grey.png"));
    QCOMPARE(d.pixels, std::vector<uint8_t>({100, 100, 100, 7, 7, 7}));
}

void TestImage::scales16Bit()
{
    QImage img(2, 1, QImage::Format_Grayscale16);
    reinterpret_cast<quint16 *>(img.scanLine(0))[0] = 65535;
    reinterpret_cast<quint16 *>(img.scanLine(0))[1] = 2570; // 10 * 257
    QVERIFY(img.save(QString::fromStdString(path("grey16.png"))));
    const RgbImage d = ImageDecoder::decodeFile(path("grey16.png"));
    QCOMPARE(d.pixels, std::vector<uint8_t>({255, 255, 255, 10, 10, 10}));
}

// Red at alpha 128 over white: a = 128/255, channel = c*a + 255*(1 - a):
// red 255, green and blue 255*(127/255) = 127.
void TestImage::compositesAlphaOverWhite()
{
    QImage img(1, 1, QImage::Format_RGBA8888);
    img.setPixelColor(0, 0, QColor(255, 0, 0, 128));
    QVERIFY(img.save(QString::fromStdString(path("alpha.png"))));
    const RgbImage d = ImageDecoder::decodeFile(path("alpha.png"));
    QCOMPARE(int(d.pixels[0]), 255);
    QVERIFY(std::abs(int(d.pixels[1]) - 127) <= 1);
    QVERIFY(std::abs(int(d.pixels[2]) - 127) <= 1);
}

void TestImage::rejectsBadFiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    QTest::newRow("missing") << "missing.png" << QByteArray() << "missing.png: there is no such file";
    QTest::newRow("empty") << "empty.png" << QByteArray("") << "the image file is empty";
    QTest::newRow("text") << "text.png" << QByteArray("not an image at all\n") << "is a text file, not an image";
    QTest::newRow("binary") << "binary.png" << QByteArray("\x00\x01\x02\x03garbage", 11)
                            << "is not an image in a format AttnScope can read";
}

void TestImage::rejectsBadFiles()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    const QString file = m_dir.filePath(name);
    if (!content.isNull()) {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    try {
        ImageDecoder::decodeFile(file.toStdString());
        QFAIL("a bad image was accepted");
    } catch (const Error &e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(file), qPrintable(what));
        QVERIFY2(what.contains(message), qPrintable(what));
    }
}

// Every image of the malformed corpus (models/attnscope/make_malformed_corpus.py): the
// refused ones give their message; the odd but valid ones (16-bit, grey,
// alpha, palette, CMYK, GIF first frames, EXIF orientations, ...) give the
// pixels the corpus script computed from the arrays it encoded.
void TestImage::corpus_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QVariantList>("size");
    QTest::addColumn<QVariantList>("pixels");
    QTest::addColumn<int>("tolerance");
    int rows = 0;
    for (const attnscope::test::CorpusEntry &e : attnscope::test::malformedCorpus()) {
        if (e.kind != "images")
            continue;
        QVariantList size, pixels;
        int tolerance = 0;
        if (e.error.empty()) {
            size << e.width << e.height;
            for (const Json &p : e.json->find("pixels")->toArray()) {
                const auto &a = p.toArray();
                QVariantList pixel{static_cast<int>(a[0].toNumber()), static_cast<int>(a[1].toNumber())};
                for (const Json &c : a[2].toArray())
                    pixel << static_cast<int>(c.toNumber());
                pixels << QVariant(pixel);
            }
            tolerance = static_cast<int>(e.json->find("tolerance")->toNumber());
        }
        QTest::newRow(e.name().c_str()) << QString::fromStdString(e.file) << QString::fromStdString(e.error) << size
                                        << pixels << tolerance;
        ++rows;
    }
    QVERIFY(rows >= 30);
}

void TestImage::corpus()
{
    QFETCH(QString, file);
    QFETCH(QString, error);
    QFETCH(QVariantList, size);
    QFETCH(QVariantList, pixels);
    QFETCH(int, tolerance);
    const std::string path = dataPath(file.toStdString());
    if (!error.isEmpty()) {
        try {
            ImageDecoder::decodeFile(path);
            QFAIL("a bad image was accepted");
        } catch (const Error &e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.startsWith(QString::fromStdString(path)), qPrintable(what));
            QVERIFY2(what.contains(error), qPrintable(what));
        }
        return;
    }
    const RgbImage image = ImageDecoder::decodeFile(path);
    QCOMPARE(image.width, size[0].toInt());
    QCOMPARE(image.height, size[1].toInt());
    for (const QVariant &p : pixels) {
        const QVariantList v = p.toList();
        const uint8_t *px = image.pixel(v[0].toInt(), v[1].toInt());
        for (int c = 0; c < 3; ++c)
            QVERIFY2(std::abs(int(px[c]) - v[2 + c].toInt()) <= tolerance,
                     qPrintable(QStringLiteral("pixel (%1, %2): (%3, %4, %5), expected (%6, %7, %8)")
                                    .arg(v[0].toInt())
                                    .arg(v[1].toInt())
                                    .arg(px[0])
                                    .arg(px[1])
                                    .arg(px[2])
                                    .arg(v[2].toInt())
                                    .arg(v[3].toInt())
                                    .arg(v[4].toInt())));
    }
}

// Headers written byte by byte from the formats' specifications.
void TestImage::sniffsHeaders_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("format");
    QTest::addColumn<qint64>("width");
    QTest::addColumn<qint64>("height");
    QTest::addColumn<bool>("complete");
    using F = ImageHeader::Format;
    // Signature, then IHDR: length 13, width 50000, height 40000, 8-bit RGB, CRC (unchecked here).
    const QByteArray png = QByteArray("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\xc3\x50\0\0\x9c\x40\x08\x02\0\0\0"
                                      "\x01\x02\x03\x04", 33);
    QTest::newRow("png without IEND") << png << int(F::Png) << qint64(50000) << qint64(40000) << false;
    QTest::newRow("png") << png + QByteArray("\0\0\0\0IEND\xae\x42\x60\x82", 12) << int(F::Png) << qint64(50000)
                         << qint64(40000) << true;
    // SOI, an APP0 of 4 bytes, SOF0 (height 0x0102, width 0x0304), SOS, data with a stuffed FF, EOI.
    const QByteArray jpeg("\xff\xd8\xff\xe0\0\x04" "ab\xff\xc0\0\x0b\x08\x01\x02\x03\x04\x01\x01\x11\0"
                          "\xff\xda\0\x02\x12\xff\x00\x34\xff\xd0\x56\xff\xd9", 34);
    QTest::newRow("jpeg") << jpeg << int(F::Jpeg) << qint64(0x304) << qint64(0x102) << true;
    QTest::newRow("jpeg cut in its scan") << jpeg.left(31) << int(F::Jpeg) << qint64(0x304) << qint64(0x102) << false;
    QTest::newRow("gif") << QByteArray("GIF89a\x10\x27\x20\x4e", 10) << int(F::Gif) << qint64(10000) << qint64(20000)
                         << true;
    QByteArray bmp(26, '\0');
    bmp.replace(0, 2, "BM");
    bmp[14] = 40;
    bmp[18] = char(0x88), bmp[19] = char(0x13);                   // width 5000
    bmp[22] = char(0x18), bmp[23] = char(0xfc), bmp[24] = char(0xff), bmp[25] = char(0xff); // height -1000: top-down
    QTest::newRow("bmp top-down") << bmp << int(F::Bmp) << qint64(5000) << qint64(1000) << true;
    // VP8X canvas: (width - 1) and (height - 1) in 24 bits each.
    const QByteArray webp("RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\xff\x3f\0\xff\x3f\0", 30);
    QTest::newRow("webp") << webp << int(F::WebP) << qint64(16384) << qint64(16384) << true;
    // Big-endian TIFF: IFD at 8 with ImageWidth (SHORT 300) and ImageLength (LONG 70000).
    const QByteArray tiff("MM\0*\0\0\0\x08\0\x02"
                          "\x01\x00\0\x03\0\0\0\x01\x01\x2c\0\0"
                          "\x01\x01\0\x04\0\0\0\x01\0\x01\x11\x70", 34);
    QTest::newRow("tiff") << tiff << int(F::Tiff) << qint64(300) << qint64(70000) << true;
    QTest::newRow("pnm") << QByteArray("P6\n# a comment\n640 480\n255\n") << int(F::Pnm) << qint64(640) << qint64(480)
                         << true;
    QTest::newRow("text") << QByteArray("hello, world\n") << int(F::Text) << qint64(-1) << qint64(-1) << true;
    QTest::newRow("short") << QByteArray("\x89PNG", 4) << int(F::Unknown) << qint64(-1) << qint64(-1) << true;
    QTest::newRow("png cut inside a chunk") << png.left(30) << int(F::Png) << qint64(50000) << qint64(40000) << false;
    QTest::newRow("png with data after IEND") << png + QByteArray("\0\0\0\0IEND\xae\x42\x60\x82trailing", 20)
                                              << int(F::Png) << qint64(50000) << qint64(40000) << true;
    // Two stray bytes between the APP0 segment and the frame header: skipped, as libjpeg does.
    QByteArray stray = jpeg;
    stray.insert(8, QByteArray("\x00\x00", 2));
    QTest::newRow("jpeg with stray bytes") << stray << int(F::Jpeg) << qint64(0x304) << qint64(0x102) << true;
    QTest::newRow("binary, not UTF-8") << QByteArray("\xf8\x88\x80\x80\x80" "abc", 8) << int(F::Unknown) << qint64(-1)
                                       << qint64(-1) << true;
}

void TestImage::sniffsHeaders()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, format);
    QFETCH(qint64, width);
    QFETCH(qint64, height);
    QFETCH(bool, complete);
    const ImageHeader h = ImageHeader::sniff(reinterpret_cast<const uint8_t *>(bytes.constData()),
                                             static_cast<size_t>(bytes.size()));
    QCOMPARE(int(h.format), format);
    QCOMPARE(qint64(h.width), width);
    QCOMPARE(qint64(h.height), height);
    QCOMPARE(h.complete, complete);
}

// A header claiming 50,000 x 50,000 pixels (7.5 GB decoded) is refused from
// its header: the process's peak memory barely moves.
void TestImage::bombsUseBoundedMemory()
{
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    for (const char *name : {"bomb.png", "bomb.jpg", "bomb.gif", "bomb.bmp"})
        QVERIFY_THROWS_EXCEPTION(Error, ImageDecoder::decodeFile(dataPath(std::string("malformed/images/") + name)));
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    QVERIFY2(after.ru_maxrss - before.ru_maxrss < 32 * 1024, qPrintable(QString::number(after.ru_maxrss - before.ru_maxrss)));
}

// Pixel (255, 0, 51) with mean (.5, .25, 0) and std (.5, .25, 1):
// R (1 - .5)/.5 = 1, G (0 - .25)/.25 = -1, B (.2 - 0)/1 = .2.
void TestImage::normalizes()
{
    ImageSpec spec;
    spec.height = 1;
    spec.width = 1;
    spec.mean = {{.5f, .25f, 0.f}};
    spec.std = {{.5f, .25f, 1.f}};
    const RgbImage img{1, 1, {255, 0, 51}};
    const std::vector<float> out = ImagePreprocessor::normalize(img, spec);
    QCOMPARE(out.size(), size_t(3));
    QVERIFY(std::fabs(out[0] - 1.f) < 1e-6f);
    QVERIFY(std::fabs(out[1] + 1.f) < 1e-6f);
    QVERIFY(std::fabs(out[2] - .2f) < 1e-6f);
}

// In BGR order channel 0 is blue: (.2 - .5)/.5 = -.6; channel 2 is red: (1 - 0)/1 = 1.
void TestImage::normalizesInBgrOrder()
{
    ImageSpec spec;
    spec.height = 1;
    spec.width = 1;
    spec.mean = {{.5f, .25f, 0.f}};
    spec.std = {{.5f, .25f, 1.f}};
    spec.rgbOrder = false;
    const RgbImage img{1, 1, {255, 0, 51}};
    const std::vector<float> out = ImagePreprocessor::normalize(img, spec);
    QVERIFY(std::fabs(out[0] + .6f) < 1e-6f);
    QVERIFY(std::fabs(out[1] + 1.f) < 1e-6f);
    QVERIFY(std::fabs(out[2] - 1.f) < 1e-6f);
}

void TestImage::resizes()
{
    ImageSpec spec;
    spec.height = 3;
    spec.width = 5;
    RgbImage uniform{20, 10, std::vector<uint8_t>(20 * 10 * 3)};
    for (size_t i = 0; i < uniform.pixels.size(); i += 3) {
        uniform.pixels[i] = 10;
        uniform.pixels[i + 1] = 20;
        uniform.pixels[i + 2] = 30;
    }
    const RgbImage small = ImagePreprocessor::resize(uniform, spec);
    QCOMPARE(small.width, 5);
    QCOMPARE(small.height, 3);
    for (size_t i = 0; i < small.pixels.size(); i += 3)
        QCOMPARE(std::vector<uint8_t>(small.pixels.begin() + long(i), small.pixels.begin() + long(i) + 3), std::vector<uint8_t>({10, 20, 30}));
}

// A 200 x 100 photo in three bands: columns 0-49 red, 50-149 green, 150-199
// blue, for a 64 x 64 model. By hand:
// - shortest_edge (crop_pct 1): the short side 100 -> 64, so 128 x 64; the
//   centre crop starts at (128 - 64) / 2 = 32, i.e. source column 50: the
//   model sees the green band only, region x 0.25, width 0.5.
// - crop_pct 0.8: 64 / 0.8 = 80 -> 160 x 80, crop at (48, 8): source
//   columns 60-140 and rows 10-90, still all green; region (0.3, 0.1, 0.4, 0.8).
// - pad: the long side 200 -> 64, so 64 x 32 at row (64 - 32) / 2 = 16;
//   rows 0-15 and 48-63 are the mean colour; region (0, -0.5, 1, 2).
// - stretch: 200 -> 64 in width, all three bands; region whole.
void TestImage::resizeModes_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<double>("cropPct");
    QTest::addColumn<QRectF>("region");
    QTest::newRow("shortest_edge") << "shortest_edge" << 1.0 << QRectF(0.25, 0.0, 0.5, 1.0);
    QTest::newRow("crop_pct 0.8") << "shortest_edge" << 0.8 << QRectF(0.3, 0.1, 0.4, 0.8);
    QTest::newRow("pad") << "pad" << 1.0 << QRectF(0.0, -0.5, 1.0, 2.0);
    QTest::newRow("stretch") << "stretch" << 1.0 << QRectF(0.0, 0.0, 1.0, 1.0);
}

void TestImage::resizeModes()
{
    QFETCH(QString, mode);
    QFETCH(double, cropPct);
    QFETCH(QRectF, region);
    RgbImage bands{200, 100, std::vector<uint8_t>(200 * 100 * 3, 0)};
    for (int y = 0; y < 100; ++y)
        for (int x = 0; x < 200; ++x)
            bands.pixels[(static_cast<size_t>(y) * 200 + x) * 3 + (x < 50 ? 0 : x < 150 ? 1 : 2)] = 250;
    ImageSpec spec;
    spec.width = spec.height = 64;
    spec.resize = mode.toStdString();
    spec.cropPct = cropPct;
    spec.mean = {{0.2f, 0.4f, 0.6f}};
    const InputRegion r = ImagePreprocessor::region(200, 100, spec);
    QVERIFY2(std::fabs(r.x - region.x()) < 1e-9 && std::fabs(r.y - region.y()) < 1e-9
                 && std::fabs(r.width - region.width()) < 1e-9 && std::fabs(r.height - region.height()) < 1e-9,
             qPrintable(QStringLiteral("region %1 %2 %3 %4").arg(r.x).arg(r.y).arg(r.width).arg(r.height)));
    const RgbImage in = ImagePreprocessor::resize(bands, spec);
    QCOMPARE(in.width, 64);
    QCOMPARE(in.height, 64);
    auto at = [&](int x, int y) { return std::vector<int>(in.pixel(x, y), in.pixel(x, y) + 3); };
    const std::vector<int> green{0, 250, 0}, meanColour{51, 102, 153};
    if (mode == "shortest_edge") {
        for (int y = 0; y < 64; y += 9)
            for (int x = 0; x < 64; x += 7)
                QCOMPARE(at(x, y), green);
        QCOMPARE(at(63, 63), green);
    } else if (mode == "pad") {
        QCOMPARE(at(0, 0), meanColour);
        QCOMPARE(at(40, 15), meanColour);
        QCOMPARE(at(40, 48), meanColour);
        QCOMPARE(at(2, 20), (std::vector<int>{250, 0, 0}));
        QCOMPARE(at(32, 40), green);
        QCOMPARE(at(61, 47), (std::vector<int>{0, 0, 250}));
    } else {
        QCOMPARE(at(2, 0), (std::vector<int>{250, 0, 0}));
        QCOMPARE(at(32, 63), green);
        QCOMPARE(at(61, 30), (std::vector<int>{0, 0, 250}));
    }
}

void TestImage::notesCropsAndPads()
{
    ImageSpec spec;
    spec.width = spec.height = 64;
    spec.resize = "shortest_edge";
    // 1920 x 192 cropped to its centre 192 x 192: 10% of the image is seen.
    QString note = QString::fromStdString(ImagePreprocessor::fitNote(1920, 192, spec));
    QVERIFY2(note.contains("sees only the middle 10% of the image"), qPrintable(note));
    QVERIFY(ImagePreprocessor::fitNote(4000, 3000, spec).empty()); // 75% seen: usual for a photo
    spec.resize = "pad";
    // 1920 x 192 fitted whole: 64 x 6 (6.4 rounded) of 64 x 64, bars 1 - 6/64 = 91%.
    note = QString::fromStdString(ImagePreprocessor::fitNote(1920, 192, spec));
    QVERIFY2(note.contains("grey bars fill 91% of the model's input"), qPrintable(note));
    QVERIFY(ImagePreprocessor::fitNote(4000, 3000, spec).empty()); // 25% bars
    QVERIFY2(QString::fromStdString(ImagePreprocessor::fitNote(12, 12, spec)).contains("enlarged 5.3 times"), "a small image is said to be enlarged");
}

void TestImage::notesImagesFarFromTheInput_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<QString>("note"); // a part of it; empty: no note
    // The model takes 64 x 64.
    QTest::newRow("the issue's strip") << 1920 << 192 << "squashed 10 times in width";
    QTest::newRow("tall") << 100 << 300 << "squashed 3.0 times in height";
    QTest::newRow("photo 4:3") << 4000 << 3000 << "";
    QTest::newRow("1.5 exactly") << 96 << 64 << "";
    QTest::newRow("tiny") << 12 << 12 << "enlarged 5.3 times";
    QTest::newRow("small but fine") << 32 << 32 << "";
}

void TestImage::notesImagesFarFromTheInput()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(QString, note);
    ImageSpec spec;
    spec.width = 64;
    spec.height = 64;
    const QString got = QString::fromStdString(ImagePreprocessor::fitNote(width, height, spec));
    if (note.isEmpty())
        QVERIFY2(got.isEmpty(), qPrintable(got));
    else
        QVERIFY2(got.contains(note), qPrintable(got));
}

QTEST_GUILESS_MAIN(TestImage)
#include "tst_image.moc"
