#include "core/image/imagedecoder.h"

#include "core/io/regularfile.h"

#include "core/error.h"
#include "core/image/gifdecoder.h"
#include "core/image/imageheader.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <fstream>

namespace attnscope::core {

namespace {

/// Any OpenCV image (1-4 channels, 8/16-bit or float) to 8-bit BGR, alpha
/// composited over white so transparent areas do not turn black.
cv::Mat toBgr8(const cv::Mat &input)
{
    cv::Mat image8;
    switch (input.depth()) {
    case CV_8U: image8 = input; break;
    case CV_8S: input.convertTo(image8, CV_8U, 1.0, 128.0); break;
    case CV_16U: input.convertTo(image8, CV_8U, 1.0 / 257.0); break;
    case CV_16S: input.convertTo(image8, CV_8U, 1.0 / 257.0, 128.0); break;
    case CV_32F:
    case CV_64F: input.convertTo(image8, CV_8U, 255.0); break;
    default: input.convertTo(image8, CV_8U); break;
    }
    cv::Mat bgr;
    switch (image8.channels()) {
    case 1: cv::cvtColor(image8, bgr, cv::COLOR_GRAY2BGR); break;
    case 3: bgr = image8; break;
    case 2:
    case 4: {
        std::vector<cv::Mat> planes;
        cv::split(image8, planes);
        cv::Mat alpha;
        planes.back().convertTo(alpha, CV_32F, 1.0 / 255.0);
        planes.pop_back();
        cv::Mat colour;
        if (planes.size() == 1)
            cv::cvtColor(planes[0], colour, cv::COLOR_GRAY2BGR);
        else
            cv::merge(planes, colour);
        cv::Mat colourF, alpha3;
        colour.convertTo(colourF, CV_32FC3);
        cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, alpha3);
        cv::Mat white(colourF.size(), CV_32FC3, cv::Scalar(255, 255, 255));
        cv::Mat blended = colourF.mul(alpha3) + white.mul(cv::Scalar(1, 1, 1) - alpha3);
        blended.convertTo(bgr, CV_8UC3);
        break;
    }
    default:
        throw Error("has " + std::to_string(image8.channels()) + " channels; AttnScope reads 1 to 4");
    }
    return bgr;
}

/// Large images (over 16 megapixels, JPEG aside) straight into RGB, a row at
/// a time, alpha over white: the whole-image path above makes float copies
/// of every plane, and a legal 100-megapixel 16-bit RGBA PNG (800 MB decoded)
/// took several gigabytes more. The same arithmetic per pixel, in integers.
RgbImage toRgbByRows(const cv::Mat &decoded)
{
    const int channels = decoded.channels();
    if (channels < 1 || channels > 4)
        throw Error("has " + std::to_string(channels) + " channels; AttnScope reads 1 to 4");
    if (decoded.depth() != CV_8U && decoded.depth() != CV_16U)
        throw Error("has a sample format AttnScope does not read at this size (8 or 16 bits per sample)");
    const bool wide = decoded.depth() == CV_16U;
    RgbImage image;
    image.width = decoded.cols;
    image.height = decoded.rows;
    image.pixels.resize(static_cast<size_t>(decoded.cols) * decoded.rows * 3);
    for (int y = 0; y < decoded.rows; ++y) {
        uint8_t *out = image.pixels.data() + static_cast<size_t>(y) * decoded.cols * 3;
        const uint8_t *row8 = decoded.ptr<uint8_t>(y);
        const uint16_t *row16 = decoded.ptr<uint16_t>(y);
        for (int x = 0; x < decoded.cols; ++x) {
            auto sample = [&](int c) -> int {
                const size_t i = static_cast<size_t>(x) * channels + c;
                return wide ? (row16[i] + 128) / 257 : row8[i];
            };
            int b, g, r;
            if (channels <= 2) {
                b = g = r = sample(0);
            } else { // OpenCV's order: B, G, R
                b = sample(0);
                g = sample(1);
                r = sample(2);
            }
            if (channels == 2 || channels == 4) {
                const int a = sample(channels - 1);
                auto over = [a](int v) { return (v * a + 255 * (255 - a) + 127) / 255; };
                b = over(b);
                g = over(g);
                r = over(r);
            }
            out[3 * x] = static_cast<uint8_t>(r);
            out[3 * x + 1] = static_cast<uint8_t>(g);
            out[3 * x + 2] = static_cast<uint8_t>(b);
        }
    }
    return image;
}

} // namespace

