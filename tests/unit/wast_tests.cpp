// Unit tests of the .wast script layer (include/wasm/wast/): reading commands and values,
// comparing results, trap-message matching, counting outcomes; and the spec runner's pin files.
#include <catch2/catch.hpp>

#include <sstream>

#include "../spec/pins.hpp"
#include "wasm/wast/wast.hpp"

using namespace wasm::wast;
using wasmpp_spec::check_pin;
using wasmpp_spec::find_pin;
using wasmpp_spec::parse_pins;
using wasmpp_spec::Pin;
using wasmpp_spec::PinCheck;

namespace {

// The only command of `script`, which must read.
Command one(std::string_view script) {
  std::vector<Command> cs = parse_script(script);
  REQUIRE(cs.size() == 1);
  INFO(cs[0].text);
  REQUIRE(cs[0].kind != CommandKind::Bad);
  return cs[0];
}

// The arguments of `(invoke "f" ARGS)`.
std::vector<Value> args(const std::string& a) { return one("(invoke \"f\" " + a + ")").action.args; }

// The expected results of `(assert_return (invoke "f") RESULTS)`.
std::vector<ExpectedValue> results(const std::string& r) {
  return one("(assert_return (invoke \"f\") " + r + ")").expected;
}
ExpectedValue result(const std::string& r) {
  auto rs = results(r);
  REQUIRE(rs.size() == 1);
  return rs[0];
}

bool reads(const std::string& script) {
  std::vector<Command> cs = parse_script(script);
  return cs.size() == 1 && cs[0].kind != CommandKind::Bad;
}

}  // namespace

TEST_CASE("wast: integer arguments are bit patterns, signed or unsigned, decimal or hex", "[wast]") {
  auto v = args("(i32.const 0) (i32.const 4294967295) (i32.const -1) (i32.const -0x8000_0000) (i64.const -1)");
  REQUIRE(v.size() == 5);
  CHECK(v[0].type == ValueType::I32);
  CHECK(v[0].bits == 0);
  CHECK(v[1].bits == 0xffffffffu);
  CHECK(v[2].bits == 0xffffffffu);
  CHECK(v[3].bits == 0x80000000u);
  CHECK(v[4].type == ValueType::I64);
  CHECK(v[4].bits == ~uint64_t(0));
  CHECK_FALSE(reads("(invoke \"f\" (i32.const 4294967296))"));
  CHECK_FALSE(reads("(invoke \"f\" (i32.const -2147483649))"));
  CHECK_FALSE(reads("(invoke \"f\" (i64.const 18446744073709551616))"));
  CHECK_FALSE(reads("(invoke \"f\" (i32.const 12a))"));
  CHECK_FALSE(reads("(invoke \"f\" (i31.const 1))"));
}

TEST_CASE("wast: float arguments are bit patterns", "[wast]") {
  auto v = args("(f32.const 1) (f64.const nan) (f32.const -0x1p-149) (f32.const nan:0x200000) (f64.const -inf)");
  REQUIRE(v.size() == 5);
  CHECK(v[0].type == ValueType::F32);
  CHECK(v[0].bits == 0x3f800000u);
  CHECK(v[1].bits == 0x7ff8000000000000ull);
  CHECK(v[2].bits == 0x80000001u);
  CHECK(v[3].bits == 0x7fa00000u);
  CHECK(v[4].bits == 0xfff0000000000000ull);
  CHECK_FALSE(reads("(invoke \"f\" (f32.const 1e39))"));  // out of range
}

TEST_CASE("wast: reference arguments", "[wast]") {
  auto v = args("(ref.null extern) (ref.extern 7) (ref.null func) (ref.null any) (ref.host 3) (ref.null exn)");
  REQUIRE(v.size() == 6);
  CHECK(v[0].type == ValueType::ExternRef);
  CHECK(v[0].is_null);
  CHECK(v[1].type == ValueType::ExternRef);
  CHECK_FALSE(v[1].is_null);
  CHECK(v[1].bits == 7);
  CHECK(v[2].type == ValueType::FuncRef);
  CHECK(v[2].is_null);
  CHECK(v[3].type == ValueType::AnyRef);
  CHECK(v[4].type == ValueType::AnyRef);
  CHECK(v[4].bits == 3);
  CHECK(v[5].type == ValueType::ExnRef);
  CHECK_FALSE(reads("(invoke \"f\" (ref.null nothing))"));
}

