// Precompiled modules (Module::serialize, deserialize_unchecked, deserialize_file_unchecked):
// a round trip runs as the compiled module does (results, calls between functions, tables,
// data, host imports, traps and their backtraces); bytes from another configuration, damaged
// or truncated bytes, and a missing file are refused with an error that says why.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <wasm.hpp>

namespace {

// Calls between functions (pc-relative relocations), an indirect call, a data segment, a host
// import, and two traps from different depths.
constexpr const char* kProgram = R"((module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "precompiled")
  (table 2 funcref)
  (elem (i32.const 0) $fac $sum)
  (type $unary (func (param i32) (result i32)))
  (func $fac (export "fac") (param i32) (result i32)
    (if (result i32) (i32.le_s (local.get 0) (i32.const 1))
      (then (i32.const 1))
      (else (i32.mul (local.get 0) (call $fac (i32.sub (local.get 0) (i32.const 1))))))
  )
  (func $sum (export "sum") (param i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load8_u offset=16 (local.get 0))))
      (br_if $l (i32.ge_s (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 0))))
    (local.get $s))
  (func $indirect (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $unary) (local.get 1) (local.get 0)))
  (func (export "host") (param i32) (result i32) (call $twice (i32.add (local.get 0) (i32.const 1))))
  (func $inner (param i32) (result i32) (i32.div_s (i32.const 100) (local.get 0)))
  (func $divide (export "divide") (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "boom") (unreachable))
))";

wasm::Module compiled(const wasm::Engine& engine) {
  auto m = wasm::Module::from_wat(engine, kProgram);
  REQUIRE(m);
  return *m;
}

struct Outcomes {
  std::vector<int32_t> values;
  std::vector<std::string> traps;
};

// Everything kProgram's exports give, traps as "message @ function names".
Outcomes run_all(const wasm::Engine& engine, const wasm::Module& module) {
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  REQUIRE(linker.func_wrap("env", "twice", [](int32_t x) { return 2 * x; }));
  auto inst = linker.instantiate(store, module);
  REQUIRE(inst);
  auto i32_i32 = [&](const char* name) {
    auto f = inst->get_typed_func<int32_t, int32_t>(store, name);
    REQUIRE(f);
    return *f;
  };
  Outcomes out;
  auto record = [&](wasm::Result<int32_t> r) {
    if (r) {
      out.values.push_back(*r);
      return;
    }
    std::string trap = r.error().message() + " @";
    for (const wasm::FrameInfo& f : r.error().backtrace()) trap += " " + f.func_name;
    out.traps.push_back(trap);
  };
  record(i32_i32("fac").call(store, 10));
  record(i32_i32("sum").call(store, 10));
  record(i32_i32("host").call(store, 20));
  record(i32_i32("divide").call(store, 7));
  record(i32_i32("divide").call(store, 0));
  auto indirect = inst->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "indirect");
  REQUIRE(indirect);
  record(indirect->call(store, 0, 5));
  record(indirect->call(store, 1, 3));
  record(indirect->call(store, 7, 3));
  auto boom = inst->get_typed_func<void, void>(store, "boom");
  REQUIRE(boom);
  if (auto r = boom->call(store); !r) out.traps.push_back(r.error().message());
  return out;
}

std::string refusal(const wasm::Engine& engine, std::span<const uint8_t> bytes) {
  auto m = wasm::Module::deserialize_unchecked(engine, bytes);
  REQUIRE_FALSE(m);
  return m.error().message();
}

std::string temp_path(const char* name) {
  return (std::string(P_tmpdir) + "/wasmpp-" + std::to_string(getpid()) + "-" + name);
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  REQUIRE(out);
}

}  // namespace

