#pragma once
// Parser: a token cursor over WebAssembly text with the helpers every grammar rule needs.
//
// How to use it (module encoder, .wast script reader):
//   Parser p(source);
//   p.expect_lparen(); p.expect_keyword("module"); auto id = p.opt_id(); ...
//   if (p.at_lparen_keyword("invoke")) { p.next(); p.next(); ... p.expect_rparen(); }
// - peek()/peek2() look one and two tokens ahead; next() consumes one.
// - Errors are thrown as ParseError{line, col, message} with the spec's wording ("unexpected
//   token", "unknown operator", "constant out of range", ...). Catch it at the entry point
//   (wat_to_wasm does) and turn it into a wasm::Error with "line:col: message".
// - Annotations `(@name ...)` are skipped with their balanced body, except `(@custom ...)`,
//   which comes out as a Tok::Annot token (module fields read it; anywhere else it is an
//   unexpected token, as the annotations proposal makes misplaced @custom malformed).
// - Nesting: call enter() on every '(' a recursive rule descends into and leave() on its ')'
//   (DepthGuard does both); past kMaxDepth the parser fails with "nesting too deep" instead of
//   overflowing the native stack.
// - mark()/reset() save and restore the position (two passes over a module, or `module quote`
//   text found later). Literal helpers (u32, i32, f64, v128, ...) consume one token each.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "wasm/detail/binary/utf8.hpp"
#include "wasm/detail/text/lexer.hpp"
#include "wasm/detail/text/numbers.hpp"

namespace wasm::detail::text {

struct ParseError {
  uint32_t line = 0;
  uint32_t col = 0;
  std::string message;

  std::string to_string() const {
    return std::to_string(line) + ":" + std::to_string(col) + ": " + message;
  }
};

class Parser {
 public:
  static constexpr uint32_t kMaxDepth = 1000;

  explicit Parser(std::string_view src) : lexer_(src) {}

  std::string_view source() const { return lexer_.source(); }

  // --- Cursor --------------------------------------------------------------------------------
  const Token& peek() {
    if (count_ == 0) fill();
    return buf_[0];
  }
  const Token& peek2() {
    if (count_ == 0) fill();
    if (count_ == 1) fill();
    return buf_[1];
  }
  Token next() {
    Token t = peek();
    buf_[0] = buf_[1];
    before_[0] = before_[1];
    --count_;
    return t;
  }

  LexPos mark() {
    return count_ > 0 ? before_[0] : lexer_.pos();
  }
  void reset(LexPos p) {
    lexer_.set_pos(p);
    count_ = 0;
  }
  // Offset in the source of the next token's first character.
  size_t offset() {
    const Token& t = peek();
    return size_t(t.text.data() - lexer_.source().data());
  }

  bool at(Tok k) { return peek().kind == k; }
  bool at_keyword(std::string_view kw) {
    const Token& t = peek();
    return t.kind == Tok::Keyword && t.text == kw;
  }
  bool at_lparen_keyword(std::string_view kw) {
    if (peek().kind != Tok::LParen) return false;
    const Token& t = peek2();
    return t.kind == Tok::Keyword && t.text == kw;
  }
  // The keyword after '(' when the next token is '(' keyword, else empty.
  std::string_view lparen_keyword() {
    if (peek().kind != Tok::LParen) return {};
    const Token& t = peek2();
    return t.kind == Tok::Keyword ? t.text : std::string_view{};
  }
  bool eat_keyword(std::string_view kw) {
    if (!at_keyword(kw)) return false;
    next();
    return true;
  }
  // Consumes '(' kw when present.
  bool eat_lparen_keyword(std::string_view kw) {
    if (!at_lparen_keyword(kw)) return false;
    next();
    next();
    return true;
  }
  void expect_lparen() {
    if (!at(Tok::LParen)) fail_unexpected();
    next();
  }
  void expect_rparen() {
    if (!at(Tok::RParen)) fail_unexpected();
    next();
  }
  void expect_keyword(std::string_view kw) {
    if (!at_keyword(kw)) fail_unexpected();
    next();
  }
  std::string_view keyword() {
    if (!at(Tok::Keyword)) fail_unexpected();
    return next().text;
  }

  // Skips tokens up to and including the ')' that closes an already consumed '('.
  void skip_to_close(size_t depth = 1) {
    while (true) {
      Token t = next();
      if (t.kind == Tok::LParen || t.kind == Tok::Annot) ++depth;
      else if (t.kind == Tok::RParen && --depth == 0) return;
      else if (t.kind == Tok::Eof) fail(t, "unexpected end of input");
    }
  }

  // skip_to_close() for text that is read again later (the encoder's first pass): balances
  // parentheses without lexing tokens, so errors inside are reported when it is read again.
  void skip_to_close_unchecked() {
    size_t depth = 1;
    while (count_ > 0) {
      Token t = next();
      if (t.kind == Tok::LParen || t.kind == Tok::Annot) ++depth;
      else if (t.kind == Tok::RParen && --depth == 0) return;
      else if (t.kind == Tok::Eof) fail(t, "unexpected end of input");
    }
    if (!lexer_.skip_balanced(depth)) skip_to_close(depth);
  }