TEST_CASE("wast: v128 lanes are little-endian", "[wast]") {
  auto v = args("(v128.const i16x8 1 65535 -1 0 0 0 0 258) (v128.const i64x2 1 0xffff_ffff_ffff_ffff)");
  REQUIRE(v.size() == 2);
  CHECK(v[0].type == ValueType::V128);
  CHECK(v[0].v128[0] == 1);
  CHECK(v[0].v128[1] == 0);
  CHECK(v[0].v128[2] == 0xff);
  CHECK(v[0].v128[4] == 0xff);
  CHECK(v[0].v128[14] == 2);
  CHECK(v[0].v128[15] == 1);
  CHECK(get_lane(v[0].v128, LaneType::I16, 7) == 258);
  CHECK(get_lane(v[0].v128, LaneType::I32, 0) == 0xffff0001u);
  CHECK(get_lane(v[1].v128, LaneType::I64, 1) == ~uint64_t(0));
  CHECK_FALSE(reads("(invoke \"f\" (v128.const i32x4 0 0 0))"));
  CHECK_FALSE(reads("(invoke \"f\" (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))"));
  CHECK_FALSE(reads("(invoke \"f\" (v128.const i128 0))"));
}

TEST_CASE("wast: NaN classes", "[wast]") {
  CHECK(is_canonical_nan32(0x7fc00000u));
  CHECK(is_canonical_nan32(0xffc00000u));
  CHECK_FALSE(is_canonical_nan32(0x7fc00001u));
  CHECK_FALSE(is_canonical_nan32(0x7fa00000u));  // signalling
  CHECK_FALSE(is_canonical_nan32(0x7f800000u));  // infinity
  CHECK(is_arithmetic_nan32(0x7fc00000u));
  CHECK(is_arithmetic_nan32(0xffc00001u));
  CHECK(is_arithmetic_nan32(0x7fffffffu));
  CHECK_FALSE(is_arithmetic_nan32(0x7fa00000u));
  CHECK_FALSE(is_arithmetic_nan32(0x7f800000u));

  CHECK(is_canonical_nan64(0x7ff8000000000000ull));
  CHECK(is_canonical_nan64(0xfff8000000000000ull));
  CHECK_FALSE(is_canonical_nan64(0x7ff8000000000001ull));
  CHECK(is_arithmetic_nan64(0x7ff8000000000001ull));
  CHECK_FALSE(is_arithmetic_nan64(0x7ff4000000000000ull));
  CHECK_FALSE(is_arithmetic_nan64(0x7ff0000000000000ull));
}

TEST_CASE("wast: scalar results compare bit for bit", "[wast]") {
  CHECK(matches(result("(i32.const 42)"), Value::i32(42)));
  CHECK_FALSE(matches(result("(i32.const 42)"), Value::i32(43)));
  CHECK_FALSE(matches(result("(i32.const 42)"), Value::i64(42)));  // type matters
  CHECK(matches(result("(i64.const -1)"), Value::i64(~uint64_t(0))));

  // Floats: exact bits, so +0 and -0 differ and a NaN matches only its own payload.
  CHECK(matches(result("(f32.const 0)"), Value::f32_bits(0)));
  CHECK_FALSE(matches(result("(f32.const 0)"), Value::f32_bits(0x80000000u)));
  CHECK(matches(result("(f32.const nan:0x400001)"), Value::f32_bits(0x7fc00001u)));
  CHECK_FALSE(matches(result("(f32.const nan:0x400001)"), Value::f32_bits(0x7fc00000u)));
  CHECK_FALSE(matches(result("(f64.const 0)"), Value::f64_bits(0x8000000000000000ull)));

  const ExpectedValue canon = result("(f32.const nan:canonical)");
  CHECK(matches(canon, Value::f32_bits(0x7fc00000u)));
  CHECK(matches(canon, Value::f32_bits(0xffc00000u)));
  CHECK_FALSE(matches(canon, Value::f32_bits(0x7fc00001u)));
  CHECK_FALSE(matches(canon, Value::f32_bits(0x3f800000u)));
  const ExpectedValue arith = result("(f64.const nan:arithmetic)");
  CHECK(matches(arith, Value::f64_bits(0x7ff8000000000123ull)));
  CHECK_FALSE(matches(arith, Value::f64_bits(0x7ff0000000000001ull)));
  CHECK_FALSE(matches(arith, Value::f32_bits(0x7fc00000u)));
}

