#pragma once

#include "core/json/json.h"
#include "core/text/tokenizer.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope::core {

class Tokenizer;

/// classification: one of the labels (softmax); multilabel: each label
/// applies or not (a sigmoid per label, version 2); matching: one score per
/// input (an image-text similarity).
enum class Task { Classification, MultiLabel, Matching };
/// What a matching model's one output is (version 2 says; version 1 read it
/// through a sigmoid). Shown as the model computes it: no sigmoid the model
/// did not apply.
enum class MatchScore { Sigmoid, Logit, Probability, Cosine };
const char *taskName(Task task);
enum class Modality { Special, Image, Text };
enum class AttentionKind { Self, Cross };

const char *modalityName(Modality modality);

/// How an image becomes the model's `image` input.
struct ImageSpec
{
    int height = 0;
    int width = 0;
    std::array<float, 3> mean{{0.f, 0.f, 0.f}};
    std::array<float, 3> std{{1.f, 1.f, 1.f}};
    bool rgbOrder = true;           ///< false: the model wants BGR channels
    /// "stretch": both sides to the input size; "shortest_edge": the shorter
    /// side to input / crop_pct, then the centre input-sized crop (timm,
    /// CLIP, torchvision); "pad": the longer side to the input, the rest
    /// filled with the mean colour (letterbox).
    std::string resize = "stretch";
    double cropPct = 1.0; ///< with shortest_edge, as timm writes it (0.875, 0.9)
    /// "auto" (area when shrinking both sides, bilinear otherwise),
    /// "bilinear", "bicubic", "area" or "nearest".
    std::string interpolation = "auto";
};

/// How a text becomes `input_ids`, `attention_mask` (and `token_type_ids`).
struct TextSpec
{
    /// "word": whole words looked up in `vocab`, the demo models' own;
    /// "wordpiece": BERT's tokenizer from a vocab.txt in the archive (`file`);
    /// "gpt2_bpe": GPT-2's byte-level BPE from `file` (vocab.json) and
    /// `mergesFile` (merges.txt); "clip_bpe": OpenAI CLIP's BPE vocabulary
    /// (`file`, bpe_simple_vocab_16e6.txt.gz); "huggingface": a tokenizer.json;
    /// "sentencepiece": a SentencePiece model (`file`, spiece.model).
    std::string tokenizer = "word";
    std::string file;       ///< subword tokenizers: the file stored with the model
    std::string mergesFile; ///< gpt2_bpe: merges.txt
    bool lowercase = true;
    int maxLength = 0; ///< ids are always padded to this length (and cut to it)
    /// The model reads two texts (a sentence pair: premise and hypothesis,
    /// question and passage); it takes token_type_ids.
    bool pair = false;
    std::vector<std::string> vocab;
    std::string padToken = "[PAD]";
    std::string unkToken = "[UNK]";
    std::string clsToken = "[CLS]";
    std::string sepToken = "[SEP]";
    bool addCls = false; ///< the tokenizer puts clsToken first
    bool addSep = false; ///< the tokenizer puts sepToken after the words
    bool addBos = false; ///< sentencepiece: the model's <s> before each text
    bool addEos = false; ///< sentencepiece: the model's </s> after each text
    /// The tokenizer, built once by ModelBundle::load (a subword one from the
    /// files stored with the model); without it Tokenizer::of() builds a
    /// word-level one on each call.
    std::shared_ptr<const Tokenizer> loaded;
    int64_t padId = 0; ///< the id that fills and masks out (word-level: from vocab; subword: set with `loaded`)
    bool subword() const { return tokenizer != "word"; }
};

/// A run of tokens of one modality inside a stream.
struct TokenSegment
{
    std::string name;
    Modality modality = Modality::Special;
    int length = 0;
    int gridRows = 0; ///< image segments: the patch grid, row-major
    int gridCols = 0;
};

/// The ordered token layout of one attention stream.
struct TokenStream
{
    std::string name;
    std::vector<TokenSegment> segments;
    int length() const;
    /// As the manifest writes it: name and segments (each with its name,
    /// modality, length and, for images, grid).
    Json toJson() const;
};

/// One attention tensor returned by the model, in the order it returns them.
struct AttentionSpec
{
    int layer = 0;
    AttentionKind kind = AttentionKind::Self;
    int queryStream = 0; ///< index into Manifest::streams
    int keyStream = 0;
};

struct GateSpec
{
    std::string output; ///< key of the gate tensor in the model's extra outputs
    std::vector<Modality> modalities;
};

