// Image decoding (written here with QImage, read back through OpenCV) and
// preprocessing, with expected pixels worked out by hand.
#include "core/bundle/manifest.h"
#include "core/error.h"
#include "core/image/imagedecoder.h"
#include "core/image/imagepreprocessor.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace attnscope::core;

class TestImage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void keepsRgbOrder();
    void expandsGrey();
    void scales16Bit();
    void compositesAlphaOverWhite();
    void rejectsBadFiles_data();
    void rejectsBadFiles();
    void normalizes();
    void normalizesInBgrOrder();
    void resizes();

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
    QTest::newRow("missing") << "missing.png" << QByteArray() << "cannot open the image file";
    QTest::newRow("empty") << "empty.png" << QByteArray("") << "the image file is empty";
    QTest::newRow("text") << "text.png" << QByteArray("not an image at all\n") << "is not an image in a format AttnScope can read";
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

QTEST_GUILESS_MAIN(TestImage)
#include "tst_image.moc"
