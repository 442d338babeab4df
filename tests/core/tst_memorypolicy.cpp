// Freed blocks of 4 MB and more leave the process at once, even after a
// larger block has moved glibc's own threshold up (which, without the
// policy, keeps them on the heap). Measured in resident memory.
#include "../testsupport.h"

#include "core/engine/memorypolicy.h"

#include <QTest>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

double residentMb() { return static_cast<double>(attnscope::test::residentBytes()) / (1024.0 * 1024.0); }

} // namespace

class TestMemoryPolicy : public QObject
{
    Q_OBJECT

private slots:
    void largeBlocksGoBackAtOnce()
    {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer's allocator replaces glibc's and keeps freed blocks in quarantine");
#endif
        attnscope::core::returnLargeBlocksToTheSystem();
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
