#include "core/io/atomicfile.h"
#include "core/io/npywriter.h"

#include "core/error.h"
#include "core/io/textfile.h"

#include <cstdint>
#include <cstring>

namespace attnscope::core {

std::string NpyWriter::encode(const std::vector<int> &shape, const std::vector<float> &values)
{
    size_t count = 1;
    for (int d : shape) {
        if (d < 0)
            throw Error("an array cannot have a negative dimension");
        count *= static_cast<size_t>(d);
    }
    if (shape.empty() || shape.size() > 2 || count != values.size())
        throw Error("array shape does not match its " + std::to_string(values.size()) + " values");
    std::string dims = std::to_string(shape[0]) + (shape.size() == 1 ? "," : ", " + std::to_string(shape[1]));
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Magic (6) + version (2) + header length (2) + header, padded with
    // spaces and ending in a newline so the data starts on a 64-byte boundary.
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string out("\x93NUMPY\x01\x00", 8);
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>((header.size() >> 8) & 0xff);
    out += header;
    const size_t at = out.size();
    out.resize(at + values.size() * 4);
    for (size_t i = 0; i < values.size(); ++i) {
        uint32_t bits;
        std::memcpy(&bits, &values[i], 4);
        for (int b = 0; b < 4; ++b)
            out[at + 4 * i + static_cast<size_t>(b)] = static_cast<char>((bits >> (8 * b)) & 0xff); // little-endian
    }
    return out;
}

void NpyWriter::write(const std::string &path, const std::vector<int> &shape, const std::vector<float> &values)
{
    AtomicFile::write(path, encode(shape, values));
}

} // namespace attnscope::core
