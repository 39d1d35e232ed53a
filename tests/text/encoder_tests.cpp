// The text encoder (wat_to_wasm) and Module::from_wat.
#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include <wasm.hpp>

#include "wasm/detail/text/wat.hpp"

using wasm::detail::text::EncodeOptions;
using wasm::detail::text::wat_to_wasm;

namespace {

std::vector<uint8_t> encode(std::string_view text) {
  auto r = wat_to_wasm(text, EncodeOptions{false});
  if (!r) FAIL(r.error().message());
  return *r;
}

std::string error_of(std::string_view text) {
  auto r = wat_to_wasm(text);
  REQUIRE_FALSE(r);
  return r.error().message();
}

}  // namespace

TEST_CASE("encoder: a small module, byte for byte") {
  // Section bytes written out from the binary format's definition.
  std::vector<uint8_t> expected = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                   0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,  // type
                                   0x03, 0x02, 0x01, 0x00,                    // func
                                   0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,  // export "f"
                                   0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b};
  CHECK(encode("(module (func (export \"f\") (result i32) i32.const 42))") == expected);
  // Folded form, bare fields and a comment give the same bytes.
  CHECK(encode(";; c\n(func (export \"f\") (result i32) (i32.const 42))") == expected);
}

TEST_CASE("encoder: inline function types reuse the first identical type, else append") {
  auto bytes = encode("(type $a (func (param i32))) (func (param i32)) (func (result f32))");
  // type section: 2 types: (i32)->() and ()->(f32); function section: types 0 and 1.
  std::vector<uint8_t> types = {0x01, 0x09, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x7d};
  std::vector<uint8_t> funcs = {0x03, 0x03, 0x02, 0x00, 0x01};
  CHECK(std::search(bytes.begin(), bytes.end(), types.begin(), types.end()) != bytes.end());
  CHECK(std::search(bytes.begin(), bytes.end(), funcs.begin(), funcs.end()) != bytes.end());
}

TEST_CASE("encoder: names resolve in every index space, forward references included") {
  auto bytes = encode(R"((module
    (func $a (call $b) (global.set $g (i32.const 1)))
    (func $b)
    (global $g (mut i32) (i32.const 0))
    (table $t 1 funcref)
    (elem (table $t) (i32.const 0) func $b)))");
  // Code of $a: call 1, i32.const 1, global.set 0.
  std::vector<uint8_t> body = {0x10, 0x01, 0x41, 0x01, 0x24, 0x00, 0x0b};
  CHECK(std::search(bytes.begin(), bytes.end(), body.begin(), body.end()) != bytes.end());
}

TEST_CASE("encoder: errors carry line:column and the spec's wording") {
  CHECK(error_of("(module\n  (func (i32.const 0x1_0000_0000)))") == "2:20: constant out of range");
  CHECK(error_of("(func i32.frob)") == "1:7: unknown operator");
  CHECK(error_of("(func block $a end $b)") == "1:20: mismatching label");
  CHECK(error_of("(func $f) (func $f)") == "1:17: duplicate func");
  CHECK(error_of("(func (br $nowhere))").find("unknown label") != std::string::npos);
  CHECK(error_of("(func) (import \"a\" \"b\" (func))").find("import after func") !=
        std::string::npos);
  CHECK(error_of("(memory 1) (func (i32.load align=3 (i32.const 0)) drop)")
            .find("alignment must be a power of two") != std::string::npos);
  CHECK(error_of("(module") == "1:8: unexpected end of input");
}

TEST_CASE("encoder: deep nesting is an error, not a stack overflow") {
  std::string deep = "(func ";
  for (int i = 0; i < 100000; ++i) deep += "(block ";
  deep += std::string(100001, ')');
  CHECK(error_of(deep).find("nesting too deep") != std::string::npos);
  std::string plain = "(func ";
  for (int i = 0; i < 100000; ++i) plain += "block ";
  for (int i = 0; i < 100000; ++i) plain += "end ";
  plain += ")";
  CHECK(error_of(plain).find("nesting too deep") != std::string::npos);
}

TEST_CASE("from_wat: compiles text and runs it; names reach the name section") {
  wasm::Engine engine;
  auto module = wasm::Module::from_wat(engine, R"((module
    (func $add (export "add") (param $x i32) (param $y i32) (result i32)
      (i32.add (local.get $x) (local.get $y)))))");
  REQUIRE(module);
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto instance = linker.instantiate(store, *module);
  REQUIRE(instance);
  auto add = instance->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "add");
  REQUIRE(add);
  auto sum = add->call(store, 40, 2);
  REQUIRE(sum);
  CHECK(*sum == 42);

  auto bad = wasm::Module::from_wat(engine, "(module\n (func (result i32) (i32.const nan)))");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == wasm::ErrorKind::Decode);
  CHECK(bad.error().message() == "2:32: unexpected token");

  auto named = wat_to_wasm("(module $m (func $fn (param $p i32)))");
  REQUIRE(named);
  std::string s(named->begin(), named->end());
  CHECK(s.find("name") != std::string::npos);
  CHECK(s.find("fn") != std::string::npos);
  CHECK(s.find("\x01p", 0, 2) != std::string::npos);
}

TEST_CASE("encoder: the first pass skims fields by parentheses; errors keep line:column") {
  // Parentheses inside strings and comments end nothing: $b and $g resolve after them.
  auto bytes = encode("(func $a (call $b)) (memory 1) (data (i32.const 0) \"(\" \")(\\\")\")\n"
                      "(func $b (; ( (; ) ;) ;) ;; (\n nop) (global $g i32 (i32.const 7))"
                      " (func (result i32) (global.get $g))");
  std::vector<uint8_t> call_b = {0x10, 0x01, 0x0b};
  std::vector<uint8_t> data = {0x05, '(', ')', '(', '"', ')'};
  CHECK(std::search(bytes.begin(), bytes.end(), call_b.begin(), call_b.end()) != bytes.end());
  CHECK(std::search(bytes.begin(), bytes.end(), data.begin(), data.end()) != bytes.end());
  // Lexical errors in a skimmed field are reported where they are, by the pass that reads it.
  CHECK(error_of("(func)\n(func (drop (i32.const 0)) \"a\\q\")") == "2:28: illegal escape");
  CHECK(error_of("(func)\n(data \"abc") == "2:7: unclosed string");
  CHECK(error_of("(func)\n(func (; open") == "2:7: unclosed comment");
  CHECK(error_of("(func)\n(func \"a\\\nb\")") == "2:7: illegal escape");
  // Lines are counted across a skimmed field, comments and strings included.
  CHECK(error_of("(func\n  (; a\n b ;) ;; c\n nop)\n(func i32.frob)") == "5:7: unknown operator");
}
