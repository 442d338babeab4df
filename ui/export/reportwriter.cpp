#include "ui/export/reportwriter.h"

#include "ui/export/qtimages.h"

#include "core/error.h"
#include "core/io/atomicfile.h"
#include "core/io/modelcard.h"
#include "core/render/colormap.h"
#include "core/render/heatmap.h"
#include "core/render/overlay.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLinearGradient>
#include <QPainter>
#include <QPdfWriter>
#include <QTextStream>

#include <algorithm>
#include <cmath>


namespace attnscope::ui {

namespace {

constexpr double kMargin = 42.0;
constexpr double kWidth = 595.0 - 2 * kMargin; // A4 in points

QImage overlayOf(const ExplainResult &result)
{
    const core::Explanation &e = result.explanation;
    if (!e.hasPatchScores() || result.image.isNull())
        return result.image;
    const core::RgbImage source = QtImages::toRgb(result.image);
    const QRectF &r = result.inputRegion;
    const auto heat = core::Heatmap::upsample(core::Heatmap::normalize(e.patchScores), e.gridRows, e.gridCols,
                                              source.width, source.height, core::Interpolation::Bilinear,
                                              {r.x(), r.y(), r.width(), r.height()});
    // The spotlight keeps the photo's colours: a reader judging "what colour"
    // sees the colours the model saw.
    return QtImages::toQImage(core::Overlay::spotlight(source, heat, 0.7f));
}

QString label(const core::Prediction &p, int index) { return QString::fromStdString(p.label(index)); }

QString percent(double v) { return QStringLiteral("%1%").arg(100.0 * v, 0, 'f', 1); }
/// A label's score as the model computes it ("40.6%", "logit 24.31").
QString score(const core::Prediction &p, int index) { return QString::fromStdString(p.formatScore(p.probability(index))); }

class Page
{
public:
    explicit Page(QPainter &p)
        : m_p(p)
    {
    }

    void heading(const QString &text)
    {
        m_y += 8;
        QFont f = m_p.font();
        f.setPointSizeF(11);
        f.setBold(true);
        m_p.setFont(f);
        m_p.setPen(QColor(30, 30, 30));
        m_p.drawText(QRectF(kMargin, m_y, kWidth, 16), Qt::AlignLeft | Qt::AlignVCenter, text);
        m_y += 18;
    }

    void paragraph(const QString &text, double size = 9.0, const QColor &colour = QColor(40, 40, 40))
    {
        QFont f = m_p.font();
        f.setPointSizeF(size);
        f.setBold(false);
        m_p.setFont(f);
        m_p.setPen(colour);
        const QRectF box = m_p.boundingRect(QRectF(kMargin, m_y, kWidth, 1000), Qt::TextWordWrap, text);
        m_p.drawText(QRectF(kMargin, m_y, kWidth, box.height()), Qt::TextWordWrap, text);
        m_y += box.height() + 4;
    }