RgbImage ImageDecoder::decodeFile(const std::string &path)
{
    RegularFile::require(path, "image");
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file)
        throw Error(path + ": cannot open the image file (does it exist, and may it be read?)");
    const std::streamoff size = file.tellg();
    if (size <= 0)
        throw Error(path + ": the image file is empty");
    if (size > kMaxFileBytes)
        throw Error(path + ": the image file is larger than " + std::to_string(kMaxFileBytes >> 20)
                    + " MB");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    file.seekg(0);
    if (!file.read(reinterpret_cast<char *>(bytes.data()), size))
        throw Error(path + ": the image file could not be read completely");
    return decodeBytes(bytes, path);
}

RgbImage ImageDecoder::decodeBytes(const std::vector<uint8_t> &bytes, const std::string &label)
{
    if (bytes.empty())
        throw Error(label + ": the image file is empty");
    // The header first: a text file, a truncated download or a decompression
    // bomb is refused before any pixel memory is allocated.
    const ImageHeader header = ImageHeader::sniff(bytes.data(), bytes.size());
    if (header.format == ImageHeader::Format::Text)
        throw Error(label + ": is a text file, not an image");
    // Only formats whose size can be read before decoding: OpenCV's other
    // decoders (Sun raster, HDR, PFM, ...) would allocate whatever their
    // header claims, up to gigapixels.
    if (header.format == ImageHeader::Format::Unknown)
        throw Error(label + ": is not an image in a format AttnScope can read (PNG, JPEG, GIF, BMP, WebP, TIFF, PNM)");
    if (!header.hasSize())
        throw Error(label + ": the " + header.formatName() + " header is damaged: it gives no image size");
    if (!header.damage.empty())
        throw Error(label + ": the " + header.formatName() + " header " + header.damage + "; the file is damaged");
    if (header.width == 0 || header.height == 0)
        throw Error(label + ": the " + header.formatName() + " header says the image is "
                    + std::to_string(header.width) + "x" + std::to_string(header.height)
                    + " pixels; the file is damaged");
    if (header.width > kMaxPixels / header.height)
        throw Error(label + ": the image claims " + std::to_string(header.width) + "x" + std::to_string(header.height)
                    + " pixels, more than AttnScope opens (" + std::to_string(kMaxPixels / 1000000)
                    + " megapixels)");
    if (!header.complete)
        throw Error(label + ": the " + header.formatName()
                    + " file is truncated: it ends before its image data does (was it copied or downloaded completely?)");
    if (header.format == ImageHeader::Format::Gif)
        return GifDecoder::firstFrame(bytes.data(), bytes.size(), label, kMaxPixels);

    cv::Mat decoded;
    try {
        const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                             const_cast<uint8_t *>(bytes.data()));
        // IMREAD_UNCHANGED keeps alpha and 16 bits. A JPEG has neither, and
        // IMREAD_COLOR turns it upright as its EXIF orientation says (OpenCV
        // 4.6 does all eight cases right: tests/data/malformed/images).
        decoded = cv::imdecode(buffer, header.format == ImageHeader::Format::Jpeg ? cv::IMREAD_COLOR : cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &e) {
        throw Error(label + ": the image could not be decoded (" + e.msg + ")");
    }
    if (decoded.empty()) {
        throw Error(label + ": is not an image in a format AttnScope can read, or it is damaged (it starts like a "
                    + header.formatName() + " file, but OpenCV could not decode it)");
    }
    if (static_cast<int64_t>(decoded.cols) * decoded.rows > kMaxPixels)
        throw Error(label + ": the image is too large (" + std::to_string(decoded.cols) + "x"
                    + std::to_string(decoded.rows) + " pixels)");
    if (header.format != ImageHeader::Format::Jpeg && static_cast<int64_t>(decoded.cols) * decoded.rows > kRowByRowPixels) {
        try {
            return toRgbByRows(decoded);
        } catch (const Error &e) {
            throw Error(label + ": the image " + e.what());
        }
    }
    cv::Mat rgb;
    try {
        const cv::Mat bgr = toBgr8(decoded);
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    } catch (const cv::Exception &e) {
        throw Error(label + ": the image could not be converted (" + e.msg + ")");
    } catch (const Error &e) {
        throw Error(label + ": the image " + e.what());
    }
    if (rgb.empty())
        throw Error(label + ": the image could not be converted");
    RgbImage image;
    image.width = rgb.cols;
    image.height = rgb.rows;
    image.pixels.resize(static_cast<size_t>(rgb.cols) * rgb.rows * 3);
    for (int y = 0; y < rgb.rows; ++y)
        std::memcpy(image.pixels.data() + static_cast<size_t>(y) * rgb.cols * 3, rgb.ptr<uint8_t>(y),
                    static_cast<size_t>(rgb.cols) * 3);
    return image;
}

std::string ImageDecoder::openCvVersion() { return CV_VERSION; }

} // namespace attnscope::core
