#pragma once

#include <QObject>

class QWidget;

namespace attnscope::ui {

struct ExplainResult;

/// File › Export: asks where (and, for PNG, at what resolution; kept in the
/// settings), then writes a view as PNG, SVG or PDF, or a result's arrays as
/// NPY and JSON. Says how it went through `done` (for the status bar) or
/// `failed` (a message for the banner); never throws.
class ExportDialogs : public QObject
{
    Q_OBJECT
public:
    explicit ExportDialogs(QWidget *parent);

    void exportView(QWidget *view, const QString &name);
    void exportArrays(const ExplainResult &result);
    /// Where to write the report; empty when the user cancelled.
    QString askReportPath();

signals:
    void done(const QString &status);
    void failed(const QString &message);

private:
    QWidget *m_parent = nullptr;
};

} // namespace attnscope::ui
