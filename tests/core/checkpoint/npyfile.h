#pragma once

// Reads the oracles' .npy files (NumPy format 1.0, little-endian, C order;
// <f4, <i4, <i8) into tensors, for tests that compare with them.

#include <torch/script.h>

#include <QFile>
#include <QRegularExpression>
#include <QString>

#include <stdexcept>
#include <vector>

namespace attnscope::test {

inline torch::Tensor readNpy(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error("cannot open " + path.toStdString());
    const QByteArray bytes = file.readAll();
    if (!bytes.startsWith("\x93NUMPY") || bytes.size() < 10)
        throw std::runtime_error(path.toStdString() + ": not a .npy file");
    const int headerLength = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    const QString header = QString::fromLatin1(bytes.mid(10, headerLength));
    const auto descr = QRegularExpression("'descr': *'([<>|]?[a-z][0-9])'").match(header);
    const auto shapeText = QRegularExpression("'shape': *\\(([0-9, ]*)\\)").match(header);
    if (!descr.hasMatch() || !shapeText.hasMatch() || header.contains("'fortran_order': True"))
        throw std::runtime_error(path.toStdString() + ": unexpected header " + header.toStdString());
    std::vector<int64_t> shape;
    for (const QString &d : shapeText.captured(1).split(',', Qt::SkipEmptyParts))
        shape.push_back(d.trimmed().toLongLong());
    const QString type = descr.captured(1);
    const torch::ScalarType scalar = type.endsWith("f4") ? torch::kFloat32 : type.endsWith("i4") ? torch::kInt32
                                                                                               : torch::kInt64;
    torch::Tensor t = torch::empty(shape, scalar);
    const qsizetype offset = 10 + headerLength;
    if (bytes.size() - offset != static_cast<qsizetype>(t.nbytes()))
        throw std::runtime_error(path.toStdString() + ": data size does not match its shape");
    std::memcpy(t.data_ptr(), bytes.constData() + offset, t.nbytes());
    return t;
}

} // namespace attnscope::test