    double &y() { return m_y; }

private:
    QPainter &m_p;
    double m_y = kMargin;
};

/// What the report's sections draw with.
struct Canvas
{
    QPainter &p;
    Page &page;
    QFont small; ///< captions, tables and bars' numbers
};

/// The answer, its confidence, the runners-up and a near-chance warning.
void drawAnswer(Canvas &canvas, const ReportWriter::Content &c)
{
    Page &page = canvas.page;
    const ExplainResult &r = c.result;
    // The answer.
    const core::Prediction &pred = r.prediction;
    const std::vector<int> ranking = pred.ranking();
    QStringList others;
    for (size_t k = 1; k < ranking.size() && k < 3; ++k)
        others << QStringLiteral("%1 %2").arg(label(pred, ranking[k]), score(pred, ranking[k]));
    page.heading(pred.isProbability() ? QObject::tr("Answer: %1 (confidence %2)").arg(label(pred, pred.predicted), score(pred, pred.predicted))
                                      : QObject::tr("Answer: %1 (%2)").arg(label(pred, pred.predicted), score(pred, pred.predicted)));
    page.paragraph(QObject::tr("Next most likely: %1. Explained answer: \"%2\".")
                       .arg(others.join(QStringLiteral(", ")), label(pred, r.explanation.target)));
    if (!r.chanceNote.isEmpty())
        page.paragraph(r.chanceNote, 9.0, QColor(140, 40, 20));
}

/// The input image and its overlay, with the colour bar.
void drawImages(Canvas &canvas, const ReportWriter::Content &c)
{
    QPainter &p = canvas.p;
    Page &page = canvas.page;
    const ExplainResult &r = c.result;
    // Image and overlay.
    const double side = (kWidth - 16) / 2;
    const QImage overlay = overlayOf(r);
    auto drawImage = [&](const QImage &image, double x, const QString &caption) {
        if (image.isNull())
            return;
        const QSizeF size = QSizeF(image.size()).scaled(side, side, Qt::KeepAspectRatio);
        p.drawImage(QRectF(x, page.y(), size.width(), size.height()), image);
        p.setFont(canvas.small);
        p.setPen(QColor(60, 60, 60));
        p.drawText(QRectF(x, page.y() + size.height() + 2, side, 12), Qt::AlignLeft, caption);
    };
    drawImage(r.image, kMargin, QObject::tr("the input image"));
    const bool evidence = std::any_of(r.explanation.patchScores.begin(), r.explanation.patchScores.end(),
                                      [](float v) { return v > 0.0f; });
    drawImage(overlay, kMargin + side + 16,
              !r.explanation.hasPatchScores() ? QObject::tr("%1 gives the image no scores").arg(QString::fromStdString(r.explanation.summary))
              : evidence ? QObject::tr("%1 (dimmed = less relevant; the photo's own colours)").arg(QString::fromStdString(r.explanation.summary))
                         : QObject::tr("%1: no positive evidence for this answer").arg(QString::fromStdString(r.explanation.summary)));
    const QSizeF shown = r.image.isNull() ? QSizeF(0, 0) : QSizeF(r.image.size()).scaled(side, side, Qt::KeepAspectRatio);
    page.y() += shown.height() + 18;
    if (r.explanation.hasPatchScores() && evidence) {
        // The colour bar: from the dimmed grey of the lowest score to the
        // photo as it is at the highest, with both values.
        const auto [lo, hi] = std::minmax_element(r.explanation.patchScores.begin(), r.explanation.patchScores.end());
        const double x = kMargin + side + 16;
        QLinearGradient g(QPointF(x + 40, 0), QPointF(x + 160, 0));
        g.setColorAt(0.0, QColor(70, 70, 70));
        g.setColorAt(1.0, QColor(245, 245, 245));
        p.setFont(canvas.small);
        p.setPen(QColor(60, 60, 60));
        p.drawText(QRectF(x, page.y() - 6, 36, 10), Qt::AlignRight | Qt::AlignVCenter, QString::number(static_cast<double>(*lo), 'g', 3));
        p.fillRect(QRectF(x + 40, page.y() - 4, 120, 7), g);
        p.drawText(QRectF(x + 164, page.y() - 6, 80, 10), Qt::AlignLeft | Qt::AlignVCenter, QString::number(static_cast<double>(*hi), 'g', 3));
        page.y() += 10;
    }
}

/// The most relevant words the model knows, as bars: a word's pieces'
/// scores summed, as the word chips show them.
void drawWords(Canvas &canvas, const ReportWriter::Content &c)
{
    QPainter &p = canvas.p;
    Page &page = canvas.page;
    const ExplainResult &r = c.result;
    const std::vector<float> &scores = r.explanation.tokenScores;
    struct Word
    {
        QString text;
        float score = 0.0f;
    };
    std::vector<Word> words(static_cast<size_t>(r.words.size()));
    std::vector<uint8_t> unread(words.size(), 0), scored(words.size(), 0);
    for (int i = 0; i < r.tokens.size() && i < r.wordOf.size(); ++i) {
        const int w = r.wordOf[i];
        if (w < 0 || w >= static_cast<int>(words.size()))
            continue; // padding
        words[size_t(w)].text = r.words[w];
        // Words the model could not read are never listed as relevant: the
        // score belongs to its unknown token, not to what they say.
        unread[size_t(w)] |= r.unknown.value(i, false) ? 1 : 0;
        if (i < static_cast<int>(scores.size()) && !std::isnan(scores[size_t(i)])) {
            words[size_t(w)].score += scores[size_t(i)];
            scored[size_t(w)] = 1;
        }
    }
    std::vector<Word> shown;
    for (size_t w = 0; w < words.size(); ++w) {
        if (scored[w] && !unread[w] && words[w].score > 0)
            shown.push_back(words[w]);
    }
    std::sort(shown.begin(), shown.end(), [](const Word &a, const Word &b) { return a.score > b.score; });
    if (shown.size() > 5)
        shown.resize(5);
    page.heading(QObject::tr("Most relevant words"));
    if (!r.unknownNote.isEmpty())
        page.paragraph(r.unknownNote);
    if (shown.empty()) {
        page.paragraph(scores.empty() ? QObject::tr("This method gives the words no scores.")
                                      : QObject::tr("No word the model knows has a positive score."));
        return;
    }
    const float top = shown.front().score;
    for (const Word &w : shown) {
        p.setFont(canvas.small);
        p.setPen(Qt::black);
        p.drawText(QRectF(kMargin, page.y(), 90, 12), Qt::AlignLeft | Qt::AlignVCenter, w.text);
        p.fillRect(QRectF(kMargin + 95, page.y() + 2, 200.0 * w.score / top, 8), QColor(220, 100, 30));
        p.drawText(QRectF(kMargin + 300, page.y(), 80, 12), Qt::AlignLeft | Qt::AlignVCenter,
                   QString::number(static_cast<double>(w.score), 'g', 3));
        page.y() += 13;
    }
}

/// The candidate captions as the model ranked them (zero-shot).
void drawZeroShot(Canvas &canvas, const ReportWriter::Content &c)
{
    const ExplainResult &r = c.result;
    if (r.zeroShot.empty())
        return;
    Page &page = canvas.page;
    page.heading(QObject::tr("Zero-shot ranking of %1 candidate captions").arg(r.zeroShot.size()));
    QStringList lines;
    for (size_t i = 0; i < r.zeroShot.size() && i < 8; ++i) {
        const core::ZeroShotCandidate &z = r.zeroShot[i];
        QString line = QObject::tr("%1. \"%2\": %3").arg(i + 1).arg(QString::fromStdString(z.caption))
                           .arg(QString::number(static_cast<double>(z.score), 'g', 4));
        if (z.probability >= 0.0f)
            line += QObject::tr(" (%1 among the candidates)").arg(percent(z.probability));
        lines << line;
    }
    if (r.zeroShot.size() > 8)
        lines << QObject::tr("... and %1 more.").arg(r.zeroShot.size() - 8);
    page.paragraph(lines.join(QLatin1Char('\n')));
}

/// How much each modality weighed.
void drawModality(Canvas &canvas, const ReportWriter::Content &c)
{
    Page &page = canvas.page;
    const ExplainResult &r = c.result;
    // Modality weights.
    page.heading(QObject::tr("How much each modality weighed"));
    const core::ModalityWeights &w = r.modality;
    QStringList lines;
    if (!std::isnan(w.relevanceImage))
        lines << QObject::tr("Share of the relevance: image %1, text %2.").arg(percent(w.relevanceImage), percent(w.relevanceText));
    if (!std::isnan(w.imageOccluded))
        lines << QObject::tr("Blanking the image moves the answer's probability from %1 to %2; masking the words, to %3.")
                     .arg(percent(w.probability), percent(w.imageOccluded), percent(w.textOccluded));
    if (!w.gates.empty()) {
        QStringList gates;
        for (size_t k = 0; k < w.gates.size(); ++k)
            gates << QStringLiteral("%1 %2").arg(k < w.gateModalities.size() ? QString::fromLatin1(core::modalityName(w.gateModalities[k])) : QStringLiteral("?"),
                                                 percent(w.gates[k]));
        lines << QObject::tr("The model's own modality gates: %1.").arg(gates.join(QStringLiteral(", ")));
    }
    page.paragraph(lines.join(QLatin1Char(' ')));
}

/// The method, its trust check and every method's areas.
void drawFaithfulness(Canvas &canvas, const ReportWriter::Content &c)
{
    QPainter &p = canvas.p;
    Page &page = canvas.page;
    const ExplainResult &r = c.result;
    // Faithfulness.
    page.heading(QObject::tr("Method and faithfulness on this input"));
    QStringList faith;
    const std::vector<core::FaithfulnessAreas> areas = core::FaithfulnessAreas::of(r.faithfulness, core::Modality::Image);
    const int bestIndex = core::FaithfulnessAreas::mostFaithful(areas);
    const QString best = bestIndex < 0 ? QString()
                                       : QString::fromLatin1(core::methodName(areas[static_cast<size_t>(bestIndex)].method));
    if (r.trust.verdict != core::TrustCheck::Verdict::NotTested)
        faith << QString::fromStdString(r.trust.sentence());
    if (!best.isEmpty())
        faith << QObject::tr("Of the four methods, %1 was the most faithful on this input (the table: the area under "
                             "the confidence as patches are hidden, most relevant first - lower is better - and least "
                             "relevant first - higher is better).")
                     .arg(best);
    page.paragraph(QObject::tr("The heatmap is %1.").arg(QString::fromStdString(r.explanation.summary)) + QLatin1Char(' ')
                   + (faith.isEmpty() ? QObject::tr("Faithfulness was not measured for this report.") : faith.join(QLatin1Char(' '))));
    if (!areas.empty()) {
        p.setFont(canvas.small);
        p.setPen(QColor(40, 40, 40));
        const double col[] = {kMargin, kMargin + 90, kMargin + 200};
        p.drawText(QRectF(col[0], page.y(), 90, 11), Qt::AlignLeft, QObject::tr("method"));
        p.drawText(QRectF(col[1], page.y(), 110, 11), Qt::AlignLeft, QObject::tr("most relevant first"));
        p.drawText(QRectF(col[2], page.y(), 110, 11), Qt::AlignLeft, QObject::tr("least relevant first"));
        page.y() += 12;
        for (const core::FaithfulnessAreas &a : areas) {
            p.drawText(QRectF(col[0], page.y(), 90, 11), Qt::AlignLeft, QString::fromLatin1(core::methodName(a.method)));
            p.drawText(QRectF(col[1], page.y(), 110, 11), Qt::AlignLeft, QString::number(static_cast<double>(a.positive), 'f', 3));
            p.drawText(QRectF(col[2], page.y(), 110, 11), Qt::AlignLeft, QString::number(static_cast<double>(a.negative), 'f', 3));
            page.y() += 11;
        }
        page.y() += 6;
    }
}

/// The model card's summary and limits, and what attention does not explain.
void drawAbout(Canvas &canvas, const ReportWriter::Content &c)
{
    Page &page = canvas.page;
    if (!c.cardSummary.isEmpty()) {
        page.heading(QObject::tr("About the model"));
        page.paragraph(c.cardSummary);
    }
    // A limit the model card states for questions like this one.
    for (const core::ModelCard::Limit &limit :
         core::ModelCard::forModel(c.modelFile.toStdString()).limitsFor(c.text.toStdString()))
        page.paragraph(QObject::tr("Known limit of this model, from its card: %1")
                           .arg(QString::fromStdString(limit.text).remove(QLatin1Char('*'))),
                       9.0, QColor(140, 40, 20));
    page.heading(QObject::tr("What this does and does not explain"));
    page.paragraph(ReportWriter::caveat(), 8.5, QColor(70, 70, 70));
}

} // namespace

QString ReportWriter::caveat()
{
    return QObject::tr(
        "What this shows: where the model's attention and the gradients through it point for this answer on this "
        "input. It is evidence about what the model used, not a proof of why: attention weights say how information "
        "was mixed, not how much it mattered, and different methods can disagree. The faithfulness figures test the "
        "explanation by removing what it ranks highest; trust a heatmap more when its positive curve falls fast and "
        "its negative curve stays high. A demo model trained on synthetic shapes tells nothing about real images.");
}

QString ReportWriter::cardSummary(const QString &modelPath)
{
    QString text = QString::fromStdString(core::ModelCard::forModel(modelPath.toStdString()).summary);
    text.remove(QLatin1Char('*')).remove(QLatin1Char('`'));
    return text.left(700);
}

ReportWriter::Content ReportWriter::Content::of(const ExplainResult &result)
{
    Content content;
    content.result = result;
    content.modelFile = result.modelPath;
    content.cardSummary = ReportWriter::cardSummary(result.modelPath);
    content.text = result.text;
    return content;
}

void ReportWriter::write(const Content &c, const QString &path)
{
    const ExplainResult &r = c.result;
    core::AtomicFile file(path.toStdString());
    {
        QPdfWriter writer(&file.device());
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setResolution(72); // painter units are points
        writer.setCreator(QStringLiteral("AttnScope"));
        writer.setTitle(QStringLiteral("AttnScope report: %1").arg(r.modelName));
        QPainter p(&writer);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        Page page(p);

        QFont title = p.font();
        title.setPointSizeF(16);
        title.setBold(true);
        p.setFont(title);
        p.drawText(QRectF(kMargin, page.y(), kWidth, 22), Qt::AlignLeft | Qt::AlignVCenter, QObject::tr("AttnScope report"));
        QFont small = p.font();
        small.setPointSizeF(8);
        small.setBold(false);
        p.setFont(small);
        p.drawText(QRectF(kMargin, page.y(), kWidth, 22), Qt::AlignRight | Qt::AlignVCenter,
                   QDateTime::currentDateTime().toString(Qt::ISODate));
        page.y() += 26;
        page.paragraph(QObject::tr("Model: %1 (%2), run on %3").arg(r.modelName, QFileInfo(c.modelFile).fileName(), r.deviceName));
        // The inputs the model took, and only those.
        QStringList inputs;
        if (r.readsText)
            inputs << (r.matchesCaptions ? QObject::tr("Caption: \"%1\"") : r.readsImage ? QObject::tr("Question: \"%1\"")
                                                                                        : QObject::tr("Text: \"%1\""))
                          .arg(c.text);
        if (r.readsText && !r.pair.isEmpty())
            inputs << QObject::tr("Second text: \"%1\"").arg(r.pair);
        if (r.readsImage)
            inputs << QObject::tr("Image: %1").arg(QFileInfo(r.imagePath).fileName());
        page.paragraph(inputs.join(QStringLiteral("   ")));
        Canvas canvas{p, page, small};
        drawAnswer(canvas, c);
        drawZeroShot(canvas, c);
        if (r.readsImage)
            drawImages(canvas, c);
        if (r.readsText)
            drawWords(canvas, c);
        if (r.readsImage && r.readsText)
            drawModality(canvas, c);
        if (!r.sinkNote.isEmpty())
            page.paragraph(r.sinkNote + (r.sinksLeftOut ? QObject::tr(" They are left out of rollout and of the colour "
                                                                     "scales here.")
                                                        : QString()),
                           9.0, QColor(70, 70, 70));
        drawFaithfulness(canvas, c);
        drawAbout(canvas, c);
    }
    file.commit();
}

} // namespace attnscope::ui