TEST_CASE("wast: v128 results with per-lane NaN classes", "[wast]") {
  const ExpectedValue e = result("(v128.const f32x4 nan:canonical 1 nan:arithmetic 0)");
  V128Bytes b{};
  set_lane(b, LaneType::F32, 0, 0xffc00000u);  // canonical (negative)
  set_lane(b, LaneType::F32, 1, 0x3f800000u);  // 1.0
  set_lane(b, LaneType::F32, 2, 0x7fc12345u);  // arithmetic
  set_lane(b, LaneType::F32, 3, 0);
  CHECK(matches(e, Value::v128_bytes(b)));

  V128Bytes c = b;
  set_lane(c, LaneType::F32, 0, 0x7fc00001u);  // arithmetic but not canonical
  CHECK_FALSE(matches(e, Value::v128_bytes(c)));
  c = b;
  set_lane(c, LaneType::F32, 2, 0x7f800001u);  // signalling NaN
  CHECK_FALSE(matches(e, Value::v128_bytes(c)));
  c = b;
  set_lane(c, LaneType::F32, 3, 0x80000000u);  // -0 is not 0
  CHECK_FALSE(matches(e, Value::v128_bytes(c)));

  const ExpectedValue d = result("(v128.const f64x2 0 nan:canonical)");
  V128Bytes x{};
  set_lane(x, LaneType::F64, 1, 0x7ff8000000000000ull);
  CHECK(matches(d, Value::v128_bytes(x)));
  set_lane(x, LaneType::F64, 0, 1);
  CHECK_FALSE(matches(d, Value::v128_bytes(x)));

  V128Bytes ones;
  ones.fill(0xff);
  CHECK(matches(result("(v128.const i8x16 255 255 255 255 255 255 255 255 -1 -1 -1 -1 -1 -1 -1 -1)"),
                Value::v128_bytes(ones)));
  CHECK_FALSE(reads("(assert_return (invoke \"f\") (v128.const i32x4 nan:canonical 0 0 0))"));
  CHECK_FALSE(matches(e, Value::f32_bits(0)));
}

TEST_CASE("wast: reference results", "[wast]") {
  const Value null_extern = Value::null_ref(ValueType::ExternRef);
  const Value null_func = Value::null_ref(ValueType::FuncRef);
  CHECK(matches(result("(ref.null extern)"), null_extern));
  CHECK(matches(result("(ref.null noextern)"), null_extern));
  CHECK_FALSE(matches(result("(ref.null extern)"), Value::ref(ValueType::ExternRef, 0)));
  CHECK_FALSE(matches(result("(ref.null func)"), null_extern));
  CHECK(matches(result("(ref.null)"), null_extern));  // any null
  CHECK(matches(result("(ref.null)"), null_func));
  CHECK_FALSE(matches(result("(ref.null)"), Value::ref(ValueType::FuncRef, 1)));

  CHECK(matches(result("(ref.extern 3)"), Value::ref(ValueType::ExternRef, 3)));
  CHECK_FALSE(matches(result("(ref.extern 3)"), Value::ref(ValueType::ExternRef, 4)));
  CHECK_FALSE(matches(result("(ref.extern 3)"), null_extern));
  CHECK(matches(result("(ref.extern)"), Value::ref(ValueType::ExternRef, 4)));
  CHECK_FALSE(matches(result("(ref.extern)"), null_extern));

  CHECK(matches(result("(ref.func)"), Value::ref(ValueType::FuncRef, 9)));
  CHECK_FALSE(matches(result("(ref.func)"), null_func));
  CHECK(matches(result("(ref.host 2)"), Value::ref(ValueType::AnyRef, 2)));
  CHECK_FALSE(matches(result("(ref.host 2)"), Value::ref(ValueType::ExternRef, 2)));
  // The runtime has no GC values yet, so these patterns match nothing it returns.
  for (const char* p : {"(ref.struct)", "(ref.array)", "(ref.i31)", "(ref.eq)", "(ref.any)"})
    CHECK_FALSE(matches(result(p), Value::ref(ValueType::FuncRef, 1)));
  CHECK(matches(result("(ref.exn)"), Value::ref(ValueType::ExnRef, 1)));
}

