#pragma once
// Tokens of the WebAssembly text format (spec 6.2 "Lexical format"), produced one at a time
// from a string_view of the source; token text points into the source (no allocation).
//
// Comments (`;; ...` and nested `(; ... ;)`) and white space are skipped. An annotation
// `(@name` comes out as one Tok::Annot token whose text is the name; Parser skips the
// annotation's balanced body except where it is meaningful (`@custom` at module level).
// Strings are checked here (escapes, control characters, UTF-8 of the source characters) and
// decoded on demand by decode_string(). Numbers are classified here and converted by
// numbers.hpp, which knows the type a context expects.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "wasm/detail/binary/utf8.hpp"

namespace wasm::detail::text {

enum class Tok : uint8_t {
  Eof,
  LParen,
  RParen,
  Keyword,   // starts with a lower-case letter: module, i32.add, offset=4, ...
  Id,        // $name or $"quoted name"; text is the whole token including '$'
  String,    // "..." including the quotes; decode with decode_string()
  Number,    // starts with a digit or a sign, or is inf/nan/nan:0x... (also nan:canonical)
  Reserved,  // any other run of id characters, or juxtaposed strings/ids
  Annot,     // "(@name"; text is the name (a quoted name keeps its quotes)
  Error,     // lexical error; Lexer::error() says which
};

struct Token {
  Tok kind = Tok::Eof;
  uint32_t line = 1;
  uint32_t col = 1;
  std::string_view text;
};

// Where the lexer stands; saving and restoring one lets a parser go over a span twice.
struct LexPos {
  size_t offset = 0;
  size_t line_start = 0;
  uint32_t line = 1;
};

// The spec's idchar set, by its definition; the lexer reads it from kCharClass below.
constexpr bool spec_idchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '/': case ':': case '<': case '=': case '>': case '?': case '@': case '\\':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// Character classes of the lexer's inner loops, one table lookup each: an id character, or a
// character that continues a token without being one (a reserved token: , [ ] { }).
// And the characters Lexer::skip_balanced stops at: ( ) ; " and line feed.
inline constexpr uint8_t kIdChar = 1, kRunChar = 2, kSkimStop = 4;
inline constexpr auto kCharClass = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    if (spec_idchar(uint8_t(c))) t[c] = kIdChar | kRunChar;
    else if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}') t[c] = kRunChar;
    if (c == '(' || c == ')' || c == ';' || c == '"' || c == '\n') t[c] |= kSkimStop;
  }
  return t;
}();

constexpr bool is_idchar(unsigned char c) { return kCharClass[c] & kIdChar; }

constexpr int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Appends the bytes of a string token (text including quotes, already checked by the lexer).
inline void decode_string(std::string_view tok, std::string& out) {
  size_t end = tok.size() - 1;
  for (size_t i = 1; i < end; ++i) {
    char c = tok[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = tok[++i];
    switch (e) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '"': out += '"'; break;
      case '\'': out += '\''; break;
      case '\\': out += '\\'; break;
      case 'u': {
        uint32_t cp = 0;
        for (i += 2; tok[i] != '}'; ++i)
          if (tok[i] != '_') cp = cp * 16 + uint32_t(hex_digit(uint8_t(tok[i])));
        append_utf8(out, cp);
        break;
      }
      default:
        out += char(hex_digit(uint8_t(e)) * 16 + hex_digit(uint8_t(tok[i + 1])));
        ++i;
        break;
    }
  }
}

inline std::string decode_string(std::string_view tok) {
  std::string s;
  s.reserve(tok.size());
  decode_string(tok, s);
  return s;
}

