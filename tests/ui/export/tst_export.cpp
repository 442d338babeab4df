// Exports checked as a reader would open them: the PNG's size and DPI, the
// SVG parsed as XML with its heatmap layer decoded (its colours are the
// matplotlib viridis ends, #440154 and #fde725, at the lowest and highest
// patch), the PDFs rasterised and read back with poppler (pdftoppm,
// pdftotext).
#include "../../testsupport.h"

#include "core/error.h"
#include "ui/worker/explaincontroller.h"
#include "ui/views/imageview.h"
#include "ui/window/mainwindow.h"
#include "ui/export/viewexporter.h"

#include <QApplication>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <algorithm>

using namespace attnscope;

namespace {

QString data(const std::string &relative) { return QString::fromStdString(test::dataPath(relative)); }

QString run(const QString &program, const QStringList &arguments)
{
    QProcess p;
    p.start(program, arguments);
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return QStringLiteral("FAILED: ") + QString::fromUtf8(p.readAllStandardError());
    return QString::fromUtf8(p.readAllStandardOutput());
}

int pdfPages(const QByteArray &pdf)
{
    int pages = 0;
    for (qsizetype at = pdf.indexOf("/Type /Page"); at >= 0; at = pdf.indexOf("/Type /Page", at + 1)) {
        if (pdf.mid(at + 11, 1) != "s")
            ++pages;
    }
    return pages;
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void pngAtChosenDpi();
    void svgLayers();
    void viewPdf();
    void reportPdf();

private:
    std::unique_ptr<ui::MainWindow> m_window;
    ui::ImageView *m_image = nullptr;
    QTemporaryDir m_dir;
};

void TestExport::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // never the user's own settings and cache
    QCoreApplication::setOrganizationName("AttnScopeTest");
    QCoreApplication::setApplicationName("tst_export");
    QSettings().clear();
    QVERIFY(!QStandardPaths::findExecutable("pdftoppm").isEmpty()); // poppler-utils, in app/debian-packages.txt
    m_window = std::make_unique<ui::MainWindow>();
    m_window->resize(1200, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QSignalSpy shown(m_window.get(), &ui::MainWindow::resultShown);
    m_window->open(data("../../models/zoo/shapes_single_stream.pt"), data("../../resources/samples/shapes.png"),
                   "is there a yellow square ?");
    QVERIFY(shown.wait(30000));
    m_image = m_window->findChild<ui::ImageView *>("imageView");
    QTest::qWait(50);
}

void TestExport::pngAtChosenDpi()
{
    const QString path = m_dir.filePath("view.png");
    ui::ViewExporter::png(m_image, path, 300);
    const QImage png(path);
    QVERIFY(!png.isNull());
    QCOMPARE(png.width(), qRound(m_image->width() * 300 / 96.0));
    QCOMPARE(png.height(), qRound(m_image->height() * 300 / 96.0));
    QCOMPARE(png.dotsPerMeterX(), 11811); // 300 / 0.0254
    // At 96 DPI it is the view as on screen.
    ui::ViewExporter::png(m_image, m_dir.filePath("screen.png"), 96);
    QCOMPARE(QImage(m_dir.filePath("screen.png")).size(), m_image->size());
    QVERIFY_THROWS_EXCEPTION(core::Error, ui::ViewExporter::png(m_image, m_dir.filePath("x.png"), 5000));
}

void TestExport::svgLayers()
{
    const QString path = m_dir.filePath("view.svg");
    ui::ViewExporter::svg(m_image, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QImage heat;
    bool sawImage = false;
    QString root;
    double opacity = -1;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (root.isEmpty())
            root = xml.name().toString();
        if (xml.name() == QLatin1String("image")) {
            const auto attributes = xml.attributes();
            const QString href = attributes.value("xlink:href").toString();
            QVERIFY(href.startsWith("data:image/png;base64,"));
            const QImage decoded = QImage::fromData(QByteArray::fromBase64(href.mid(22).toLatin1()), "PNG");
            QVERIFY(!decoded.isNull());
            if (attributes.value("id") == QLatin1String("heatmap")) {
                heat = decoded;
                opacity = attributes.value("opacity").toDouble();
            } else {
                sawImage = true;
            }
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(root, QStringLiteral("svg"));
    QVERIFY(sawImage);
    QCOMPARE(heat.size(), QSize(8, 8));
    QCOMPARE(opacity, m_image->opacity());
    const auto &scores = m_image->scores();
    const int best = static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    const int worst = static_cast<int>(std::min_element(scores.begin(), scores.end()) - scores.begin());
    QCOMPARE(QColor(heat.pixel(best % 8, best / 8)), QColor("#fde725"));
    QCOMPARE(QColor(heat.pixel(worst % 8, worst / 8)), QColor("#440154"));
}

void TestExport::viewPdf()
{
    const QString path = m_dir.filePath("window.pdf");
    ui::ViewExporter::pdf(m_window.get(), path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray pdf = file.readAll();
    QVERIFY(pdf.startsWith("%PDF-"));
    QCOMPARE(pdfPages(pdf), 1);
    const QString text = run("pdftotext", {path, "-"});
    QVERIFY2(text.contains("Answer: yes"), qPrintable(text.left(300)));
}

void TestExport::reportPdf()
{
    const QString path = m_dir.filePath("report.pdf");
    QSignalSpy written(m_window.get(), &ui::MainWindow::reportWritten);
    m_window->exportReport(path); // faithfulness is measured first, in the worker
    QVERIFY(written.wait(60000));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray pdf = file.readAll();
    QVERIFY(pdf.startsWith("%PDF-"));
    QCOMPARE(pdfPages(pdf), 1);
    QVERIFY(pdf.trimmed().endsWith("%%EOF"));

    // Read back: the answer, its confidence, the method, faithfulness, the
    // model card and the caveat are all on the page.
    QString text = run("pdftotext", {"-layout", path, "-"}).simplified();
    text.replace(QChar(0xFB01), QStringLiteral("fi")).replace(QChar(0xFB02), QStringLiteral("fl")); // typeset ligatures
    const auto &p = m_window->lastResult().prediction;
    const QString confidence = QStringLiteral("%1%").arg(100.0 * p.probabilities[static_cast<size_t>(p.predicted)], 0, 'f', 1);
    for (const QString &expected : {QStringLiteral("AttnScope report"), QStringLiteral("Answer: yes (confidence %1)").arg(confidence),
                                    QStringLiteral("Most relevant words"), QStringLiteral("Share of the relevance: image"),
                                    QStringLiteral("most faithful on this input"), QStringLiteral("About the model"),
                                    QStringLiteral("What this does and does not explain"), QStringLiteral("Shapes World")}) {
        QVERIFY2(text.contains(expected), qPrintable(expected + " not in: " + text.left(600)));
    }
    // Rasterised, the page is an A4 page with the image and its heatmap on it.
    const QString stem = m_dir.filePath("report");
    QVERIFY(!run("pdftoppm", {"-r", "50", "-png", "-singlefile", path, stem}).startsWith("FAILED"));
    const QImage page(stem + ".png");
    QCOMPARE(page.size(), QSize(414, 585)); // A4 (595.28 x 841.89 pt) at 50 DPI, rounded up by pdftoppm
    int yellowish = 0;
    for (int y = 0; y < page.height(); ++y) {
        for (int x = 0; x < page.width(); ++x) {
            const QColor c = page.pixelColor(x, y);
            if (c.red() > 200 && c.green() > 180 && c.blue() < 120)
                ++yellowish; // the hot end of viridis over the yellow square
        }
    }
    QVERIFY2(yellowish > 20, qPrintable(QString::number(yellowish)));
    if (qEnvironmentVariableIsSet("ATTNSCOPE_KEEP_REPORT"))
        QFile::copy(path, qEnvironmentVariable("ATTNSCOPE_KEEP_REPORT"));
}

QTEST_MAIN(TestExport)
#include "tst_export.moc"
