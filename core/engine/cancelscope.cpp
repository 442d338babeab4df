#include "core/engine/cancelscope.h"

#include "core/error.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/library.h>

#include <mutex>

namespace attnscope::core {

namespace {

// LibTorch has no public hook that runs before each operator and may throw
// (RecordFunction observers have their exceptions caught and logged). A
// boxed fallback on a dispatch key that no kernel uses does: included in
// this thread's key set, it sees every operator first, and hands it on to
// the next key when there is nothing to stop. The key is the one LibTorch
// sets aside for out-of-tree modes of exactly this kind; nothing in
// LibTorch registers kernels for it.
constexpr c10::DispatchKey kKey = c10::DispatchKey::TESTING_ONLY_GenericMode;

thread_local const std::function<bool()> *tlsCancelled = nullptr;
thread_local bool tlsStopped = false;

void checkThenRun(const c10::OperatorHandle &op, c10::DispatchKeySet keys, torch::jit::Stack *stack)
{
    // Threads the scope's key set reaches but its predicate does not (an
    // autograd device thread) run the operator unchecked.
    if (tlsCancelled && (*tlsCancelled)()) {
        tlsStopped = true;
        throw Error("stopped before it finished", Error::Kind::Cancelled);
    }
    op.redispatchBoxed(keys & c10::DispatchKeySet(c10::DispatchKeySet::FULL_AFTER, kKey), stack);
}

void registerFallback()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Registered at first use rather than by a static initialiser: a
        // static library's unreferenced initialisers are dropped at link.
        static torch::Library library(torch::Library::IMPL, "_", kKey, __FILE__, __LINE__);
        library.fallback(torch::CppFunction::makeFromBoxedFunction<&checkThenRun>());
    });
}

} // namespace

CancelScope::CancelScope(std::function<bool()> cancelled)
    : m_cancelled(std::move(cancelled))
    , m_outer(tlsCancelled)
    , m_wasIncluded(c10::impl::tls_is_dispatch_key_included(kKey))
{
    registerFallback();
    tlsCancelled = m_cancelled ? &m_cancelled : nullptr;
    if (!m_outer)
        tlsStopped = false;
    c10::impl::tls_set_dispatch_key_included(kKey, true);
}

CancelScope::~CancelScope()
{
    c10::impl::tls_set_dispatch_key_included(kKey, m_wasIncluded);
    tlsCancelled = m_outer;
}

bool CancelScope::stoppedHere() { return tlsStopped; }

} // namespace attnscope::core