/// Optional: the model also returns, for every attention map i, the per-head
/// queries, keys (and values) that made it, as extra outputs named
/// "<queries>.<i>" [batch, heads, query tokens, d], "<keys>.<i>"
/// [batch, heads, key tokens, d] and "<values>.<i>" [batch, heads, key tokens,
/// d_v]. The teaching view steps through softmax(q k^T / sqrt(d)) v with them.
struct AttentionInputsSpec
{
    std::string queries = "q";
    std::string keys = "k";
    std::string values; ///< empty: values not exported
    std::string name(const std::string &prefix, size_t map) const { return prefix + "." + std::to_string(map); }
};

/// A token that carries the decision: a fixed position, or one that
/// depends on the input's text (CLIP pools at the end-of-text token, whose
/// place depends on the caption's length; a GPT-style classifier at the
/// last real token).
struct DecisionToken
{
    enum class Rule
    {
        Index,   ///< "index": N, the N-th token of the stream
        FirstId, ///< "rule": "first_id", "id": K: the first text token whose id is K
        LastReal, ///< "rule": "last_real": the last text token that is not padding
        Mean      ///< "rule": "mean", "segment": S: the mean over the tokens of segment S (timm's global_pool "avg")
    };
    int stream = 0;
    int index = 0; ///< Rule::Index; for the others, the resolved position (decisionFor with a text)
    Rule rule = Rule::Index;
    int64_t id = 0; ///< Rule::FirstId
    int count = 1;  ///< Rule::Mean: the tokens averaged, from `index` on
    std::string segment; ///< Rule::Mean: the segment's name
};

/// Where a segment sits: stream index, segment index, first token in the stream.
struct SegmentLocation
{
    int stream = -1;
    int segment = -1;
    int offset = 0;
    bool valid() const { return stream >= 0; }
};

/// Largest image side and stream length a manifest may declare: the load
/// probe runs the model at this size before anything else can refuse it.
constexpr int kMaxImageSide = 4096;
constexpr int kMaxStreamTokens = 16384;

/// The `attnscope.json` manifest stored inside a model archive: everything the
/// app needs to drive and explain the model without knowing its code.
struct Manifest
{
    int format = 1; ///< attnscope-model/1 or /2
    std::string name;
    std::string description;
    Task task = Task::Classification;
    MatchScore matchScore = MatchScore::Sigmoid; ///< matching: "score" (version 2: "logit", "probability", "cosine")
    std::vector<std::string> labels;
    /// The forward's inputs in order, any of "image", "input_ids",
    /// "attention_mask", "token_type_ids". Version 1 manifests take all of
    /// image, input_ids and attention_mask, whatever the model reads.
    std::vector<std::string> inputs{"image", "input_ids", "attention_mask"};
    ImageSpec image; ///< height 0: the model takes no image
    TextSpec text;
    std::vector<TokenStream> streams;
    std::vector<AttentionSpec> attentions;
    int decisionStream = 0; ///< the first decision token
    int decisionIndex = 0;
    /// All decision tokens, at most one per stream, the first as above. A model
    /// that fuses several streams' summaries (late fusion) lists one per
    /// stream; each stream is then explained from its own decision token.
    std::vector<DecisionToken> decisions;
    std::optional<GateSpec> gates;
    std::optional<AttentionInputsSpec> attentionInputs;

    /// Parses and validates; throws Error naming `source` and the offending
    /// field in words a user can act on.
    static Manifest parse(const std::string &text, const std::string &source);
    Json toJson() const;

    bool takes(const std::string &input) const;
    Json inputsJson() const; ///< `inputs` as the manifest writes it
    Json decisionJson(const DecisionToken &token) const; ///< one `decision` entry as the manifest writes it
    /// "token 0 of stream joint", "the first token with id 49407 of stream text".
    std::string describeDecision(const DecisionToken &token) const;
    bool takesImage() const { return takes("image"); }
    bool takesText() const { return takes("input_ids"); }
    /// Whether the user gives an image / a text: a version 1 manifest passes
    /// an image input to a model whatever it reads, but only one with an
    /// image segment looks at it.
    bool readsImage() const;
    bool readsText() const { return text.maxLength > 0; }
    /// Whether a second text (a sentence pair) means something to the model:
    /// it says so (text.pair), or it takes token_type_ids. A subword
    /// tokenizer can make pairs for any model; CLIP's captions are single.
    bool readsPairs() const { return text.subword() && (text.pair || takes("token_type_ids")); }

    int streamIndex(const std::string &name) const; ///< -1 when absent
    SegmentLocation findModality(Modality modality) const;
    int layerCount() const; ///< distinct layer numbers
    /// The decision token a stream's scores are read from: the one in that
    /// stream if there is one, else the first. A rule's index is the rule's
    /// own (0) here; with the input's text it is resolved, and a text
    /// without such a token (an end-of-text id cut off) throws Error.
    DecisionToken decisionFor(int stream) const;
    DecisionToken decisionFor(int stream, const TokenizedText &text) const;
};

} // namespace attnscope::core
