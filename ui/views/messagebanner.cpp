#include "ui/views/messagebanner.h"

namespace attnscope::ui {

namespace {

QString bannerStyle(bool error)
{
    return error ? QStringLiteral("QLabel { background: #fde2e1; color: #8a1c13; border: 1px solid #e0a09b; "
                                  "border-radius: 4px; padding: 6px; }")
                 : QStringLiteral("QLabel { background: #fff4d6; color: #6b4e00; border: 1px solid #e6c870; "
                                  "border-radius: 4px; padding: 6px; }");
}

} // namespace

MessageBanner::MessageBanner(QWidget *parent)
    : QLabel(parent)
{
    setObjectName(QStringLiteral("errorBanner"));
    setWordWrap(true);
    setStyleSheet(bannerStyle(true));
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    hide();
}

void MessageBanner::showError(const QString &message)
{
    setStyleSheet(bannerStyle(true));
    setText(message);
    show();
}

void MessageBanner::showNotes(const QStringList &notes)
{
    if (notes.isEmpty()) {
        hide();
        return;
    }
    setStyleSheet(bannerStyle(false));
    setText(notes.join(QLatin1Char('\n')));
    show();
}

void MessageBanner::addNote(const QString &note)
{
    setStyleSheet(bannerStyle(false));
    setText(isVisible() && !text().isEmpty() ? text() + QLatin1Char('\n') + note : note);
    show();
}

} // namespace attnscope::ui