TEST_CASE("wast: result lists and either", "[wast]") {
  const auto two = results("(i32.const 1) (f64.const nan:canonical)");
  CHECK(results_match(two, {Value::i32(1), Value::f64_bits(0x7ff8000000000000ull)}));
  CHECK_FALSE(results_match(two, {Value::i32(1)}));
  CHECK_FALSE(results_match(two, {Value::i32(2), Value::f64_bits(0x7ff8000000000000ull)}));
  CHECK(results_match({}, {}));
  CHECK_FALSE(results_match({}, {Value::i32(0)}));

  const auto either = results("(either (i32.const 1) (i32.const 2)) (either (ref.null) (ref.extern 1))");
  CHECK(results_match(either, {Value::i32(1), Value::null_ref(ValueType::ExternRef)}));
  CHECK(results_match(either, {Value::i32(2), Value::ref(ValueType::ExternRef, 1)}));
  CHECK_FALSE(results_match(either, {Value::i32(3), Value::ref(ValueType::ExternRef, 1)}));
  CHECK_FALSE(results_match(either, {Value::i32(1), Value::ref(ValueType::ExternRef, 2)}));
  CHECK_FALSE(reads("(assert_return (invoke \"f\") (either))"));
}

TEST_CASE("wast: printing", "[wast]") {
  CHECK(to_string(Value::i32(42)) == "i32:0x0000002a");
  CHECK(to_string(Value::null_ref(ValueType::FuncRef)) == "funcref:null");
  CHECK(to_string(result("(f32.const nan:arithmetic)")) == "f32:nan:arithmetic");
  CHECK(to_string(result("(v128.const i32x4 1 2 3 4)")) == "v128:i32[0x00000001 0x00000002 0x00000003 0x00000004]");
  CHECK(to_string(result("(v128.const f64x2 nan:canonical 0)")) == "v128:f64[nan:canonical 0x0000000000000000]");
  CHECK(to_string(result("(either (i32.const 1) (ref.extern 2))")) == "(either i32:0x00000001 ref.extern 2)");
  CHECK(list_to_string(std::vector<Value>{Value::i32(1), Value::i64(2)}) == "(i32:0x00000001 i64:0x0000000000000002)");
}