TEST_CASE("a deserialized module runs as the compiled one", "[precompiled]") {
  wasm::Engine engine;
  const wasm::Module original = compiled(engine);
  const Outcomes expected = run_all(engine, original);
  // The facts below come from the program, not from the code under test.
  const int32_t all_bytes = 'p' + 'r' + 'e' + 'c' + 'o' + 'm' + 'p' + 'i' + 'l' + 'e' + 'd';
  CHECK(expected.values == std::vector<int32_t>{3628800, all_bytes, 42, 100 / 7, 120, 'p' + 'r' + 'e' + 'c'});
  REQUIRE(expected.traps.size() == 3);

  const std::vector<uint8_t> bytes = original.serialize();
  REQUIRE(wasm::Module::is_precompiled(bytes));
  CHECK_FALSE(wasm::Module::is_precompiled(std::vector<uint8_t>{0, 'a', 's', 'm', 1, 0, 0, 0}));

  SECTION("from bytes") {
    auto loaded = wasm::Module::deserialize_unchecked(engine, bytes);
    REQUIRE(loaded);
    const Outcomes got = run_all(engine, *loaded);
    CHECK(got.values == expected.values);
    CHECK(got.traps == expected.traps);
    CHECK(loaded->exports().size() == original.exports().size());
    CHECK(loaded->serialize() == bytes);  // the same module, written again, is the same bytes
  }
  SECTION("from a file, mapped") {
    const std::string path = temp_path("roundtrip.cwasm");
    write_file(path, bytes);
    auto loaded = wasm::Module::deserialize_file_unchecked(engine, path);
    std::remove(path.c_str());  // the mapping keeps the pages
    REQUIRE(loaded);
    const Outcomes got = run_all(engine, *loaded);
    CHECK(got.values == expected.values);
    CHECK(got.traps == expected.traps);
  }
  SECTION("by another engine of the same configuration, which outlives the first") {
    std::vector<uint8_t> copy = bytes;
    wasm::Engine other;
    auto loaded = wasm::Module::deserialize_unchecked(other, copy);
    std::fill(copy.begin(), copy.end(), 0xCC);  // the module keeps nothing of its input
    REQUIRE(loaded);
    const Outcomes got = run_all(other, *loaded);
    CHECK(got.values == expected.values);
    CHECK(got.traps == expected.traps);
  }
}

TEST_CASE("the traps of a deserialized module name their functions", "[precompiled]") {
  wasm::Engine engine;
  auto loaded = wasm::Module::deserialize_unchecked(engine, compiled(engine).serialize());
  REQUIRE(loaded);
  const Outcomes got = run_all(engine, *loaded);
  REQUIRE(got.traps.size() == 3);
  CHECK_THAT(got.traps[0], Catch::EndsWith("@ inner divide"));
  CHECK_THAT(got.traps[1], Catch::EndsWith("@ indirect"));
}

TEST_CASE("a module without functions round-trips", "[precompiled]") {
  wasm::Engine engine;
  auto m = wasm::Module::from_wat(engine, "(module (memory (export \"m\") 1) (global (export \"g\") i32 (i32.const 7)))");
  REQUIRE(m);
  auto loaded = wasm::Module::deserialize_unchecked(engine, m->serialize());
  REQUIRE(loaded);
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto inst = linker.instantiate(store, *loaded);
  REQUIRE(inst);
  CHECK(inst->get_global(store, "g")->get(store)->i32() == 7);
}

TEST_CASE("a precompiled module from another configuration is refused, saying what differs", "[precompiled]") {
  wasm::Engine plain;
  const std::vector<uint8_t> bytes = compiled(plain).serialize();

  wasm::Config explicit_checks;
  explicit_checks.bounds_checks(wasm::BoundsChecks::Explicit);
  CHECK_THAT(refusal(wasm::Engine(explicit_checks), bytes), Catch::Contains("bounds checks"));

  wasm::Config fuel;
  fuel.consume_fuel(true);
  CHECK_THAT(refusal(wasm::Engine(fuel), bytes), Catch::Contains("fuel"));

  wasm::Config epochs;
  epochs.epoch_interruption(true);
  CHECK_THAT(refusal(wasm::Engine(epochs), bytes), Catch::Contains("epoch"));

  wasm::Config tail_calls;
  wasm::Features f;
  f.tail_call = true;
  tail_calls.wasm_features(f);
  CHECK_THAT(refusal(wasm::Engine(tail_calls), bytes), Catch::Contains("only this engine has tail-call"));

  // And the other way round: compiled with fuel, loaded without.
  wasm::Engine fueled(fuel);
  CHECK_THAT(refusal(plain, compiled(fueled).serialize()), Catch::Contains("fuel consumption on"));
}

