// The text forms of the custom-descriptors proposal: descriptor and describes clauses, exact
// reference types, exact function imports and the descriptor instructions. Each expected byte
// string is written out from the proposal's binary format (proposals/custom-descriptors/
// Overview.md, "Binary Format"), not taken from our encoder.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/detail/text/wat.hpp"

using wasm::detail::text::EncodeOptions;
using wasm::detail::text::wat_to_wasm;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes encode(std::string_view text) {
  auto r = wat_to_wasm(text, EncodeOptions{false});
  if (!r) FAIL(r.error().message());
  return *r;
}

// The module's section `id` with its size and contents, as it must appear in the binary.
Bytes section(uint8_t id, const Bytes& contents) {
  Bytes s = {id, uint8_t(contents.size())};
  s.insert(s.end(), contents.begin(), contents.end());
  return s;
}

bool contains(const Bytes& haystack, const Bytes& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

// A whole module of one type section.
Bytes module_with(const Bytes& type_contents) {
  Bytes m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  Bytes t = section(0x01, type_contents);
  m.insert(m.end(), t.begin(), t.end());
  return m;
}

std::string error_of(std::string_view text) {
  auto r = wat_to_wasm(text);
  REQUIRE_FALSE(r);
  return r.error().message();
}

}  // namespace

TEST_CASE("custom descriptors: descriptor and describes clauses, byte for byte") {
  // One rec group of two: 0x4D x before the described struct, 0x4C x before the descriptor.
  Bytes expected = module_with({0x01, 0x4E, 0x02,        // 1 group, rec of 2
                                0x4D, 0x01, 0x5F, 0x00,  // (descriptor 1) (struct)
                                0x4C, 0x00, 0x5F, 0x01, 0x7F, 0x00});  // (describes 0) (struct i32)
  CHECK(encode("(rec (type $a (descriptor $b) (struct))"
               "     (type $b (describes $a) (struct (field i32))))") == expected);
  CHECK(encode("(rec (type (descriptor 1) (struct)) (type (describes 0) (struct (field i32))))") ==
        expected);
}

TEST_CASE("custom descriptors: clauses inside sub, and a type both described and describing") {
  auto bytes = encode(R"((rec
    (type $c (sub (descriptor $d) (struct)))
    (type $d (sub final $c (describes $c) (descriptor $e) (struct)))
    (type $e (describes $d) (struct))))");
  Bytes types = section(0x01, {0x01, 0x4E, 0x03,
                               0x50, 0x00, 0x4D, 0x01, 0x5F, 0x00,              // sub, no supers
                               0x4F, 0x01, 0x00, 0x4C, 0x00, 0x4D, 0x02, 0x5F, 0x00,  // sub final $c
                               0x4C, 0x01, 0x5F, 0x00});
  CHECK(contains(bytes, types));
}

TEST_CASE("custom descriptors: exact reference types encode 0x62 and a u32 index") {
  // The two encodings of exact.wast's "Binary encoding" section, from text.
  CHECK(encode("(type (struct (field (ref (exact 0)))))") ==
        module_with({0x01, 0x5F, 0x01, 0x64, 0x62, 0x00, 0x00}));
  CHECK(encode("(type $s (struct (field (ref null (exact $s)))))") ==
        module_with({0x01, 0x5F, 0x01, 0x63, 0x62, 0x00, 0x00}));
  // A nullable exact type has no shorthand byte, unlike (ref null func).
  auto bytes = encode("(type (func)) (func (param (ref null (exact 0))) (result funcref) unreachable)");
  CHECK(contains(bytes, section(0x01, {0x02, 0x60, 0x00, 0x00,
                                       0x60, 0x01, 0x63, 0x62, 0x00, 0x01, 0x70})));
}

TEST_CASE("custom descriptors: exact function imports use external kind 0x20") {
  auto bytes = encode(R"((type $f (func))
    (import "m" "a" (func (exact (type $f))))
    (func (import "m" "b") (exact (type 0)))
    (import "m" "c" (func (type $f))))");
  Bytes imports = section(0x02, {0x03,
                                 0x01, 'm', 0x01, 'a', 0x20, 0x00,
                                 0x01, 'm', 0x01, 'b', 0x20, 0x00,
                                 0x01, 'm', 0x01, 'c', 0x00, 0x00});
  CHECK(contains(bytes, imports));
  // An inline signature inside (exact ...) defines its type implicitly, as any typeuse does.
  auto inline_sig = encode("(import \"m\" \"f\" (func (exact (param i32) (result i64))))");
  CHECK(contains(inline_sig, section(0x01, {0x01, 0x60, 0x01, 0x7F, 0x01, 0x7E})));
  CHECK(contains(inline_sig, section(0x02, {0x01, 0x01, 'm', 0x01, 'f', 0x20, 0x00})));
}

