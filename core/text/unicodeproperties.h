#pragma once

#include <string>
#include <vector>

namespace attnscope::core {

/// The character properties the subword tokenizers test, answered from
/// utf8proc's Unicode tables (Debian's libutf8proc) so that no table is
/// written by hand here. Each predicate is named after the definition the
/// reference tokenizers use, which is not always the Unicode one of the same
/// name (BERT's "control" includes format and private-use characters).
/// Thread-safe: utf8proc's tables are read-only.
class UnicodeProperties
{
public:
    /// Unicode White_Space: the separators (Zs, Zl, Zp), U+0009-U+000D and
    /// U+0085 - what Rust's char::is_whitespace and Oniguruma's \s match.
    static bool isWhitespace(char32_t c);
    /// General category Cc, Cf or Co (what BERT's clean-up deletes, apart
    /// from tab, newline and carriage return, which it reads as spaces).
    static bool isControlFormatOrPrivateUse(char32_t c);
    /// ASCII punctuation (33-47, 58-64, 91-96, 123-126) or any P* category:
    /// BERT splits around each of these, including `$`, `^` and `` ` ``.
    static bool isBertPunctuation(char32_t c);
    /// The CJK ideograph blocks BERT surrounds with spaces (its own list of
    /// ranges, not the Unicode Ideographic property: Hangul and kana are not
    /// in it).
    static bool isBertCjkCharacter(char32_t c);
    static bool isLetter(char32_t c);         ///< L*
    static bool isNumber(char32_t c);         ///< N*
    static bool isNonspacingMark(char32_t c); ///< Mn, what BERT's accent stripping deletes
    /// What a regex \w matches in Rust: letters, marks, Nd, Nl, Pc and the
    /// two joiners (Unicode's Alphabetic property, approximated by L* + Nl).
    static bool isWordCharacter(char32_t c);
    static int combiningClass(char32_t c);
    /// Appends the canonical decomposition of c (c itself when it has none),
    /// fully decomposed but not yet in canonical order.
    static void appendCanonicalDecomposition(char32_t c, std::vector<char32_t> &out);
    /// Appends c's lower case as Rust's char::to_lowercase gives it: the
    /// simple mapping, except U+0130, whose lower case is two code points.
    static void appendLowercase(char32_t c, std::vector<char32_t> &out);
    static void appendUtf8(char32_t c, std::string &out);
    /// The Unicode version of the tables, for messages and reports.
    static std::string unicodeVersion();
};

} // namespace attnscope::core
