#include "core/engine/memorypolicy.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace attnscope::core {

void returnLargeBlocksToTheSystem()
{
#if defined(__GLIBC__)
    // A fixed threshold also turns off glibc's moving one.
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
#endif
}

} // namespace attnscope::core
