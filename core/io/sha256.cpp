#include "core/io/sha256.h"

#include "core/io/regularfile.h"

#include "core/error.h"

#include <QCryptographicHash>
#include <QFile>

#include <limits>

namespace attnscope::core {

Sha256::Sha256()
    : m_hash(std::make_unique<QCryptographicHash>(QCryptographicHash::Sha256))
{
}

Sha256::~Sha256() = default;

void Sha256::update(const uint8_t *data, size_t size)
{
    // QByteArrayView holds a qsizetype: feed what is larger in pieces.
    constexpr size_t kPiece = size_t(1) << 30;
    while (size > 0) {
        const size_t n = std::min(size, kPiece);
        m_hash->addData(QByteArrayView(reinterpret_cast<const char *>(data), static_cast<qsizetype>(n)));
        data += n;
        size -= n;
    }
}

std::string Sha256::hexDigest() const { return m_hash->result().toHex().toStdString(); }

std::string Sha256::hex(const std::vector<uint8_t> &data)
{
    Sha256 h;
    h.update(data.data(), data.size());
    return h.hexDigest();
}

std::string Sha256::ofFile(const std::string &path)
{
    RegularFile::require(path, "data"); // /dev/zero would be hashed for ever
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        throw Error("cannot read " + path + " to hash it");
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file) || file.error() != QFileDevice::NoError)
        throw Error("reading " + path + " failed while hashing it");
    return hash.result().toHex().toStdString();
}

} // namespace attnscope::core