TEST_CASE("wast: commands", "[wast]") {
  const auto cs = parse_script(R"wast(
    (module $M binary "\00asm" "\01\00\00\00")
    (module definition $D (func))
    (module instance $I $D)
    (module quote "(func)" "(memory 1)")
    (register "m" $M)
    (assert_trap (invoke $M "f" (i32.const 1)) "unreachable")
    (assert_trap (module (start 0)) "out of bounds")
    (assert_exhaustion (invoke "g") "call stack exhausted")
    (assert_exception (invoke "t"))
    (assert_malformed (module quote "(func") "unexpected token")
    (assert_invalid (module (func (result i32))) "type mismatch")
    (assert_unlinkable (module (import "a" "b" (func))) "unknown import")
    (assert_malformed_custom (module quote "(@custom \"x\")") "malformed")
    (get $I "g")
    (thread $T (shared (module $M)) (invoke "f") (assert_return (invoke "g")))
    (wait $T)
  )wast");
  REQUIRE(cs.size() == 16);
  for (const Command& c : cs) {
    INFO(c.text);
    CHECK(c.kind != CommandKind::Bad);
  }
  CHECK(cs[0].kind == CommandKind::Module);
  CHECK(cs[0].module.format == ModuleFormat::Binary);
  CHECK(cs[0].module.id == "$M");
  CHECK(cs[0].module.bytes == std::string("\0asm\1\0\0\0", 8));
  CHECK(cs[1].module.definition);
  CHECK(cs[1].module.format == ModuleFormat::Text);
  CHECK(cs[2].kind == CommandKind::ModuleInstance);
  CHECK(cs[2].name == "$I");
  CHECK(cs[2].of == "$D");
  CHECK(cs[3].module.format == ModuleFormat::Quote);
  CHECK(cs[3].module.bytes == "(func)(memory 1)");
  CHECK(cs[4].kind == CommandKind::Register);
  CHECK(cs[4].as == "m");
  CHECK(cs[4].name == "$M");
  CHECK(cs[5].kind == CommandKind::AssertTrap);
  CHECK(cs[5].action.module == "$M");
  CHECK(cs[5].text == "unreachable");
  CHECK(cs[6].kind == CommandKind::AssertUninstantiable);
  CHECK(cs[7].kind == CommandKind::AssertExhaustion);
  CHECK(cs[8].kind == CommandKind::AssertException);
  CHECK(cs[9].kind == CommandKind::AssertMalformed);
  CHECK(cs[10].kind == CommandKind::AssertInvalid);
  CHECK(cs[11].kind == CommandKind::AssertUnlinkable);
  CHECK(cs[12].kind == CommandKind::AssertCustom);
  CHECK(cs[13].kind == CommandKind::Action);
  CHECK(cs[13].action.kind == Action::Kind::Get);
  CHECK(cs[14].kind == CommandKind::Thread);
  CHECK(cs[14].shared == std::vector<std::string>{"$M"});
  CHECK(cs[14].body.size() == 2);
  CHECK(cs[15].kind == CommandKind::Wait);
  CHECK(cs[1].line == 3);
}

TEST_CASE("wast: a bad command costs that command only", "[wast]") {
  const auto cs = parse_script("(invoke \"f\")\n(frobnicate (x))\n(invoke \"g\" (i32.const x))\n(get \"h\")");
  REQUIRE(cs.size() == 4);
  CHECK(cs[0].kind == CommandKind::Action);
  CHECK(cs[1].kind == CommandKind::Bad);
  CHECK(cs[1].text.find("2:") == 0);  // line and column
  CHECK(cs[2].kind == CommandKind::Bad);
  CHECK(cs[3].kind == CommandKind::Action);
  CHECK(cs[3].action.field == "h");

  // An unclosed string ends the script.
  const auto unclosed = parse_script("(invoke \"f\")\n(invoke \"g)\n(invoke \"h\")");
  REQUIRE(unclosed.size() == 2);
  CHECK(unclosed[1].kind == CommandKind::Bad);
  CHECK(parse_script("").empty());
  CHECK(parse_script(";; only a comment\n").empty());

  // A lexical error inside an annotation met while skipping a bad command, or at the very
  // start, also ends the script (it used to escape parse_script as an exception; fuzzer find).
  std::string after_bad = "(invoke \"f\")\n) (@a ";
  after_bad += '\0';
  after_bad += ")";
  const auto skipped = parse_script(after_bad);
  REQUIRE(skipped.size() == 2);
  CHECK(skipped[1].kind == CommandKind::Bad);
  std::string at_start = "(@a ";
  at_start += '\0';
  at_start += ") (invoke \"f\")";
  const auto first = parse_script(at_start);
  REQUIRE(first.size() == 1);
  CHECK(first[0].kind == CommandKind::Bad);
  CHECK(first[0].text.find("1:5: illegal character") == 0);
}

TEST_CASE("wast: a script of module fields is one module", "[wast]") {
  const auto cs = parse_script("(func) (memory 1)");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].kind == CommandKind::Module);
  CHECK(cs[0].module.to_end);
}

