#include "core/explain/streamlayout.h"

#include "core/text/tokenizer.h"

#include <cctype>

namespace attnscope::core {

StreamLayout::StreamLayout(const Manifest &manifest, const TokenizedText &text)
{
    for (size_t s = 0; s < manifest.streams.size(); ++s) {
        const TokenStream &stream = manifest.streams[s];
        m_offsets.push_back(static_cast<int>(m_tokens.size()));
        m_lengths.push_back(stream.length());
        int position = 0;
        for (const TokenSegment &segment : stream.segments) {
            for (int i = 0; i < segment.length; ++i, ++position) {
                LayoutToken token;
                token.modality = segment.modality;
                token.stream = static_cast<int>(s);
                token.position = position;
                if (segment.modality == Modality::Image) {
                    token.patchIndex = i;
                    token.label = "patch " + std::to_string(i / segment.gridCols) + ","
                                  + std::to_string(i % segment.gridCols);
                } else if (segment.modality == Modality::Text) {
                    token.textIndex = i;
                    const bool known = i < static_cast<int>(text.tokens.size());
                    token.label = known ? text.tokens[i] : std::string("?");
                    token.padding = known && text.mask[i] == 0;
                    token.special = !known || text.special[i] != 0;
                } else {
                    token.special = true;
                    // Special segments in capitals, as tokenizers spell
                    // their specials: one [CLS] everywhere, whatever the
                    // manifest names the segment ("cls").
                    std::string name = segment.name;
                    for (char &c : name)
                        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                    token.label = segment.length == 1 ? "[" + name + "]" : "[" + name + " " + std::to_string(i) + "]";
                }
                m_tokens.push_back(token);
            }
        }
    }
    const DecisionToken decision = manifest.decisionFor(manifest.decisionStream, text);
    m_decision = m_offsets[static_cast<size_t>(decision.stream)] + decision.index;
}

} // namespace attnscope::core
