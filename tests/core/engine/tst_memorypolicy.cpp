// Freed blocks of 4 MB and more leave the process at once, even after a
// larger block has moved glibc's own threshold up (which, without the
// policy, keeps them on the heap). Measured in resident memory.
#include "../../testsupport.h"

#include "core/bundle/modelbundle.h"
#include "core/engine/memorypolicy.h"

#include <QTest>

#include <cstdlib>
#include <cstring>
#include <vector>
#include <sys/resource.h>

namespace {

double residentMb() { return static_cast<double>(attnscope::test::residentBytes()) / (1024.0 * 1024.0); }

long minorFaults()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

/// Page faults taken to allocate, fill and free a block of `bytes`, after
/// one such block was allocated, filled and freed before.
void *volatile g_escape; // keeps the compiler from dropping a malloc/free pair

long faultsToReuse(size_t bytes)
{
    void *first = std::malloc(bytes);
    g_escape = first;
    std::memset(first, 1, bytes);
    std::free(g_escape);
    const long before = minorFaults();
    void *again = std::malloc(bytes);
    g_escape = again;
    std::memset(again, 2, bytes);
    std::free(g_escape);
    return minorFaults() - before;
}

} // namespace

class TestMemoryPolicy : public QObject
{
    Q_OBJECT

private slots:
    // Loading a model leaves the process's allocator alone unless the
    // application asked for it: with the "large blocks go back" policy set,
    // a tiny model's load would switch to heap reuse only when asked.
    void loadingLeavesTheAllocatorAloneUnlessAsked()
    {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer's allocator replaces glibc's");
#endif
        const size_t block = 24u << 20;
        attnscope::core::fitAllocatorToMaps(201.0 * (1 << 20));
        attnscope::core::ModelBundle::load(attnscope::test::dataPath("tiny_joint.pt"), attnscope::core::DeviceChoice::Cpu);
        const long untouched = faultsToReuse(block);
        QVERIFY2(untouched >= 4000, qPrintable(QStringLiteral("%1 page faults: the load changed the policy").arg(untouched)));
        attnscope::core::adaptAllocatorToEachModel(true);
        attnscope::core::ModelBundle::load(attnscope::test::dataPath("tiny_joint.pt"), attnscope::core::DeviceChoice::Cpu);
        const long adapted = faultsToReuse(block);
        attnscope::core::adaptAllocatorToEachModel(false);
        QVERIFY2(adapted < 100, qPrintable(QStringLiteral("%1 page faults after a load that was asked to adapt").arg(adapted)));
    }

    // Small maps (ViT-B at 577 tokens: 16 MB a head): a 24 MB activation
    // freed and allocated again is reused from the heap, not mapped afresh
    // (6,144 faults of 4 KB pages); with large maps it is mapped afresh.
    void smallMapsReuseTheHeap()
    {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer's allocator replaces glibc's");
#endif
        const size_t block = 24u << 20;
        attnscope::core::fitAllocatorToMaps(201.0 * (1 << 20));
        const long mapped = faultsToReuse(block);
        QVERIFY2(mapped >= 4000, qPrintable(QStringLiteral("%1 page faults to map 24 MB afresh").arg(mapped)));
        attnscope::core::fitAllocatorToMaps(16.0 * (1 << 20));
        const long reused = faultsToReuse(block);
        QVERIFY2(reused < 100, qPrintable(QStringLiteral("%1 page faults to reuse 24 MB").arg(reused)));
    }

    void largeBlocksGoBackAtOnce()
    {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer's allocator replaces glibc's and keeps freed blocks in quarantine");
#endif
        attnscope::core::fitAllocatorToMaps(201.0 * (1 << 20)); // ViT-B at 2,048 tokens: the same policy
        // A 20 MB block freed: glibc alone would now serve blocks under
        // 20 MB from its heap (its threshold follows freed blocks up to 32 MB).
        void *big = std::malloc(20u << 20);
        QVERIFY(big);
        std::memset(big, 1, 20u << 20);
        std::free(big);

        // Twenty 6 MB blocks, touched, each followed by a live 256 KB block
        // (too big for any hole below, so it lands above) so a heap could
        // not shrink from its top.
        const double before = residentMb();
        std::vector<void *> blocks;
        std::vector<void *> pins;
        for (int i = 0; i < 20; ++i) {
            blocks.push_back(std::malloc(6u << 20));
            QVERIFY(blocks.back());
            std::memset(blocks.back(), 2, 6u << 20);
            pins.push_back(std::malloc(256u << 10));
            QVERIFY(pins.back());
            std::memset(pins.back(), 3, 256u << 10);
        }
        const double holding = residentMb();
        QVERIFY2(holding - before > 100.0, qPrintable(QStringLiteral("%1 MB while holding 120 MB").arg(holding - before)));
        for (void *b : blocks)
            std::free(b);
        const double after = residentMb();
        for (void *p : pins)
            std::free(p);
        QVERIFY2(after - before < 20.0, qPrintable(QStringLiteral("%1 MB still resident of 120 MB freed").arg(after - before)));
    }
};

QTEST_MAIN(TestMemoryPolicy)
#include "tst_memorypolicy.moc"
