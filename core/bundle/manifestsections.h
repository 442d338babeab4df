#pragma once
// Internal to core/bundle: the manifest's sections, each parsed and checked
// on its own (Manifest::parse puts them together and checks how they fit).

#include "core/bundle/manifestreader.h"

#include <string>
#include <vector>

namespace attnscope::core {

/// `image`: size, normalisation, channel order, resize mode, interpolation.
ImageSpec parseImageSection(const ManifestReader &r, const Json &json);
/// `text`: the tokenizer (a word-level vocabulary, or subword files stored
/// with the model), its length and special tokens; `format` 1 or 2.
TextSpec parseTextSection(const ManifestReader &r, const Json &json, int format);
/// `inputs` (version 2): the forward's inputs in order, known and unrepeated.
std::vector<std::string> parseInputsSection(const ManifestReader &r, const Json &json);

} // namespace attnscope::core
