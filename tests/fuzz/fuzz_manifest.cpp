// The manifest parser (and the JSON reader under it) on arbitrary bytes.
#include "core/bundle/manifest.h"
#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try {
        const attnscope::core::Manifest m =
            attnscope::core::Manifest::parse(std::string(reinterpret_cast<const char *>(data), size), "fuzz");
        // A manifest that parses must describe streams the rest of core can walk.
        size_t tokens = 0;
        for (const auto &stream : m.streams)
            for (const auto &segment : stream.segments)
                tokens += static_cast<size_t>(segment.length);
        (void)tokens;
    } catch (const attnscope::core::Error &) {
    }
    return 0;
}
