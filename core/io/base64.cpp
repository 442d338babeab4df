#include "core/io/base64.h"

#include "core/error.h"

#include <QByteArray>

namespace attnscope::core {

// Qt Core does the coding; the length and padding rules RFC 4648 sets for
// padded data are checked here, since Qt also takes unpadded text.
std::string Base64::encode(const std::vector<uint8_t> &data)
{
    return QByteArray(reinterpret_cast<const char *>(data.data()), static_cast<qsizetype>(data.size()))
        .toBase64()
        .toStdString();
}

std::vector<uint8_t> Base64::decode(const std::string &text)
{
    if (text.size() % 4 != 0)
        throw Error("base64 data has a length that is not a multiple of 4");
    const size_t padding = text.find('=');
    if (padding != std::string::npos && padding + 2 < text.size())
        throw Error("base64 data has characters after its padding");
    const auto decoded = QByteArray::fromBase64Encoding(
        QByteArray(text.data(), static_cast<qsizetype>(text.size())), QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        throw Error("base64 data has a character outside its alphabet or misplaced padding");
    return std::vector<uint8_t>(decoded.decoded.begin(), decoded.decoded.end());
}

} // namespace attnscope::core
