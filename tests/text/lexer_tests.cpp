// Lexer, number literals and Parser helpers of the text format.
#include <catch2/catch.hpp>

#include <bit>
#include <string>
#include <vector>

#include "wasm/detail/text/parser.hpp"

using namespace wasm::detail::text;

namespace {

std::vector<Token> lex_all(std::string_view src) {
  Lexer lx(src);
  std::vector<Token> out;
  while (true) {
    Token t = lx.next();
    out.push_back(t);
    if (t.kind == Tok::Eof || t.kind == Tok::Error) return out;
  }
}

uint64_t f32_bits(std::string_view s) {
  uint64_t v = 0;
  bool range = false;
  REQUIRE(parse_float(s, 32, &v, &range));
  REQUIRE_FALSE(range);
  return v;
}
uint64_t f64_bits(std::string_view s) {
  uint64_t v = 0;
  bool range = false;
  REQUIRE(parse_float(s, 64, &v, &range));
  REQUIRE_FALSE(range);
  return v;
}
bool float_out_of_range(std::string_view s, unsigned bits) {
  uint64_t v = 0;
  bool range = false;
  return parse_float(s, bits, &v, &range) && range;
}
bool int_out_of_range(std::string_view s, unsigned bits) {
  uint64_t v = 0;
  bool range = false;
  return parse_int(s, bits, &v, &range) && range;
}
uint64_t int_bits(std::string_view s, unsigned bits) {
  uint64_t v = 0;
  bool range = false;
  REQUIRE(parse_int(s, bits, &v, &range));
  REQUIRE_FALSE(range);
  return v;
}

}  // namespace

TEST_CASE("lexer: token kinds, positions, comments") {
  auto toks = lex_all("(module ;; line comment\n  (; block (; nested ;) ;) $f \"s\\n\" 12 -3 inf foo)");
  REQUIRE(toks.size() == 10);
  CHECK(toks[0].kind == Tok::LParen);
  CHECK(toks[1].kind == Tok::Keyword);
  CHECK(toks[1].text == "module");
  CHECK(toks[2].kind == Tok::Id);
  CHECK(toks[2].line == 2);
  CHECK(toks[2].col == 28);
  CHECK(toks[3].kind == Tok::String);
  CHECK(decode_string(toks[3].text) == "s\n");
  CHECK(toks[4].kind == Tok::Number);
  CHECK(toks[5].kind == Tok::Number);
  CHECK(toks[6].kind == Tok::Number);
  CHECK(toks[7].kind == Tok::Keyword);
  CHECK(toks[8].kind == Tok::RParen);
  CHECK(toks[9].kind == Tok::Eof);
}

TEST_CASE("lexer: strings decode every escape and reject bad ones") {
  auto t = lex_all(R"("\t\n\r\"\'\\\00\ff\u{41}\u{10FFFF}\u{0_0e9}")");
  REQUIRE(t[0].kind == Tok::String);
  std::string s = decode_string(t[0].text);
  CHECK(s == std::string("\t\n\r\"'\\\0\xff" "A\xF4\x8F\xBF\xBF\xC3\xA9", 15));
  CHECK(lex_all("\"abc").back().kind == Tok::Error);
  CHECK(lex_all("\"\\q\"").back().kind == Tok::Error);
  CHECK(lex_all("\"\\u{D800}\"").back().kind == Tok::Error);
  CHECK(lex_all("\"\\u{110000}\"").back().kind == Tok::Error);
  CHECK(lex_all("\"\x01\"").back().kind == Tok::Error);
  CHECK(lex_all("\"\xC3\"").back().kind == Tok::Error);  // truncated UTF-8 in the source
  CHECK(lex_all("(; unclosed").back().kind == Tok::Error);
}

TEST_CASE("lexer: quoted ids, reserved tokens, annotations") {
  auto t = lex_all("$\"a b\" $x\"y\" \"a\"\"b\" (@custom \"x\") $ 0x1g");
  CHECK(t[0].kind == Tok::Id);
  std::string storage;
  CHECK(Parser::id_name(t[0], storage) == "a b");
  CHECK(t[1].kind == Tok::Reserved);
  CHECK(t[2].kind == Tok::Reserved);
  CHECK(t[3].kind == Tok::Annot);
  CHECK(t[3].text == "custom");
  CHECK(t[6].kind == Tok::Error);  // "$" alone: empty identifier
}

TEST_CASE("numbers: integers with underscores, hex, signs and ranges") {
  CHECK(int_bits("1_000", 32) == 1000);
  CHECK(int_bits("0xFF_FF", 32) == 0xFFFF);
  CHECK(int_bits("-1", 32) == 0xFFFFFFFF);
  CHECK(int_bits("4294967295", 32) == 0xFFFFFFFF);
  CHECK(int_bits("-2147483648", 32) == 0x80000000);
  CHECK(int_bits("-0x8000000000000000", 64) == 0x8000000000000000);
  CHECK(int_bits("18446744073709551615", 64) == UINT64_MAX);
  CHECK(int_out_of_range("4294967296", 32));
  CHECK(int_out_of_range("-2147483649", 32));
  CHECK(int_out_of_range("18446744073709551616", 64));
  CHECK(int_out_of_range("256", 8));
  CHECK(int_bits("-128", 8) == 0x80);
  uint64_t v = 0;
  bool range = false;
  CHECK_FALSE(parse_int("1__0", 32, &v, &range));
  CHECK_FALSE(parse_int("_1", 32, &v, &range));
  CHECK_FALSE(parse_int("1_", 32, &v, &range));
  CHECK_FALSE(parse_int("0x", 32, &v, &range));
  CHECK_FALSE(parse_int("1.5", 32, &v, &range));
}

