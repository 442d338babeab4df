// The SentencePiece module: libsentencepiece behind a C interface (see
// sentencepiecemodule.h for why). Nothing thrown leaves it.
#include "core/text/sentencepiecemodule.h"

#include <sentencepiece_processor.h>

#include <cstring>
#include <new>
#include <string>

struct AttnscopeSpm
{
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

void setError(char *error, size_t errorSize, const std::string &message)
{
    if (error && errorSize > 0) {
        const size_t n = std::min(errorSize - 1, message.size());
        std::memcpy(error, message.data(), n);
        error[n] = '\0';
    }
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) AttnscopeSpm *attnscope_spm_load(const char *bytes, size_t size, char *error,
                                                                         size_t errorSize)
{
    try {
        auto *model = new AttnscopeSpm;
        const auto status = model->processor.LoadFromSerializedProto(absl::string_view(bytes, size));
        if (!status.ok()) {
            setError(error, errorSize, status.ToString());
            delete model;
            return nullptr;
        }
        return model;
    } catch (const std::exception &e) {
        setError(error, errorSize, e.what());
    } catch (...) {
        setError(error, errorSize, "unknown failure");
    }
    return nullptr;
}

__attribute__((visibility("default"))) void attnscope_spm_free(AttnscopeSpm *model)
{
    delete model;
}

__attribute__((visibility("default"))) int attnscope_spm_piece_count(const AttnscopeSpm *model)
{
    return model->processor.GetPieceSize();
}

__attribute__((visibility("default"))) const char *attnscope_spm_id_to_piece(const AttnscopeSpm *model, int id,
                                                                             size_t *size)
{
    const std::string &piece = model->processor.IdToPiece(id);
    *size = piece.size();
    return piece.data();
}

__attribute__((visibility("default"))) int attnscope_spm_unk_id(const AttnscopeSpm *model)
{
    return model->processor.unk_id();
}

__attribute__((visibility("default"))) int attnscope_spm_bos_id(const AttnscopeSpm *model)
{
    return model->processor.bos_id();
}

__attribute__((visibility("default"))) int attnscope_spm_eos_id(const AttnscopeSpm *model)
{
    return model->processor.eos_id();
}

__attribute__((visibility("default"))) int attnscope_spm_encode(const AttnscopeSpm *model, const char *text,
                                                                size_t size, AttnscopeSpmPiece piece, void *user,
                                                                char *error, size_t errorSize)
{
    try {
        sentencepiece::ImmutableSentencePieceText encoded;
        const auto status = model->processor.Encode(absl::string_view(text, size), encoded.mutable_proto());
        if (!status.ok()) {
            setError(error, errorSize, status.ToString());
            return -1;
        }
        for (const auto &p : encoded.pieces())
            piece(user, static_cast<int>(p.id()), p.piece().data(), p.piece().size(), p.begin(), p.end());
        return 0;
    } catch (const std::exception &e) {
        setError(error, errorSize, e.what());
    } catch (...) {
        setError(error, errorSize, "unknown failure");
    }
    return -1;
}
}
