#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace attnscope::core {

/// What an image file's first bytes say, read without decoding anything: the
/// format, the size it claims, and whether the file reaches its end marker.
/// It lets the decoder refuse a decompression bomb (a small file whose header
/// claims 50,000 x 50,000 pixels) before any pixel memory is allocated, and
/// tell a truncated download or a text file from a damaged image. Pure byte
/// parsing, safe on any input. Kept beside OpenCV because OpenCV says neither:
/// cv::imdecode allocates what a header claims (up to its own limit of 2^30
/// pixels, gigabytes) before it finds the data missing, and answers every
/// kind of failure with the same empty matrix.
struct ImageHeader
{
    enum class Format { Unknown, Png, Jpeg, Gif, Bmp, WebP, Tiff, Pnm, Text };

    Format format = Format::Unknown;
    int64_t width = -1;  ///< -1 when the header does not say
    int64_t height = -1;
    /// False when the file ends before the format's end marker (PNG's IEND,
    /// JPEG's EOI): a truncated file. Only checked for PNG and JPEG.
    bool complete = true;
    /// Set when the header contradicts itself (a TIFF naming its width
    /// twice): what, in words; the decoder refuses such a file.
    std::string damage;

    bool hasSize() const { return width >= 0 && height >= 0; }
    /// "PNG", "JPEG", ...; "unknown" and "text".
    std::string formatName() const;

    static ImageHeader sniff(const uint8_t *data, size_t size);
};

} // namespace attnscope::core
