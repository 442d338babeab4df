#pragma once

#include "core/explain/headstatistics.h"
#include "core/render/colormap.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class QTableWidget;

namespace attnscope::ui {

class Selection;

class HeadThumbnails;

/// Every attention map x head as a thumbnail of its matrix (BertViz's model
/// view), beside a sortable table of per-head statistics: entropy,
/// cross-modal share, mean attention distance over the patch grid and the
/// gradient weight relevance gives the head, and its share on attention
/// sinks. Clicking a thumbnail or a table row selects that map and head
/// everywhere.
class HeadGridView : public QWidget
{
    Q_OBJECT
public:
    explicit HeadGridView(QWidget *parent = nullptr);
    /// Shows each result's heads with the shown map and head outlined;
    /// a click chooses that map and head.
    void follow(Selection *selection);

    /// `mapTitles`: one per attention map (rows of the grid). A head that
    /// gives at least half its attention to sinks and registers gets an
    /// anchor badge; `leaveOutSinks` keeps their columns out of each
    /// thumbnail's colour scale.
    void setStatistics(const std::vector<core::HeadStatistic> &stats, const QStringList &mapTitles,
                       bool leaveOutSinks = false);
    /// Whether a head's thumbnail carries the sink badge.
    bool marksSinks(int map, int head) const;
    void setColormap(core::ColormapKind kind);
    /// Outlines the selected map and head (-1: the heads' mean) without signals.
    void setSelected(int map, int head);

    QTableWidget *table() const { return m_table; }
    QWidget *thumbnails() const;
    /// Centre of a thumbnail in thumbnails() coordinates.
    QPoint thumbnailCenter(int map, int head) const;

signals:
    void headSelected(int map, int head);

private:
    HeadThumbnails *m_thumbnails = nullptr;
    QTableWidget *m_table = nullptr;
    std::vector<core::HeadStatistic> m_stats;
};

} // namespace attnscope::ui
