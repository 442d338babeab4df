#pragma once

#include <QWidget>

class QLabel;

namespace attnscope::ui {

class Selection;

/// The line above the image: the model's answer with its probability (and
/// the answer explained, when another), and a badge saying how far to trust
/// the map on screen (core::TrustCheck): green when it passed its own test,
/// amber when weak, red when no better than random; hidden when untested.
class AnswerHeader : public QWidget
{
    Q_OBJECT
public:
    explicit AnswerHeader(QWidget *parent = nullptr);
    void follow(Selection *selection);

private:
    void showResult(const Selection &selection);

    QLabel *m_answer = nullptr;
    QLabel *m_badge = nullptr;
};

} // namespace attnscope::ui
