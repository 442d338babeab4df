#include "ui/views/headgridview.h"

#include "ui/state/selection.h"

#include <QHeaderView>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace attnscope::ui {

/// The thumbnails, painted: one row per map, one column per head.
class HeadThumbnails : public QWidget
{
public:
    static constexpr int kCell = 56;
    static constexpr int kGap = 6;
    static constexpr int kLabel = 150;
    static constexpr int kHeader = 18; ///< the "head N" row above the columns

    explicit HeadThumbnails(HeadGridView *owner)
        : QWidget(owner)
        , m_owner(owner)
    {
        setMouseTracking(true);
    }

    void set(const std::vector<core::HeadStatistic> &stats, const QStringList &titles, bool leaveOutSinks)
    {
        m_titles = titles;
        m_leaveOutSinks = leaveOutSinks;
        m_images.clear();
        m_heads = 0;
        for (const auto &s : stats)
            m_heads = std::max(m_heads, s.head + 1);
        m_stats = stats;
        render();
        setMinimumSize(kLabel + m_heads * (kCell + kGap) + kGap,
                       kHeader + kGap + static_cast<int>(titles.size()) * (kCell + kGap));
        update();
    }

    void setColormap(core::ColormapKind kind)
    {
        m_colormap = kind;
        render();
        update();
    }

    void setSelected(int map, int head)
    {
        m_map = map;
        m_head = head;
        update();
    }

    QRect cellRect(int map, int head) const
    {
        return {kLabel + kGap + head * (kCell + kGap), kHeader + kGap + map * (kCell + kGap), kCell, kCell};
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.fillRect(rect(), palette().base());
        p.setPen(palette().text().color());
        for (int head = 0; head < m_heads; ++head) // columns named as the head selector and the table name them
            p.drawText(QRect(cellRect(0, head).left(), 2, kCell, kHeader), Qt::AlignCenter, tr("head %1").arg(head));
        for (int map = 0; map < m_titles.size(); ++map) {
            p.setPen(palette().text().color());
            p.drawText(QRect(4, cellRect(map, 0).top(), kLabel - 4, kCell), Qt::AlignVCenter | Qt::TextWordWrap, m_titles[map]);
        }
        for (size_t i = 0; i < m_stats.size(); ++i) {
            const QRect r = cellRect(m_stats[i].map, m_stats[i].head);
            p.drawImage(r, m_images[i]);
            const bool selected = m_stats[i].map == m_map && (m_head < 0 || m_stats[i].head == m_head);
            p.setPen(selected ? QPen(QColor(230, 40, 40), 2.5) : QPen(QColor(0, 0, 0, 60), 1));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(r).adjusted(-1, -1, 1, 1));
            if (parksOnSinks(m_stats[i])) {
                // A head that parks most of its attention on sinks: its
                // thumbnail is mostly that, not what the head reads.
                const QRectF badge(r.right() - 17, r.top() + 2, 15, 15);
                p.setPen(Qt::NoPen);
                p.setBrush(QColor(20, 20, 20, 190));
                p.drawEllipse(badge);
                p.setPen(Qt::white);
                p.drawText(badge, Qt::AlignCenter, QStringLiteral("\u2693"));
            }
        }
    }

    void mouseReleaseEvent(QMouseEvent *event) override
    {
        for (const auto &s : m_stats) {
            if (cellRect(s.map, s.head).contains(event->position().toPoint())) {
                emit m_owner->headSelected(s.map, s.head);
                return;
            }
        }
    }

    void mouseMoveEvent(QMouseEvent *event) override
    {
        for (const auto &s : m_stats) {
            if (cellRect(s.map, s.head).contains(event->position().toPoint())) {
                QString tip = QStringLiteral("%1, head %2\nentropy %3 · cross-modal %4 · distance %5 · gradient weight %6")
                                  .arg(m_titles.value(s.map)).arg(s.head)
                                  .arg(static_cast<double>(s.entropy), 0, 'f', 2)
                                  .arg(static_cast<double>(s.crossModalShare), 0, 'f', 2)
                                  .arg(static_cast<double>(s.meanDistance), 0, 'f', 2)
                                  .arg(static_cast<double>(s.gradientWeight), 0, 'f', 2);
                if (!std::isnan(s.sinkShare))
                    tip += tr("\n%1% of its attention on sinks and registers \u2693").arg(std::lround(100.0 * s.sinkShare));
                QToolTip::showText(event->globalPosition().toPoint(), tip, this);
                return;
            }
        }
    }

