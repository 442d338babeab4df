#pragma once

// The C interface of the SentencePiece module (libattnscope_sentencepiece.so).
//
// Why a module: Debian's libsentencepiece carries its own copy of protobuf-lite
// and exports it, while LibTorch loads the system libprotobuf (through ONNX).
// Linked into one program, the two copies bind to each other's symbols and
// the program crashes before main. The module links libsentencepiece alone
// and is opened with dlopen(RTLD_LOCAL | RTLD_DEEPBIND), so the library keeps
// to its own protobuf; only plain C types cross this interface.

#include <stddef.h>
#include <stdint.h>

extern "C" {

struct AttnscopeSpm;

/// One piece as the library gives it: its id, its text (for an unknown
/// piece, the characters it stands for) and its byte span in the input.
typedef void (*AttnscopeSpmPiece)(void *user, int id, const char *piece, size_t pieceSize, uint32_t begin,
                                  uint32_t end);

/// Null on failure, with the library's message in `error`.
AttnscopeSpm *attnscope_spm_load(const char *bytes, size_t size, char *error, size_t errorSize);
void attnscope_spm_free(AttnscopeSpm *model);
int attnscope_spm_piece_count(const AttnscopeSpm *model);
/// The piece of `id`; the pointer lives as long as the model.
const char *attnscope_spm_id_to_piece(const AttnscopeSpm *model, int id, size_t *size);
int attnscope_spm_unk_id(const AttnscopeSpm *model);
int attnscope_spm_bos_id(const AttnscopeSpm *model);
int attnscope_spm_eos_id(const AttnscopeSpm *model);
/// Calls `piece` for each piece of `text`; 0 on success, else -1 with the
/// library's message in `error`. Thread-safe (the library's Encode is const).
int attnscope_spm_encode(const AttnscopeSpm *model, const char *text, size_t size, AttnscopeSpmPiece piece,
                         void *user, char *error, size_t errorSize);
}
