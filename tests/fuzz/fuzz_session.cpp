// The session reader on arbitrary bytes; a session that parses must survive
// being written and read again unchanged.
#include "core/error.h"
#include "core/io/sessionfile.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace attnscope::core;
    try {
        const Session s = Session::parse(std::string(reinterpret_cast<const char *>(data), size), "fuzz");
        const Session again = Session::parse(s.toJson(), "fuzz (written back)");
        if (again.toJson() != s.toJson())
            std::abort();
    } catch (const Error &) {
    }
    return 0;
}
