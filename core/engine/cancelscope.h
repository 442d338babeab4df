#pragma once

#include <functional>

namespace attnscope::core {

/// While a CancelScope lives, every LibTorch operator its thread runs asks
/// `cancelled` first, and throws Error(Kind::Cancelled) instead of running
/// when the answer is yes. That reaches inside a TorchScript forward pass,
/// whose interpreter offers no other place to stop: a pass over 577 tokens
/// stops within one operator (a few milliseconds) rather than at its end.
///
/// Thread rules: the scope belongs to the thread that made it and only that
/// thread's operators are checked; `cancelled` is called from that thread,
/// must be cheap (it runs before every operator) and must outlive the scope.
/// Scopes nest; the innermost one's predicate is asked.
class CancelScope
{
public:
    explicit CancelScope(std::function<bool()> cancelled);
    ~CancelScope();
    CancelScope(const CancelScope &) = delete;
    CancelScope &operator=(const CancelScope &) = delete;

    /// Whether an operator of this thread refused to run because its scope's
    /// predicate said so (a message from inside TorchScript then reads as
    /// its interpreter's traceback; this tells it apart).
    static bool stoppedHere();

private:
    std::function<bool()> m_cancelled;
    const std::function<bool()> *m_outer;
    bool m_wasIncluded;
};

} // namespace attnscope::core
