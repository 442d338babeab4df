#include "ui/views/teachingview.h"

#include "ui/export/reportwriter.h"

#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope::ui {

namespace {

QString number(double v, int digits = 3)
{
    return std::isnan(v) ? QStringLiteral("-") : QString::number(v, 'f', digits);
}

/// Which fusion strategy the model's maps and gates show.
QString fusionOf(const ExplainResult &r)
{
    const bool cross = std::any_of(r.maps.begin(), r.maps.end(), [](const AttentionMapInfo &m) { return m.cross; });
    if (!r.modality.gates.empty())
        return QObject::tr("Late fusion: image and text are encoded separately and only their summaries meet, weighed "
                           "by the model's own gates - no attention map links a word to a patch.");
    if (cross)
        return QObject::tr("Intermediate fusion (co-attention, LXMERT-like): each modality has its own encoder, then "
                           "cross-attention layers let words attend to patches and patches to words.");
    if (r.streamNames.size() == 1)
        return QObject::tr("Early fusion (single stream, ViLT-like): [CLS], the image patches and the words are one "
                           "sequence, so every layer's attention mixes both modalities freely.");
    return QObject::tr("Separate streams without cross-attention.");
}

/// The three steps (score, softmax, output) with the numbers of key `top`.
QString formulaOf(const core::AttentionStep &s, size_t top)
{
    QString f;
    if (s.fromModel) {
        // The query's and the key's own numbers, the first three products
        // written out, then the division by sqrt(d).
        const int d = s.headWidth;
        const int shown = std::min(3, d);
        QStringList q, k, terms, products;
        for (int i = 0; i < shown; ++i) {
            const float qi = s.queryVector[static_cast<size_t>(i)];
            const float ki = s.keyVectors.size() >= (top + 1) * static_cast<size_t>(d)
                ? s.keyVectors[top * static_cast<size_t>(d) + static_cast<size_t>(i)] : 0.0f;
            q << number(qi);
            k << number(ki);
            terms << QStringLiteral("q<sub>%1</sub>k<sub>%1</sub>").arg(i + 1);
            products << QStringLiteral("%1×%2").arg(number(qi), ki < 0 ? QStringLiteral("(%1)").arg(number(ki)) : number(ki));
        }
        const double dot = static_cast<double>(s.scores[top]) / static_cast<double>(s.scale);
        f += QObject::tr("<b>1. Score</b> of key \"%1\": q = [%2, …], k = [%3, …] (d = %4 numbers each). "
                "q·k = %5 + … = %6 + … = %7; divided by √%4 = %8: <b>%9</b><br>")
                 .arg(QString::fromStdString(s.keys[top]).toHtmlEscaped(), q.join(QStringLiteral(", ")), k.join(QStringLiteral(", ")))
                 .arg(d)
                 .arg(terms.join(QStringLiteral(" + ")), products.join(QStringLiteral(" + ")))
                 .arg(dot, 0, 'f', 3)
                 .arg(std::sqrt(static_cast<double>(d)), 0, 'f', 3)
                 .arg(number(s.scores[top]));
    } else {
        f += QObject::tr("<b>1. Score</b>: this model does not export its queries and keys (the manifest's attention_inputs), so "
                "the scores are shown as ln a - the true scores up to a constant shared by the row, which the softmax "
                "ignores. Key \"%1\": <b>%2</b><br>")
                 .arg(QString::fromStdString(s.keys[top]).toHtmlEscaped(), number(s.scores[top]));
    }
    int live = 0;
    for (bool m : s.masked)
        live += m ? 0 : 1;
    f += QObject::tr("<b>2. Softmax</b> over the %1 keys the mask lets through (masked keys count as −∞, so e<sup>−∞</sup> = 0): "
            "e<sup>%2 − %3</sup> = %4; Σ of e<sup>score − max</sup> over the keys = %5; %4 / %5 = <b>%6</b> "
            "(the model computed %7; largest difference over the row %8)<br>")
             .arg(live)
             .arg(number(s.scores[top]), number(s.maxScore))
             .arg(number(s.exps.size() > top ? s.exps[top] : 0.0f, 4))
             .arg(s.expSum, 0, 'f', 4)
             .arg(number(s.weights[top], 4), number(s.returned[top], 4))
             .arg(static_cast<double>(s.maxDifference), 0, 'g', 2);
    if (!s.output.empty()) {
        QStringList values;
        for (size_t i = 0; i < std::min<size_t>(4, s.output.size()); ++i)
            values << number(s.output[i]);
        f += QObject::tr("<b>3. Output</b> = Σ<sub>k</sub> weight<sub>k</sub> · v<sub>k</sub> = [%1, …] (%2 numbers): what this "
                "head adds to the query token, before the output projection and the residual.")
                 .arg(values.join(QStringLiteral(", ")))
                 .arg(s.output.size());
    } else {
        f += QObject::tr("<b>3. Output</b> = Σ<sub>k</sub> weight<sub>k</sub> · v<sub>k</sub>: the values are not exported by this "
                "model.");
    }
    return f;
}

/// What the step means, in plain words, with this layer's modality matrix.
QString notesOf(const ExplainResult &r, const AttentionMapInfo &info)
{
    const core::AttentionStep &s = r.teaching;
    QString n;
    n += QObject::tr("<p><b>Multi-head attention.</b> This map has %1 heads. Each projects the tokens into its own queries, keys "
            "and values (here of width %2), attends on its own, and the heads' outputs are joined. Heads often "
            "specialise; the head grid shows them side by side.</p>")
             .arg(info.heads)
             .arg(s.fromModel ? QString::number(s.headWidth) : QObject::tr("not exported"));
    n += QObject::tr("<p><b>Masking.</b> Padded positions get a score of -∞ before the softmax, so their weight is exactly 0: the "
            "model cannot look at them.</p>");
    n += QStringLiteral("<p><b>%1</b> %2</p>").arg(QObject::tr("Fusion."), fusionOf(r).toHtmlEscaped());
    for (const core::ModalityMass &mass : r.modality.layers) {
        if (mass.layer != info.layer)
            continue;
        n += QObject::tr("<p><b>The 2×2 modality matrix of this layer</b> (heads averaged): image queries put %1 of their "
                "attention on image keys and %2 on words; words put %3 on the image and %4 on words. Read it as "
                "Y<sub>image</sub> = A<sub>11</sub>·X<sub>image</sub> + A<sub>12</sub>·X<sub>text</sub> and "
                "Y<sub>text</sub> = A<sub>21</sub>·X<sub>image</sub> + A<sub>22</sub>·X<sub>text</sub>: how much "
                "of each modality flows into the other in this layer.</p>")
                 .arg(number(mass.imageToImage, 2), number(mass.imageToText, 2), number(mass.textToImage, 2),
                      number(mass.textToText, 2));
    }
    // Attention sinks: where every token looks without reading anything.
    n += QStringLiteral("<p><b>%1</b> %2</p>")
             .arg(QObject::tr("Attention sinks."),
                  (r.sinkNote.isEmpty() ? QObject::tr("No token draws a large share of attention in many heads on this "
                                                      "input. Many models park attention they do not need on the first "
                                                      "token, [SEP] or register tokens; AttnScope marks such sinks \u2693.")
                                        : r.sinkNote + QObject::tr(" \"Without sinks\" leaves them out of rollout and of the colour scales.")).toHtmlEscaped());
    n += QStringLiteral("<p><b>%1</b> %2</p>").arg(QObject::tr("What attention does and does not explain."), ReportWriter::caveat().toHtmlEscaped());
    return n;
}

} // namespace