// Whether a string token (quotes included) decodes to valid UTF-8, as names must.
inline bool valid_utf8_string(std::string_view tok) {
  const std::string s = decode_string(tok);
  return is_valid_utf8({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  std::string_view source() const { return src_; }
  LexPos pos() const { return pos_; }
  void set_pos(LexPos p) { pos_ = p; }
  const char* error() const { return error_; }
  // Line and column of the current position (after the last token).
  uint32_t line() const { return pos_.line; }
  uint32_t col() const { return uint32_t(pos_.offset - pos_.line_start + 1); }

  Token next() {
    if (!skip_space()) return err_token_;
    Token t;
    t.line = pos_.line;
    t.col = uint32_t(pos_.offset - pos_.line_start + 1);
    size_t start = pos_.offset;
    if (start >= src_.size()) {
      t.kind = Tok::Eof;
      return t;
    }
    unsigned char c = uint8_t(src_[start]);
    if (c == '(') {
      if (start + 1 < src_.size() && src_[start + 1] == '@') {
        pos_.offset = start + 2;
        size_t name_start = pos_.offset;
        if (!scan_run()) return err_token_;
        // An empty name comes out as an empty text: Parser rejects it where an annotation
        // starts ("empty annotation id"); inside an annotation's body `(@)` is just tokens.
        t.kind = Tok::Annot;
        t.text = src_.substr(name_start, pos_.offset - name_start);
        if (t.text.size() == 2 && t.text.front() == '"') t.text = {};
        if (t.text.size() > 2 && t.text.front() == '"' && t.text.back() == '"') {
          // A quoted name is a name: its escapes must decode to UTF-8.
          if (!valid_utf8_string(t.text)) return fail(t, "malformed UTF-8 encoding");
        }
        return t;
      }
      pos_.offset = start + 1;
      t.kind = Tok::LParen;
      t.text = src_.substr(start, 1);
      return t;
    }
    if (c == ')') {
      pos_.offset = start + 1;
      t.kind = Tok::RParen;
      t.text = src_.substr(start, 1);
      return t;
    }
    size_t strings = 0;
    bool only_idchars = true;
    if (!scan_run(&strings, &only_idchars)) return err_token_;
    size_t len = pos_.offset - start;
    if (len == 0) return fail(t, "illegal character");
    t.text = src_.substr(start, len);
    t.kind = classify(t.text, strings, only_idchars);
    if (t.kind == Tok::Id && len == 1) return fail(t, "empty identifier");
    if (t.kind == Tok::Id && t.text[1] == '"' && len == 3) return fail(t, "empty identifier");
    if (t.kind == Tok::Id && t.text[1] == '"' && !valid_utf8_string(t.text.substr(1)))
      return fail(t, "malformed UTF-8 encoding");
    return t;
  }

  // Skips to just past the ')' closing `depth` open parentheses, over strings and comments,
  // without making tokens (for text that is lexed again later: the encoder's first pass over
  // a module only needs field boundaries). False, with the position unchanged, where a raw
  // scan cannot tell: the text ends first, a string or block comment is unclosed, a string has
  // an escaped line break. The caller then skips token by token and reports the error.
  bool skip_balanced(size_t depth) {
    const LexPos saved = pos_;
    const size_t n = src_.size();
    size_t i = pos_.offset;
    while (i < n) {
      const char c = src_[i];
      if (!(kCharClass[uint8_t(c)] & kSkimStop)) {
        ++i;
        continue;
      }
      if (c == '(') {
        if (i + 1 < n && src_[i + 1] == ';') {
          pos_.offset = i;
          if (!skip_space()) break;
          i = pos_.offset;
          continue;
        }
        ++depth;
      } else if (c == ')') {
        if (--depth == 0) {
          pos_.offset = i + 1;
          return true;
        }
      } else if (c == '\n') {
        newline(i);
      } else if (c == ';' && i + 1 < n && src_[i + 1] == ';') {
        while (i < n && src_[i] != '\n') ++i;
        continue;
      } else if (c == '"') {
        for (++i; i < n && src_[i] != '"' && src_[i] != '\n'; ++i)
          if (src_[i] == '\\' && (++i >= n || src_[i] == '\n')) break;
        if (i >= n || src_[i] != '"') break;
      }
      ++i;
    }
    pos_ = saved;
    return false;
  }

 private:
  Token fail(Token t, const char* message) {
    error_ = message;
    t.kind = Tok::Error;
    err_token_ = t;
    return t;
  }

  void newline(size_t at) {
    ++pos_.line;
    pos_.line_start = at + 1;
  }

  // Skips white space and comments. False on an unclosed block comment.
  bool skip_space() {
    size_t i = pos_.offset;
    const size_t n = src_.size();
    while (i < n) {
      char c = src_[i];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
      } else if (c == '\n') {
        newline(i);
        ++i;
      } else if (c == ';' && i + 1 < n && src_[i + 1] == ';') {
        while (i < n && src_[i] != '\n' && src_[i] != '\r') ++i;  // a newline is LF, CR or CR LF
      } else if (c == '(' && i + 1 < n && src_[i + 1] == ';') {
        Token t;
        t.line = pos_.line;
        t.col = uint32_t(i - pos_.line_start + 1);
        size_t depth = 1;
        i += 2;
        while (depth > 0) {
          if (i + 1 >= n) {
            pos_.offset = n;
            fail(t, "unclosed comment");
            return false;
          }
          if (src_[i] == '(' && src_[i + 1] == ';') depth++, i += 2;
          else if (src_[i] == ';' && src_[i + 1] == ')') depth--, i += 2;
          else {
            if (src_[i] == '\n') newline(i);
            ++i;
          }
        }
      } else {
        break;
      }
    }
    pos_.offset = i;
    return true;
  }

  // Consumes a maximal run of id characters and strings (a token; juxtaposed pieces make a
  // reserved token). False on a malformed string. `only_idchars` is cleared when the run has
  // any other character (a string or , [ ] { } ;).
  bool scan_run(size_t* strings = nullptr, bool* only_idchars = nullptr) {
    size_t i = pos_.offset;
    const size_t n = src_.size();
    bool idchars = true;
    while (i < n) {
      unsigned char c = uint8_t(src_[i]);
      const uint8_t k = kCharClass[c];
      if (k & kRunChar) {
        idchars &= (k & kIdChar) != 0;
        ++i;
      } else if (c == '"') {
        idchars = false;
        pos_.offset = i;
        if (!scan_string()) return false;
        i = pos_.offset;
        if (strings) ++*strings;
      } else if (c == ';' && !(i + 1 < n && src_[i + 1] == ';')) {
        idchars = false;
        ++i;
      } else {
        break;
      }
    }
    pos_.offset = i;
    if (only_idchars) *only_idchars = idchars;
    return true;
  }

  bool scan_string() {
    Token t;
    t.line = pos_.line;
    t.col = uint32_t(pos_.offset - pos_.line_start + 1);
    size_t i = pos_.offset + 1;
    const size_t n = src_.size();
    while (true) {
      if (i >= n) return fail_at(t, i, "unclosed string");
      unsigned char c = uint8_t(src_[i]);
      if (c == '"') break;
      if (c == '\n') return fail_at(t, i, "unclosed string");
      if (c < 0x20 || c == 0x7F) return fail_at(t, i, "illegal control character");
      if (c == '\\') {
        if (i + 1 >= n) return fail_at(t, i, "unclosed string");
        unsigned char e = uint8_t(src_[i + 1]);
        if (e == 't' || e == 'n' || e == 'r' || e == '"' || e == '\'' || e == '\\') {
          i += 2;
        } else if (e == 'u') {
          i += 2;
          if (i >= n || src_[i] != '{') return fail_at(t, i, "illegal escape");
          ++i;
          uint64_t cp = 0;
          size_t digits = 0;
          bool last_digit = false;
          while (i < n && src_[i] != '}') {
            int d = hex_digit(uint8_t(src_[i]));
            if (d >= 0) {
              cp = cp * 16 + uint64_t(d);
              if (cp > 0x10FFFF) cp = 0x110000;
              ++digits;
              last_digit = true;
            } else if (src_[i] == '_' && last_digit) {
              last_digit = false;
            } else {
              return fail_at(t, i, "illegal escape");
            }
            ++i;
          }
          if (i >= n || digits == 0 || !last_digit) return fail_at(t, i, "illegal escape");
          if (cp >= 0x110000 || (cp >= 0xD800 && cp < 0xE000))
            return fail_at(t, i, "malformed UTF-8 encoding");
          ++i;
        } else if (hex_digit(e) >= 0 && i + 2 < n && hex_digit(uint8_t(src_[i + 2])) >= 0) {
          i += 3;
        } else {
          return fail_at(t, i, "illegal escape");
        }
      } else if (c < 0x80) {
        ++i;
      } else {
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (len > n - i ||
            !is_valid_utf8({reinterpret_cast<const uint8_t*>(src_.data() + i), len}) || len == 1)
          return fail_at(t, i, "malformed UTF-8 encoding");
        i += len;
      }
    }
    pos_.offset = i + 1;
    return true;
  }

  bool fail_at(Token t, size_t at, const char* message) {
    // Report the string's own position; a newline inside it moved nothing yet.
    (void)at;
    fail(t, message);
    return false;
  }

  static Tok classify(std::string_view s, size_t strings, bool only_idchars) {
    unsigned char c = uint8_t(s[0]);
    if (strings > 0) {
      if (s.front() == '"' && s.back() == '"' && strings == 1 && string_spans_all(s))
        return Tok::String;
      if (c == '$' && strings == 1 && s.size() >= 3 && s[1] == '"' && s.back() == '"' &&
          string_spans_all(s.substr(1)))
        return Tok::Id;
      return Tok::Reserved;
    }
    if (!only_idchars) return Tok::Reserved;
    if (c == '$') return Tok::Id;
    if (c >= '0' && c <= '9') return Tok::Number;
    if (c == '+' || c == '-') {
      if (s.size() > 1 && ((s[1] >= '0' && s[1] <= '9') || s.substr(1, 3) == "inf" ||
                           s.substr(1, 3) == "nan"))
        return Tok::Number;
      return Tok::Reserved;
    }
    if (c >= 'a' && c <= 'z') {
      if ((c == 'i' || c == 'n') && (s == "inf" || s == "nan" || s.substr(0, 4) == "nan:"))
        return Tok::Number;
      return Tok::Keyword;
    }
    return Tok::Reserved;
  }

  // True if the string starting at s[0] ends exactly at the end of s.
  static bool string_spans_all(std::string_view s) {
    size_t i = 1;
    while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
    return i == s.size() - 1;
  }

  std::string_view src_;
  LexPos pos_;
  const char* error_ = nullptr;
  Token err_token_;
};

}  // namespace wasm::detail::text
