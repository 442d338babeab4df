// The safetensors header reader on arbitrary bytes, as if they were a file.
#include "core/checkpoint/safetensorsheader.h"
#include "core/error.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try {
        const auto header = attnscope::core::SafetensorsHeader::parse(reinterpret_cast<const char *>(data), size,
                                                                       size, "fuzz");
        // A header that parses must describe tensors inside the bytes given.
        for (const auto &e : header.entries()) {
            if (header.dataOffset() + e.end > size || e.begin > e.end)
                __builtin_trap();
        }
    } catch (const attnscope::core::Error &) {
    }
    return 0;
}
