#pragma once

#include <string>
#include <vector>

namespace attnscope::core {

/// NumPy .npy files (format 1.0, little-endian float32, C order), written
/// atomically: heatmaps and matrices for numpy.load. Written here because the
/// format is a 10-byte magic, a short header dictionary and the raw floats,
/// and Debian packages no C++ library that writes it (cnpy is not packaged;
/// LibTorch's pickler writes .pt, not .npy).
class NpyWriter
{
public:
    /// `shape` of one or two dimensions whose product is values.size();
    /// throws Error otherwise or when the file cannot be written.
    static void write(const std::string &path, const std::vector<int> &shape, const std::vector<float> &values);
    /// The file's bytes (for tests and for embedding).
    static std::string encode(const std::vector<int> &shape, const std::vector<float> &values);
};

} // namespace attnscope::core