private:
    void render()
    {
        m_images.clear();
        const core::Colormap &map = core::Colormap::get(m_colormap);
        for (const auto &s : m_stats) {
            const core::Matrix &t = s.thumbnail;
            QImage image(std::max(1, t.cols()), std::max(1, t.rows()), QImage::Format_RGB32);
            image.fill(Qt::black);
            // "without sinks": the sinks' columns out of the scale (drawn at its top).
            std::vector<uint8_t> out(static_cast<size_t>(t.cols()), 0);
            if (m_leaveOutSinks && static_cast<int>(s.thumbnailSinkColumns.size()) < t.cols()) {
                for (int c : s.thumbnailSinkColumns)
                    if (c >= 0 && c < t.cols())
                        out[static_cast<size_t>(c)] = 1;
            }
            float top = 0.0f;
            for (int r = 0; r < t.rows(); ++r)
                for (int c = 0; c < t.cols(); ++c)
                    if (!out[static_cast<size_t>(c)])
                        top = std::max(top, t.at(r, c));
            for (int r = 0; r < t.rows(); ++r) {
                for (int c = 0; c < t.cols(); ++c) {
                    const auto rgb = map.map(top > 0.0f ? std::min(1.0f, t.at(r, c) / top) : 0.0f);
                    image.setPixel(c, r, qRgb(rgb[0], rgb[1], rgb[2]));
                }
            }
            m_images.push_back(image);
        }
    }

public:
    /// The share above which a head is marked as parking on sinks.
    static constexpr float kSinkBadgeShare = 0.5f;
    static bool parksOnSinks(const core::HeadStatistic &s) { return !std::isnan(s.sinkShare) && s.sinkShare >= kSinkBadgeShare; }

private:
    HeadGridView *m_owner;
    bool m_leaveOutSinks = false;
    std::vector<core::HeadStatistic> m_stats;
    std::vector<QImage> m_images;
    QStringList m_titles;
    core::ColormapKind m_colormap = core::ColormapKind::Viridis;
    int m_heads = 0;
    int m_map = -1;
    int m_head = -1;
};

namespace {

/// A table cell that sorts by its number (NaN last), shown with 3 decimals.
class NumberItem : public QTableWidgetItem
{
public:
    explicit NumberItem(double value)
        : QTableWidgetItem(std::isnan(value) ? QStringLiteral("-") : QString::number(value, 'f', 3))
        , m_value(value)
    {
        setData(Qt::UserRole, value);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem &other) const override
    {
        const double o = other.data(Qt::UserRole).toDouble();
        if (std::isnan(m_value))
            return false;
        if (std::isnan(o))
            return true;
        return m_value < o;
    }

private:
    double m_value;
};

enum Column { kMap, kHead, kEntropy, kCross, kDistance, kGradient, kSinks, kColumns };

} // namespace