TEST_CASE("custom descriptors: the new instructions and exact casts, byte for byte") {
  auto bytes = encode(R"((rec
      (type $a (descriptor $b) (struct (field i32)))
      (type $b (describes $a) (struct)))
    (func (param (ref null (exact $b))) (param anyref) (result anyref)
      (drop (struct.new_desc $a (i32.const 7) (local.get 0)))
      (drop (struct.new_default_desc $a (local.get 0)))
      (drop (ref.get_desc $a (struct.new_default_desc $a (local.get 0))))
      (drop (ref.cast_desc_eq (ref (exact $a)) (local.get 1) (local.get 0)))
      (drop (ref.cast_desc_eq (ref null $a) (local.get 1) (local.get 0)))
      (drop (block (result anyref)
        (br_on_cast_desc_eq 0 anyref (ref (exact $a)) (local.get 1) (local.get 0))))
      (drop (block (result anyref)
        (br_on_cast_desc_eq_fail 0 anyref (ref null $a) (local.get 1) (local.get 0))))
      (ref.test (ref null (exact $a)) (local.get 1)) (drop)
      (ref.cast (ref (exact $a)) (local.get 1))))");
  Bytes code = {
      0x41, 0x07, 0x20, 0x00, 0xFB, 0x20, 0x00, 0x1A,        // struct.new_desc $a
      0x20, 0x00, 0xFB, 0x21, 0x00, 0x1A,                    // struct.new_default_desc $a
      0x20, 0x00, 0xFB, 0x21, 0x00, 0xFB, 0x22, 0x00, 0x1A,  // ref.get_desc $a
      0x20, 0x01, 0x20, 0x00, 0xFB, 0x23, 0x62, 0x00, 0x1A,  // ref.cast_desc_eq (ref (exact $a))
      0x20, 0x01, 0x20, 0x00, 0xFB, 0x24, 0x00, 0x1A,        // ref.cast_desc_eq (ref null $a)
      0x02, 0x6E, 0x20, 0x01, 0x20, 0x00,                    // block (result anyref)
      0xFB, 0x25, 0x01, 0x00, 0x6E, 0x62, 0x00, 0x0B, 0x1A,  // flags: first nullable; exact $a
      0x02, 0x6E, 0x20, 0x01, 0x20, 0x00,
      0xFB, 0x26, 0x03, 0x00, 0x6E, 0x00, 0x0B, 0x1A,        // flags: both nullable
      0x20, 0x01, 0xFB, 0x15, 0x62, 0x00, 0x1A,              // ref.test (ref null (exact $a))
      0x20, 0x01, 0xFB, 0x16, 0x62, 0x00, 0x0B};             // ref.cast (ref (exact $a))
  CHECK(contains(bytes, code));
}

TEST_CASE("custom descriptors: malformed text forms fail with line:column") {
  // Clause order is describes then descriptor, each at most once.
  CHECK(error_of("(rec (type (descriptor 1) (describes 1) (struct)) (type (struct)))") ==
        "1:28: unexpected token");
  CHECK(error_of("(rec (type (descriptor 1) (descriptor 1) (struct)) (type (struct)))") ==
        "1:28: unexpected token");
  // Exactness takes its own parentheses and a type index, and appears only in a ref type.
  CHECK(error_of("(type (struct (field (ref exact 0))))") == "1:27: unexpected token");
  CHECK(error_of("(type (struct (field (ref (exact)))))").find("unexpected token") !=
        std::string::npos);
  CHECK(error_of("(type (struct (field (exact 0))))").find("unexpected token") !=
        std::string::npos);
  CHECK(error_of("(type (struct (field (ref (exact func)))))").find("1:34:") == 0);
  CHECK(error_of("(type (struct (field (ref (exact $nope)))))").find("unknown type") !=
        std::string::npos);
}

namespace {

// The error of decoding and validating `text`'s encoding with every feature on ("<ok>" if none).
wasm::Error load_error(std::string_view text) {
  wasm::Features all;
  all.enable_all();
  Bytes bin = encode(text);
  auto m = wasm::detail::decode_module(bin, all);
  if (!m) return m.error();
  auto v = wasm::detail::validate_module(*m, all);
  if (!v) return v.error();
  return wasm::Error(wasm::ErrorKind::Validate, "<ok>");
}

}  // namespace

TEST_CASE("custom descriptors: the runtime refuses the encodings as Unsupported, not malformed") {
  // Exact heap types in a value type, in a cast's immediate and in ref.null; an exact import.
  for (std::string_view text :
       {"(type $f (func)) (global (ref null (exact $f)) (ref.null nofunc))",
        "(type $f (func)) (func (param funcref) (result i32) (ref.test (ref (exact $f)) (local.get 0)))",
        "(type $f (func)) (func (param funcref) (result funcref)"
        "  (br_on_cast 0 funcref (ref null (exact $f)) (local.get 0)))",
        "(type $f (func)) (func (drop (ref.null (exact $f))))",
        "(type $f (func)) (import \"m\" \"f\" (func (exact (type $f))))"}) {
    INFO(text);
    wasm::Error e = load_error(text);
    CHECK(e.kind() == wasm::ErrorKind::Unsupported);
    CHECK(e.message().find("custom descriptors") != std::string::npos);
  }
  // Descriptor instructions decode (0xFB 32..38) and are not implemented.
  wasm::Error e = load_error("(type $f (func)) (func (ref.get_desc $f (ref.null nofunc)) (drop))");
  CHECK(e.kind() == wasm::ErrorKind::Unsupported);
  CHECK(e.message() == "instruction ref.get_desc not implemented");
  // A repeated exact prefix is malformed (as in exact.wast), whatever the runtime implements:
  // here in the parameter of a function type, (func (param (ref exact exact 0))).
  Bytes repeated = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01,
                    0x60, 0x01, 0x64, 0x62, 0x62, 0x00, 0x00};
  wasm::Features all;
  all.enable_all();
  auto m = wasm::detail::decode_module(repeated, all);
  REQUIRE_FALSE(m);
  CHECK(m.error().kind() == wasm::ErrorKind::Decode);
}