  // --- Identifiers and strings ----------------------------------------------------------------
  std::optional<Token> opt_id() {
    if (!at(Tok::Id)) return std::nullopt;
    return next();
  }
  // The name an id stands for: text after '$', or the decoded quoted string. Plain ids are
  // returned as views into the source; quoted ones are decoded into `storage`.
  static std::string_view id_name(const Token& id, std::string& storage) {
    if (id.text.size() > 1 && id.text[1] == '"') {
      storage = decode_string(id.text.substr(1));
      return storage;
    }
    return id.text.substr(1);
  }
  std::string string() {
    if (!at(Tok::String)) fail_unexpected();
    return decode_string(next().text);
  }
  // A string that must be valid UTF-8 (names of imports, exports, custom sections).
  std::string name() {
    const Token t = peek();
    std::string s = string();
    if (!is_valid_utf8({reinterpret_cast<const uint8_t*>(s.data()), s.size()}))
      fail(t, "malformed UTF-8 encoding");
    return s;
  }

  // --- Numbers --------------------------------------------------------------------------------
  uint32_t u32() { return uint32_t(unsigned_literal(0xFFFFFFFFull)); }
  uint64_t u64() { return unsigned_literal(UINT64_MAX); }
  uint64_t unsigned_literal(uint64_t max) {
    const Token t = peek();
    uint64_t v = 0;
    bool range = false;
    if (t.kind != Tok::Number || !parse_unsigned(t.text, max, &v, &range)) fail_unexpected();
    if (range) fail(t, "constant out of range");
    next();
    return v;
  }
  bool at_u32() {
    const Token& t = peek();
    return t.kind == Tok::Number && t.text[0] >= '0' && t.text[0] <= '9';
  }
  // An iN literal as its N-bit pattern; `what` names the type in range errors.
  uint64_t int_literal(unsigned bits) {
    const Token t = peek();
    uint64_t v = 0;
    bool range = false;
    if (t.kind != Tok::Number || !parse_int(t.text, bits, &v, &range)) fail_unexpected();
    if (range) fail(t, "constant out of range");
    next();
    return v;
  }
  uint32_t i32() { return uint32_t(int_literal(32)); }
  uint64_t i64() { return int_literal(64); }
  uint64_t float_literal(unsigned bits) {
    const Token t = peek();
    uint64_t v = 0;
    bool range = false;
    if (t.kind != Tok::Number || !parse_float(t.text, bits, &v, &range)) fail_unexpected();
    if (range) fail(t, "constant out of range");
    next();
    return v;
  }
  uint32_t f32() { return uint32_t(float_literal(32)); }
  uint64_t f64() { return float_literal(64); }

  // v128 literal after `v128.const`: a shape keyword and its lanes, little-endian bytes.
  std::array<uint8_t, 16> v128() {
    std::array<uint8_t, 16> out{};
    const Token shape = peek();
    if (shape.kind != Tok::Keyword) fail_unexpected();
    unsigned lanes = 0, bits = 0;
    bool is_float = false;
    std::string_view s = shape.text;
    if (s == "i8x16") lanes = 16, bits = 8;
    else if (s == "i16x8") lanes = 8, bits = 16;
    else if (s == "i32x4") lanes = 4, bits = 32;
    else if (s == "i64x2") lanes = 2, bits = 64;
    else if (s == "f32x4") lanes = 4, bits = 32, is_float = true;
    else if (s == "f64x2") lanes = 2, bits = 64, is_float = true;
    else fail(shape, "unexpected token");
    next();
    for (unsigned i = 0; i < lanes; ++i) {
      if (!at(Tok::Number)) fail(peek(), "wrong number of lane literals");
      uint64_t v = is_float ? float_literal(bits) : int_literal(bits);
      std::memcpy(out.data() + i * (bits / 8), &v, bits / 8);
    }
    return out;
  }

  // --- Errors and depth -----------------------------------------------------------------------
  [[noreturn]] static void fail(const Token& t, std::string message) {
    throw ParseError{t.line, t.col, std::move(message)};
  }
  [[noreturn]] void fail_here(std::string message) { fail(peek(), std::move(message)); }
  [[noreturn]] void fail_unexpected() {
    const Token& t = peek();
    if (t.kind == Tok::Eof) fail(t, "unexpected end of input");
    if (t.kind == Tok::Error) fail(t, lexer_.error());
    fail(t, "unexpected token");
  }

  void enter() {
    if (++depth_ > kMaxDepth) fail_here("nesting too deep");
  }
  void leave() { --depth_; }
  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p_(p) { p_.enter(); }
    ~DepthGuard() { p_.leave(); }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    Parser& p_;
  };

 private:
  // Lexes the next significant token into the lookahead buffer, skipping annotations other
  // than @custom. A lexical error becomes a thrown ParseError.
  void fill() {
    while (true) {
      LexPos before = lexer_.pos();
      Token t = lexer_.next();
      if (t.kind == Tok::Error) fail(t, lexer_.error());
      if (t.kind == Tok::Annot && t.text.empty()) fail(t, "empty annotation id");
      if (t.kind == Tok::Annot && t.text != "custom") {
        skip_annotation(t);
        continue;
      }
      before_[count_] = before;
      buf_[count_++] = t;
      return;
    }
  }
  void skip_annotation(const Token& open) {
    size_t depth = 1;
    while (depth > 0) {
      Token t = lexer_.next();
      if (t.kind == Tok::Error) fail(t, lexer_.error());
      if (t.kind == Tok::Eof) fail(open, "unclosed annotation");
      if (t.kind == Tok::LParen || t.kind == Tok::Annot) ++depth;
      else if (t.kind == Tok::RParen) --depth;
    }
  }

  Lexer lexer_;
  Token buf_[2];
  LexPos before_[2];
  uint32_t count_ = 0;
  uint32_t depth_ = 0;
};

}  // namespace wasm::detail::text
