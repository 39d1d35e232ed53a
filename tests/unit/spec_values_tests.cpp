// Unit tests of the spec runner's value parsing and result comparison (tests/spec/spec_values.hpp),
// its trap-message matching and its pin files.
#include <catch2/catch.hpp>

#include <sstream>

#include "../spec/pins.hpp"
#include "../spec/spec_values.hpp"
#include "../spec/trap_messages.hpp"

using namespace wasmpp_spec;

TEST_CASE("spec values: integers as unsigned or signed bit patterns", "[spec]") {
  CHECK(parse_value(ValueType::I32, "0").bits == 0);
  CHECK(parse_value(ValueType::I32, "4294967295").bits == 0xffffffffu);
  CHECK(parse_value(ValueType::I32, "-1").bits == 0xffffffffu);
  CHECK(parse_value(ValueType::I32, "-2147483648").bits == 0x80000000u);
  CHECK(parse_value(ValueType::I64, "18446744073709551615").bits == ~uint64_t(0));
  CHECK(parse_value(ValueType::I64, "-9223372036854775808").bits == 0x8000000000000000ull);
  CHECK(parse_value(ValueType::I64, "-1").bits == ~uint64_t(0));
  CHECK_THROWS_AS(parse_value(ValueType::I32, "4294967296"), ScriptError);
  CHECK_THROWS_AS(parse_value(ValueType::I32, "-2147483649"), ScriptError);
  CHECK_THROWS_AS(parse_value(ValueType::I64, "18446744073709551616"), ScriptError);
  CHECK_THROWS_AS(parse_value(ValueType::I32, ""), ScriptError);
  CHECK_THROWS_AS(parse_value(ValueType::I32, "-"), ScriptError);
  CHECK_THROWS_AS(parse_value(ValueType::I32, "12a"), ScriptError);
  CHECK_THROWS_AS(parse_value(ValueType::V128, "0"), ScriptError);
  CHECK_THROWS_AS(parse_value_type("i31"), ScriptError);
}

TEST_CASE("spec values: floats are bit patterns", "[spec]") {
  const Value one = parse_value(ValueType::F32, "1065353216");  // 1.0f
  CHECK(one.type == ValueType::F32);
  CHECK(one.bits == 0x3f800000u);
  CHECK(parse_value(ValueType::F64, "9221120237041090560").bits == 0x7ff8000000000000ull);
  CHECK_THROWS_AS(parse_value(ValueType::F32, "1.5"), ScriptError);
}

TEST_CASE("spec values: references", "[spec]") {
  CHECK(parse_value(ValueType::ExternRef, "null").is_null);
  const Value r = parse_value(ValueType::ExternRef, "7");
  CHECK_FALSE(r.is_null);
  CHECK(r.bits == 7);
  CHECK(parse_value(ValueType::FuncRef, "null").is_null);
  CHECK(parse_value_type("funcref") == ValueType::FuncRef);
}

TEST_CASE("spec values: v128 lanes are little-endian", "[spec]") {
  const Value v = parse_v128(LaneType::I16, {"1", "65535", "-1", "0", "0", "0", "0", "258"});
  CHECK(v.type == ValueType::V128);
  CHECK(v.v128[0] == 1);
  CHECK(v.v128[1] == 0);
  CHECK(v.v128[2] == 0xff);
  CHECK(v.v128[3] == 0xff);
  CHECK(v.v128[4] == 0xff);
  CHECK(v.v128[14] == 2);
  CHECK(v.v128[15] == 1);
  CHECK(get_lane(v.v128, LaneType::I16, 7) == 258);
  CHECK(get_lane(v.v128, LaneType::I32, 0) == 0xffff0001u);

  const Value w = parse_v128(LaneType::I64, {"1", "18446744073709551615"});
  CHECK(get_lane(w.v128, LaneType::I64, 1) == ~uint64_t(0));
  CHECK(get_lane(w.v128, LaneType::I8, 15) == 0xff);

  CHECK_THROWS_AS(parse_v128(LaneType::I32, {"0", "0", "0"}), ScriptError);
  CHECK_THROWS_AS(parse_v128(LaneType::I8, std::vector<std::string>(16, "256")), ScriptError);
  CHECK(parse_lane_type("f64") == LaneType::F64);
  CHECK_THROWS_AS(parse_lane_type("i128"), ScriptError);
}

