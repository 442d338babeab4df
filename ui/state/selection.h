#pragma once

#include "ui/worker/explainrequest.h"

#include <QObject>

#include <optional>
#include <vector>

namespace attnscope::ui {

/// What the user is looking at, shared by every view of the window: the
/// result on screen, the answer it explains (target), the attention map and
/// head, and the selected and hovered token. Views read it and write it
/// (clicking a word selects it here; a view that shows words redraws when
/// the focus changes), so the window does not route clicks between views.
///
/// Changing the target, map or head asks for another explanation
/// (explanationWanted); the views follow when its result is shown. Selecting
/// or hovering a token only redraws (focusChanged).
/// Thread rules: GUI thread only.
class Selection : public QObject
{
    Q_OBJECT
public:
    explicit Selection(QObject *parent = nullptr);

    const ExplainResult &result() const { return m_result; }
    bool hasResult() const { return m_result.generation != 0; }
    int target() const { return m_target; } ///< -1: the predicted answer
    int map() const { return m_map; }       ///< -1: the model's default map
    int head() const { return m_head; }     ///< -1: the heads' mean
    int token() const { return m_token; }   ///< selected token (layout index); -1: none
    int hover() const { return m_hover; }   ///< hovered token (layout index); -1: none

    /// Shows a new result. The selection and hover are kept while the input
    /// is the same; `token` (a session's saved selection) replaces them.
    void showResult(const ExplainResult &result, std::optional<int> token = std::nullopt);
    /// Sets what the next explanation is for without asking for it (a new
    /// input, a new model, an opened session).
    void reset(int target, int map, int head);

    void setTarget(int label);
    /// Another map; its head is kept if the map has it, else the mean.
    void setMap(int index);
    void setHead(int head);
    void setMapAndHead(int map, int head);

    void selectToken(int layoutIndex);
    void selectPatch(int patch);     ///< -1: clears
    void selectWord(int textIndex);  ///< -1: clears
    void hoverWord(int textIndex);   ///< -1: nothing hovered

    /// The selected token's patch / text position; -1 when it is not one.
    int selectedPatch() const;
    int selectedWord() const;
    /// The focused token's text position: hovered, else selected; -1: none.
    int focusedWord() const;
    QString tokenLabel(int layoutIndex) const;
    /// The shown map's title and head ("head 2", "mean of heads").
    QString mapTitle() const;
    QString headTitle() const;
    /// The row of the map's query stream the teaching view steps through:
    /// the selected token when it is in that stream, else its first.
    int teachingQuery() const;

    /// What the image shows now: the focused token's row over the patches
    /// (hovered word, else a selected token that is not a patch), else the
    /// explanation's patch scores. `caption` says which.
    std::vector<float> imageScores(QString *caption) const;
    /// What the words show: how much each word attends to the selected
    /// patch, else the explanation's token scores.
    std::vector<float> wordScores(QString *caption) const;

signals:
    void resultChanged();
    void focusChanged();
    void explanationWanted();

private:
    /// The matrix the links read for a token: the method's own matrix for
    /// rollout and relevance, else the attention map shown in the matrix view.
    const core::Explanation &linkMatrix(int layoutIndex, QString *what) const;
    bool inLayout(int layoutIndex) const;

    ExplainResult m_result;
    int m_target = -1;
    int m_map = -1;
    int m_head = -1;
    int m_token = -1;
    int m_hover = -1;
};

} // namespace attnscope::ui