TEST_CASE("wast: the runner counts passed, failed and skipped", "[wast]") {
  // f returns 42; binary modules, so that this test needs no text encoder.
  const std::string script = R"wast(
    (module $M binary "\00asm" "\01\00\00\00"
      "\01\05\01\60\00\01\7f" "\03\02\01\00" "\07\05\01\01f\00\00" "\0a\06\01\04\00\41\2a\0b")
    (assert_return (invoke "f") (i32.const 42))
    (assert_return (invoke "f") (either (i32.const 1) (i32.const 42)))
    (assert_return (invoke "f") (i32.const 43))
    (assert_trap (invoke "f") "unreachable")
    (invoke "nope")
    (assert_malformed (module binary "\00asm") "unexpected end")
    (assert_malformed (module binary "\00asm" "\01\00\00\00") "unexpected end")
    (assert_invalid (module binary "\00asm" "\01\00\00\00"
      "\01\05\01\60\00\01\7f" "\03\02\01\00" "\0a\04\01\02\00\0b") "type mismatch")
    (assert_return (invoke $M "f" (ref.host 1)) (i32.const 42))
    (register "M" $M)
    (assert_unlinkable (module binary "\00asm" "\01\00\00\00"
      "\02\08\01\01M\01g\03\7f\00") "unknown import")
    (wait $T)
  )wast";
  std::ostringstream out;
  const FileReport r = run_source(script, "t.wast", wasm::Features{}, RunOptions{}, out);
  INFO(out.str());
  CHECK(r.passed == 7);
  CHECK(r.failed == 4);
  CHECK(r.skipped == 2);
  CHECK(r.skip_reasons.count("arguments of type anyref not supported") == 1);
  CHECK(out.str().find("t.wast:6: assert_return: \"f\" returned (i32:0x0000002a), expected (i32:0x0000002b)") !=
        std::string::npos);
}

TEST_CASE("wast: trap messages", "[wast]") {
  CHECK(message_matches("unreachable", "unreachable"));
  CHECK(message_matches("out of bounds memory access", "out of bounds memory access at 0x10000"));
  CHECK(message_matches("uninitialized element 2", "uninitialized element"));
  CHECK(message_matches("undefined element", "out of bounds table access"));
  CHECK(message_matches("unaligned atomic", "misaligned memory access"));
  CHECK(message_matches("", "anything"));
  CHECK_FALSE(message_matches("integer overflow", "integer divide by zero"));
  CHECK_FALSE(message_matches("unreachable", ""));
}

TEST_CASE("spec runner: pin files", "[wast]") {
  std::istringstream in(
      "# comment\n"
      "\n"
      "proposals/memory64/binary.wast\t104\t1\n"
      "core/a.wast 3 0  # trailing comment\n");
  const std::vector<Pin> pins = parse_pins(in);
  REQUIRE(pins.size() == 2);
  CHECK(pins[0].min_passed == 104);
  CHECK(pins[0].max_failed == 1);

  CHECK(find_pin(pins, "/x/spec/proposals/memory64/binary.wast") == &pins[0]);
  CHECK(find_pin(pins, "core/a.wast") == &pins[1]);
  CHECK(find_pin(pins, "/x/spec/core/ba.wast") == nullptr);  // whole path components only
  CHECK(find_pin(pins, "/x/spec/core/binary.wast") == nullptr);
  std::istringstream nested("proposals/t/a.wast 1 0\nwasm-3.0/proposals/t/a.wast 2 0\n");
  const std::vector<Pin> two = parse_pins(nested);
  CHECK(find_pin(two, "/s/wasm-3.0/proposals/t/a.wast") == &two[1]);  // the longest match
  CHECK(find_pin(two, "/s/proposals/t/a.wast") == &two[0]);

  FileReport r;
  r.passed = 104;
  r.failed = 1;
  CHECK(check_pin(&pins[0], "f", r).ok);
  r.failed = 2;
  CHECK_FALSE(check_pin(&pins[0], "f", r).ok);
  r.failed = 0;
  r.passed = 105;
  const PinCheck better = check_pin(&pins[0], "f", r);
  CHECK(better.ok);
  CHECK(better.message.find("tighten") != std::string::npos);
  r.passed = 103;
  CHECK_FALSE(check_pin(&pins[0], "f", r).ok);
  // No pin: no failures allowed.
  CHECK(check_pin(nullptr, "f", FileReport{}).ok);
  r.failed = 1;
  CHECK_FALSE(check_pin(nullptr, "f", r).ok);

  std::istringstream bad("core/a.wast\t3\n");
  CHECK_THROWS_AS(parse_pins(bad), ScriptError);
  std::istringstream bad2("core/a.wast\tx\t0\n");
  CHECK_THROWS_AS(parse_pins(bad2), ScriptError);
}