TEST_CASE("spec values: NaN classes", "[spec]") {
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

TEST_CASE("spec values: scalar results compare bit for bit", "[spec]") {
  CHECK(matches(parse_expected(ValueType::I32, "42"), Value::i32(42)));
  CHECK_FALSE(matches(parse_expected(ValueType::I32, "42"), Value::i32(43)));
  CHECK_FALSE(matches(parse_expected(ValueType::I32, "42"), Value::i64(42)));  // type matters
  CHECK(matches(parse_expected(ValueType::I64, "-1"), Value::i64(~uint64_t(0))));

  // Floats: exact bits, so +0 and -0 differ and a NaN matches only its own payload.
  CHECK(matches(parse_expected(ValueType::F32, "0"), Value::f32_bits(0)));
  CHECK_FALSE(matches(parse_expected(ValueType::F32, "0"), Value::f32_bits(0x80000000u)));
  CHECK(matches(parse_expected(ValueType::F32, "2143289345"), Value::f32_bits(0x7fc00001u)));
  CHECK_FALSE(matches(parse_expected(ValueType::F32, "2143289345"), Value::f32_bits(0x7fc00000u)));
  CHECK_FALSE(matches(parse_expected(ValueType::F64, "0"), Value::f64_bits(0x8000000000000000ull)));

  const ExpectedValue canon = parse_expected(ValueType::F32, "nan:canonical");
  CHECK(matches(canon, Value::f32_bits(0x7fc00000u)));
  CHECK(matches(canon, Value::f32_bits(0xffc00000u)));
  CHECK_FALSE(matches(canon, Value::f32_bits(0x7fc00001u)));
  CHECK_FALSE(matches(canon, Value::f32_bits(0x3f800000u)));
  const ExpectedValue arith = parse_expected(ValueType::F64, "nan:arithmetic");
  CHECK(matches(arith, Value::f64_bits(0x7ff8000000000123ull)));
  CHECK_FALSE(matches(arith, Value::f64_bits(0x7ff0000000000001ull)));
  CHECK_FALSE(matches(arith, Value::f32_bits(0x7fc00000u)));
}

TEST_CASE("spec values: v128 results with per-lane NaN classes", "[spec]") {
  const ExpectedValue e =
      parse_expected_v128(LaneType::F32, {"nan:canonical", "1065353216", "nan:arithmetic", "0"});
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

  const ExpectedValue d = parse_expected_v128(LaneType::F64, {"0", "nan:canonical"});
  V128Bytes x{};
  set_lane(x, LaneType::F64, 1, 0x7ff8000000000000ull);
  CHECK(matches(d, Value::v128_bytes(x)));
  set_lane(x, LaneType::F64, 0, 1);
  CHECK_FALSE(matches(d, Value::v128_bytes(x)));

  CHECK(matches(parse_expected_v128(LaneType::I8, std::vector<std::string>(16, "255")),
                Value::v128_bytes(parse_lanes(LaneType::I8, std::vector<std::string>(16, "-1")))));
  CHECK_THROWS_AS(parse_expected_v128(LaneType::I32, {"nan:canonical", "0", "0", "0"}), ScriptError);
  CHECK_FALSE(matches(e, Value::f32_bits(0)));
}

TEST_CASE("spec values: reference results", "[spec]") {
  CHECK(matches(parse_expected(ValueType::ExternRef, "null"), Value::null_ref(ValueType::ExternRef)));
  CHECK_FALSE(matches(parse_expected(ValueType::ExternRef, "null"), Value::ref(ValueType::ExternRef, 0)));
  CHECK(matches(parse_expected(ValueType::ExternRef, "3"), Value::ref(ValueType::ExternRef, 3)));
  CHECK_FALSE(matches(parse_expected(ValueType::ExternRef, "3"), Value::ref(ValueType::ExternRef, 4)));
  CHECK_FALSE(matches(parse_expected(ValueType::ExternRef, "3"), Value::null_ref(ValueType::ExternRef)));
  CHECK_FALSE(matches(parse_expected(ValueType::FuncRef, "null"), Value::null_ref(ValueType::ExternRef)));
  // Only the type given (assert_trap results): any value of that type.
  CHECK(matches(expected_any(ValueType::FuncRef), Value::ref(ValueType::FuncRef, 9)));
  CHECK(matches(expected_any(ValueType::FuncRef), Value::null_ref(ValueType::FuncRef)));
  CHECK_FALSE(matches(expected_any(ValueType::FuncRef), Value::i32(0)));
}

TEST_CASE("spec values: result lists and either alternatives", "[spec]") {
  const std::vector<std::vector<ExpectedValue>> two = {
      {parse_expected(ValueType::I32, "1"), parse_expected(ValueType::F64, "nan:canonical")}};
  CHECK(results_match(two, {Value::i32(1), Value::f64_bits(0x7ff8000000000000ull)}));
  CHECK_FALSE(results_match(two, {Value::i32(1)}));
  CHECK_FALSE(results_match(two, {Value::i32(2), Value::f64_bits(0x7ff8000000000000ull)}));
  CHECK(results_match({{}}, {}));
  CHECK_FALSE(results_match({{}}, {Value::i32(0)}));

  const std::vector<std::vector<ExpectedValue>> either = {{parse_expected(ValueType::I32, "1")},
                                                          {parse_expected(ValueType::I32, "2")}};
  CHECK(results_match(either, {Value::i32(1)}));
  CHECK(results_match(either, {Value::i32(2)}));
  CHECK_FALSE(results_match(either, {Value::i32(3)}));
}

TEST_CASE("spec values: printing", "[spec]") {
  CHECK(to_string(Value::i32(42)) == "i32:0x0000002a");
  CHECK(to_string(Value::null_ref(ValueType::FuncRef)) == "funcref:null");
  CHECK(to_string(parse_expected(ValueType::F32, "nan:arithmetic")) == "f32:nan:arithmetic");
  CHECK(to_string(parse_expected_v128(LaneType::I32, {"1", "2", "3", "4"})) ==
        "v128:i32[0x00000001 0x00000002 0x00000003 0x00000004]");
  CHECK(to_string(parse_expected_v128(LaneType::F64, {"nan:canonical", "0"})) ==
        "v128:f64[nan:canonical 0x0000000000000000]");
  CHECK(list_to_string(std::vector<Value>{Value::i32(1), Value::i64(2)}) ==
        "(i32:0x00000001 i64:0x0000000000000002)");
}

TEST_CASE("spec runner: trap messages", "[spec]") {
  CHECK(message_matches("unreachable", "unreachable"));
  CHECK(message_matches("out of bounds memory access", "out of bounds memory access at 0x10000"));
  CHECK(message_matches("uninitialized element 2", "uninitialized element"));
  CHECK(message_matches("undefined element", "out of bounds table access"));
  CHECK(message_matches("unaligned atomic", "misaligned memory access"));
  CHECK(message_matches("", "anything"));
  CHECK_FALSE(message_matches("integer overflow", "integer divide by zero"));
  CHECK_FALSE(message_matches("unreachable", ""));
}

TEST_CASE("spec runner: pin files", "[spec]") {
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