HeadGridView::HeadGridView(QWidget *parent)
    : QWidget(parent)
    , m_thumbnails(new HeadThumbnails(this))
    , m_table(new QTableWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Vertical, this);
    auto *scroll = new QScrollArea(split);
    scroll->setWidget(m_thumbnails);
    scroll->setWidgetResizable(true);
    m_thumbnails->setObjectName(QStringLiteral("headThumbnails"));
    m_table->setObjectName(QStringLiteral("headTable"));
    m_table->setColumnCount(kColumns);
    m_table->setHorizontalHeaderLabels({tr("map"), tr("head"), tr("entropy"), tr("cross-modal"), tr("distance"),
                                        tr("gradient weight"), tr("on sinks \u2693")});
    m_table->horizontalHeaderItem(kEntropy)->setToolTip(tr("Mean row entropy (nats): low = focused, high = spread"));
    m_table->horizontalHeaderItem(kCross)->setToolTip(tr("Share of image and word queries' attention on the other modality"));
    m_table->horizontalHeaderItem(kDistance)->setToolTip(tr("Mean distance (patches) between a patch and the patches it attends to"));
    m_table->horizontalHeaderItem(kGradient)->setToolTip(
        tr("The head's share of its map's (gradient x attention)+: how much relevance leans on it for this answer"));
    m_table->horizontalHeaderItem(kSinks)->setToolTip(
        tr("Share of the head's attention on attention sinks and register tokens (\u2693): attention parked there "
           "says little about what the head reads"));
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    split->addWidget(scroll);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    scroll->setMinimumHeight(HeadThumbnails::kHeader + 2 * (HeadThumbnails::kCell + HeadThumbnails::kGap) + HeadThumbnails::kGap);
    layout->addWidget(split);
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        const QTableWidgetItem *map = m_table->item(row, kMap);
        const QTableWidgetItem *head = m_table->item(row, kHead);
        if (map && head)
            emit headSelected(map->data(Qt::UserRole + 1).toInt(), head->data(Qt::UserRole + 1).toInt());
    });
}

QWidget *HeadGridView::thumbnails() const
{
    return m_thumbnails;
}

QPoint HeadGridView::thumbnailCenter(int map, int head) const
{
    return m_thumbnails->cellRect(map, head).center();
}

bool HeadGridView::marksSinks(int map, int head) const
{
    for (const core::HeadStatistic &s : m_stats) {
        if (s.map == map && s.head == head)
            return HeadThumbnails::parksOnSinks(s);
    }
    return false;
}

void HeadGridView::setStatistics(const std::vector<core::HeadStatistic> &stats, const QStringList &mapTitles,
                                 bool leaveOutSinks)
{
    m_stats = stats;
    m_thumbnails->set(stats, mapTitles, leaveOutSinks);
    m_table->setSortingEnabled(false);
    m_table->setRowCount(static_cast<int>(stats.size()));
    for (int row = 0; row < static_cast<int>(stats.size()); ++row) {
        const core::HeadStatistic &s = stats[static_cast<size_t>(row)];
        auto *map = new NumberItem(s.map);
        map->setText(mapTitles.value(s.map));
        map->setData(Qt::UserRole + 1, s.map);
        auto *head = new NumberItem(s.head);
        head->setText(QString::number(s.head));
        head->setData(Qt::UserRole + 1, s.head);
        m_table->setItem(row, kMap, map);
        m_table->setItem(row, kHead, head);
        m_table->setItem(row, kEntropy, new NumberItem(s.entropy));
        m_table->setItem(row, kCross, new NumberItem(s.crossModalShare));
        m_table->setItem(row, kDistance, new NumberItem(s.meanDistance));
        m_table->setItem(row, kGradient, new NumberItem(s.gradientWeight));
        m_table->setItem(row, kSinks, new NumberItem(s.sinkShare));
    }
    m_table->setSortingEnabled(true);
}

void HeadGridView::setColormap(core::ColormapKind kind)
{
    m_thumbnails->setColormap(kind);
}

void HeadGridView::setSelected(int map, int head)
{
    m_thumbnails->setSelected(map, head);
}

void HeadGridView::follow(Selection *selection)
{
    connect(this, &HeadGridView::headSelected, selection, &Selection::setMapAndHead);
    connect(selection, &Selection::resultChanged, this, [this, selection] {
        const ExplainResult &r = selection->result();
        QStringList titles;
        for (const AttentionMapInfo &info : r.maps)
            titles << info.title();
        setStatistics(r.heads, titles, r.sinksLeftOut);
        setSelected(r.attentionIndex, r.head);
    });
}

} // namespace attnscope::ui