TeachingView::TeachingView(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_formula(new QLabel(this))
    , m_table(new QTableWidget(this))
    , m_notes(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_formula->setObjectName(QStringLiteral("teachingFormula"));
    m_formula->setTextFormat(Qt::RichText);
    m_formula->setWordWrap(true);
    m_formula->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setObjectName(QStringLiteral("teachingTable"));
    m_table->setColumnCount(6);
    m_table->setHorizontalHeaderLabels({tr("key"), tr("q·k"), tr("score = q·k/√d"), tr("e^(score - max)"),
                                        tr("softmax = e / Σ"), tr("model's weight")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_notes->setObjectName(QStringLiteral("teachingNotes"));
    m_notes->setWordWrap(true);
    m_notes->setTextFormat(Qt::RichText);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_notes);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    layout->addWidget(m_title);
    layout->addWidget(m_formula);
    layout->addWidget(m_table, 2);
    layout->addWidget(scroll, 1);
    m_title->setText(tr("Select a word, a patch or a matrix row: this tab steps through its attention."));
}

QString TeachingView::formula() const
{
    return m_formula->text();
}

QString TeachingView::notes() const
{
    return m_notes->text();
}

void TeachingView::setStep(const ExplainResult &r, const QString &queryLabel)
{
    const core::AttentionStep &s = r.teaching;
    m_table->setRowCount(0);
    if (s.keys.empty()) {
        m_title->setText(r.teachingError.isEmpty() ? tr("Computing the attention step...") : r.teachingError);
        m_formula->clear();
        m_notes->clear();
        return;
    }
    const AttentionMapInfo info = s.map < r.maps.size() ? r.maps[s.map] : AttentionMapInfo();
    m_title->setText(tr("%1, head %2 (of heads 0-%3), query \"%4\"%5")
                         .arg(info.title())
                         .arg(s.head)
                         .arg(info.heads - 1)
                         .arg(queryLabel,
                              r.head < 0 ? tr(" - the matrix view averages the heads; pick a head to step through another")
                                         : QString()));

    const std::vector<size_t> order = fillTable(s);
    // The formula with the numbers of the key this query attends to most.
    m_formula->setText(formulaOf(s, order.front()));
    m_notes->setText(notesOf(r, info));
}

std::vector<size_t> TeachingView::fillTable(const core::AttentionStep &s)
{
    // Keys by weight, masked ones last.
    std::vector<size_t> order(s.keys.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (s.masked[a] != s.masked[b])
            return !s.masked[a];
        return s.weights[a] > s.weights[b];
    });
    m_table->setRowCount(static_cast<int>(order.size()));
    for (int row = 0; row < static_cast<int>(order.size()); ++row) {
        const size_t k = order[static_cast<size_t>(row)];
        m_table->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(s.keys[k])));
        // q.k before the division by sqrt(d); ln a when only weights are known.
        auto *dot = new QTableWidgetItem(s.masked[k] ? tr("-") : s.fromModel ? number(s.scores[k] / s.scale) : tr("n/a"));
        auto *score = new QTableWidgetItem(s.masked[k] ? tr("masked: -inf") : number(s.scores[k]));
        auto *exp = new QTableWidgetItem(s.masked[k] ? tr("0") : number(s.exps.size() > k ? s.exps[k] : 0.0f, 4));
        auto *weight = new QTableWidgetItem(number(s.weights[k], 4));
        auto *returned = new QTableWidgetItem(number(s.returned[k], 4));
        for (QTableWidgetItem *item : {dot, score, exp, weight, returned})
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        weight->setData(Qt::UserRole, static_cast<double>(s.weights[k]));
        returned->setData(Qt::UserRole, static_cast<double>(s.returned[k]));
        m_table->setItem(row, 1, dot);
        m_table->setItem(row, 2, score);
        m_table->setItem(row, 3, exp);
        m_table->setItem(row, 4, weight);
        m_table->setItem(row, 5, returned);
    }
    return order;
}

} // namespace attnscope::ui