TEST_CASE("numbers: floats round correctly, hex floats, nan payloads") {
  CHECK(f32_bits("0x1p-149") == 1);                  // smallest subnormal
  CHECK(f32_bits("0x1.fffffep127") == 0x7F7FFFFF);   // largest finite
  CHECK(f32_bits("0x1.fffffefffffffffp127") == 0x7F7FFFFF);  // just below the halfway point
  CHECK(float_out_of_range("0x1.ffffffp127", 32));   // halfway rounds to even: infinity
  CHECK(float_out_of_range("1e39", 32));
  CHECK(f32_bits("0x1.000001p0") == 0x3F800000);     // tie rounds to even (down)
  CHECK(f32_bits("0x1.000003p0") == 0x3F800002);     // tie rounds to even (up)
  CHECK(f32_bits("1.000000059604644775390625") == 0x3F800000);  // decimal tie, even
  CHECK(f32_bits("1.0000000596046447753906251") == 0x3F800001);
  CHECK(f64_bits("0x1.fffffffffffff7ffp1023") == 0x7FEFFFFFFFFFFFFFull);
  CHECK(f64_bits("0x1.fffffffffffff8p1022") == 0x7FDFFFFFFFFFFFFFull + 1);
  CHECK(float_out_of_range("0x1.fffffffffffff8p1023", 64));
  CHECK(f64_bits("1_000.000_1") == std::bit_cast<uint64_t>(1000.0001));
  CHECK(f64_bits("-0") == 0x8000000000000000ull);
  CHECK(f64_bits("0x1p-1074") == 1);
  CHECK(f64_bits("1e-400") == 0);  // underflow is not an error
  CHECK(f32_bits("inf") == 0x7F800000);
  CHECK(f32_bits("-inf") == 0xFF800000);
  CHECK(f32_bits("nan") == 0x7FC00000);
  CHECK(f32_bits("-nan:0x1") == 0xFF800001);
  CHECK(f64_bits("nan:0xf_ffff_ffff_ffff") == 0x7FFFFFFFFFFFFFFFull);
  CHECK(float_out_of_range("nan:0x800000", 32));
  CHECK(float_out_of_range("nan:0x0", 32));
  CHECK(f32_bits("1.e1") == 0x41200000);
  CHECK(f32_bits("0x1P+1") == 0x40000000);
  uint64_t v = 0;
  bool range = false;
  CHECK_FALSE(parse_float("0x.8p1", 32, &v, &range));
  CHECK_FALSE(parse_float(".5", 32, &v, &range));
  CHECK_FALSE(parse_float("1e", 32, &v, &range));
  CHECK_FALSE(parse_float("1._5", 32, &v, &range));
  CHECK_FALSE(parse_float("nan:1", 32, &v, &range));
  CHECK_FALSE(parse_float("infinity", 32, &v, &range));
}

TEST_CASE("parser: literals, errors with line:column, depth limit") {
  Parser p("(i32 -1 0xFFFFFFFF\n 4294967296)");
  p.expect_lparen();
  CHECK(p.keyword() == "i32");
  CHECK(p.i32() == 0xFFFFFFFF);
  CHECK(p.i32() == 0xFFFFFFFF);
  try {
    p.i32();
    FAIL("no error");
  } catch (const ParseError& e) {
    CHECK(e.line == 2);
    CHECK(e.col == 2);
    CHECK(e.message == "constant out of range");
  }
  Parser q("(@foo (bar \"baz\") x) (v128.const i16x8 1 2 3)");
  q.expect_lparen();
  q.expect_keyword("v128.const");
  try {
    q.v128();
    FAIL("no error");
  } catch (const ParseError& e) {
    CHECK(e.message == "wrong number of lane literals");
  }
  std::string deep(5000, '(');
  Parser d(deep);
  try {
    for (int i = 0; i < 5000; ++i) {
      d.expect_lparen();
      d.enter();
    }
    FAIL("no error");
  } catch (const ParseError& e) {
    CHECK(e.message == "nesting too deep");
  }
}

TEST_CASE("lexer: token classes from the character table") {
  // , [ ] { } and a lone ; continue a token but make it reserved; ;; ends it.
  auto t = lex_all("a,b x[0] {y} i32;add nan:0x1 inf $a;;c\n-nan +0x1p3 n ia");
  std::vector<Tok> kinds;
  for (const Token& tok : t) kinds.push_back(tok.kind);
  std::vector<Tok> expected = {Tok::Reserved, Tok::Reserved, Tok::Reserved, Tok::Reserved,
                               Tok::Number,   Tok::Number,   Tok::Id,       Tok::Number,
                               Tok::Number,   Tok::Keyword,  Tok::Keyword,  Tok::Eof};
  CHECK(kinds == expected);
  CHECK(t[6].text == "$a");
  CHECK(is_idchar('~'));
  CHECK_FALSE(is_idchar(','));
  CHECK_FALSE(is_idchar('('));
  CHECK_FALSE(is_idchar(0xC3));
}