TEST_CASE("a precompiled module with any byte flipped is refused", "[precompiled]") {
  wasm::Engine engine;
  const std::vector<uint8_t> bytes = compiled(engine).serialize();
  std::vector<uint8_t> damaged = bytes;
  size_t accepted = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    damaged[i] ^= uint8_t(1u << (i % 8));
    if (wasm::Module::deserialize_unchecked(engine, damaged)) ++accepted;
    damaged[i] = bytes[i];
  }
  CHECK(accepted == 0);
  // What the refusal says, in the header and in the payload.
  damaged[9] ^= 1;  // the format version
  CHECK_THAT(refusal(engine, damaged), Catch::Contains("format version"));
  damaged[9] = bytes[9];
  damaged[40] ^= 1;  // inside the runtime version's bytes, covered by the header checksum
  CHECK_THAT(refusal(engine, damaged), Catch::Contains("header checksum"));
  damaged[40] = bytes[40];
  damaged[bytes.size() - 1] ^= 0x80;  // the code
  CHECK_THAT(refusal(engine, damaged), Catch::Contains("checksum does not match its contents"));
}

TEST_CASE("truncated or foreign input is refused", "[precompiled]") {
  wasm::Engine engine;
  const std::vector<uint8_t> bytes = compiled(engine).serialize();
  for (size_t n : {size_t(0), size_t(1), size_t(8), size_t(95), size_t(96), size_t(97), bytes.size() / 2,
                   bytes.size() - 1}) {
    auto m = wasm::Module::deserialize_unchecked(engine, std::span<const uint8_t>(bytes).first(n));
    CHECK_FALSE(m);
  }
  CHECK_THAT(refusal(engine, std::span<const uint8_t>(bytes).first(bytes.size() - 1)), Catch::Contains("truncated"));
  CHECK_THAT(refusal(engine, std::span<const uint8_t>(bytes).first(50)), Catch::Contains("truncated"));
  const std::vector<uint8_t> wasm_binary = {0, 'a', 's', 'm', 1, 0, 0, 0};
  CHECK_THAT(refusal(engine, wasm_binary), Catch::Contains("WebAssembly binary"));
}

TEST_CASE("deserialize_file_unchecked reports files it cannot use", "[precompiled]") {
  wasm::Engine engine;
  const std::string missing = temp_path("no-such-file.cwasm");
  auto m = wasm::Module::deserialize_file_unchecked(engine, missing);
  REQUIRE_FALSE(m);
  CHECK_THAT(m.error().message(), Catch::Contains(missing));

  auto dir = wasm::Module::deserialize_file_unchecked(engine, P_tmpdir);
  REQUIRE_FALSE(dir);
  CHECK_THAT(dir.error().message(), Catch::Contains("not a regular file"));

  const std::string empty = temp_path("empty.cwasm");
  write_file(empty, {});
  auto e = wasm::Module::deserialize_file_unchecked(engine, empty);
  std::remove(empty.c_str());
  REQUIRE_FALSE(e);
  CHECK_THAT(e.error().message(), Catch::Contains("precompiled-module magic"));

  const std::string cut = temp_path("cut.cwasm");
  std::vector<uint8_t> bytes = compiled(engine).serialize();
  bytes.resize(bytes.size() - 100);
  write_file(cut, bytes);
  auto c = wasm::Module::deserialize_file_unchecked(engine, cut);
  std::remove(cut.c_str());
  REQUIRE_FALSE(c);
  CHECK_THAT(c.error().message(), Catch::Contains("truncated"));
}
