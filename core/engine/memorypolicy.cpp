#include "core/engine/memorypolicy.h"

#include <atomic>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace attnscope::core {

namespace {

constexpr int kMegabyte = 1024 * 1024;
std::atomic<bool> adaptToModels{false};

} // namespace

void adaptAllocatorToEachModel(bool on)
{
    adaptToModels.store(on);
}

void modelMapsLoaded(double bytesPerHead)
{
    if (adaptToModels.load())
        fitAllocatorToMaps(bytesPerHead);
}

void returnLargeBlocksToTheSystem()
{
#if defined(__GLIBC__)
    // A fixed threshold also turns off glibc's moving one (and its moving
    // trim threshold: back to the default 128 KB).
    mallopt(M_MMAP_THRESHOLD, 4 * kMegabyte);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}

void fitAllocatorToMaps(double bytesPerHead)
{
    if (bytesPerHead > 64.0 * kMegabyte) {
        returnLargeBlocksToTheSystem();
        return;
    }
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 * kMegabyte);
    mallopt(M_TRIM_THRESHOLD, 64 * kMegabyte);
#endif
}

} // namespace attnscope::core
