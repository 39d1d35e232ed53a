// Hostile guests: every edge of linear memory (all widths, static offsets up to 4 GiB, after
// grow and at the maximum, both bounds-check modes), call_indirect through wrong types, null
// and out-of-bounds entries, unbounded recursion in wasm and through host functions, host
// functions that throw, memory.grow to the limit and beyond, and very large modules (100,000
// functions; a 50 MB function body). Each ends in the right clean error, and the process then
// runs a normal module as if nothing had happened.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <wasm.hpp>

#include "test_module_builder.hpp"

namespace {

using namespace wasm::test;
using wasm::ValType;
using wasm::detail::Op;
constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32, F64 = ValType::F64;

wasm::Engine make_engine(wasm::BoundsChecks mode = wasm::BoundsChecks::GuardPages, bool fuel = false) {
  wasm::Config config;
  config.bounds_checks(mode).consume_fuel(fuel);
  return wasm::Engine(config);
}

// A compiled and instantiated module without imports.
struct Loaded {
  wasm::Engine engine;
  wasm::Store<> store;
  wasm::Instance instance;

  Loaded(const wasm::Engine& e, const Bytes& bytes) : engine(e), store(e) {
    auto module = wasm::Module::compile(engine, bytes);
    if (!module) FAIL(module.error().to_string());
    wasm::Linker<> linker(engine);
    auto in = linker.instantiate(store, *module);
    if (!in) FAIL(in.error().to_string());
    instance = *in;
  }

  wasm::Result<void> call(std::string_view name, std::vector<wasm::Val> args, std::vector<wasm::Val>& results) {
    std::optional<wasm::Func> f = instance.get_func(store, name);
    if (!f) FAIL("no export " << name);
    return f->call(store, args, results);
  }
};

std::optional<wasm::TrapCode> trap_of(const wasm::Result<void>& r) {
  if (r) return std::nullopt;
  return r.error().trap_code();
}

// The "afterwards" of every test: a fresh engine, module and store still work normally.
void normal_module_still_runs() {
  ModuleBuilder b;
  uint32_t t = b.type({I32, I32}, {I32});
  uint32_t f = b.func(t, cat({op(Op::LocalGet), uleb(0), op(Op::LocalGet), uleb(1), op(Op::I32Add), end()}));
  b.export_("add", wasm::ExternKind::Func, f);
  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, b.build());
  REQUIRE(module);
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto in = linker.instantiate(store, *module);
  REQUIRE(in);
  auto add = in->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "add");
  REQUIRE(add);
  auto r = add->call(store, 40, 2);
  REQUIRE(r);
  CHECK(*r == 42);
}

// A field of /proc/self/status in KiB (VmRSS, VmHWM), or -1.
long status_kib(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long value = -1;
  size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, field, n) == 0 && line[n] == ':') value = std::atol(line + n + 1);
  }
  std::fclose(f);
  return value;
}

// Measures how far the resident set grows above where it is now: resets the peak (VmHWM) to the
// current size (Linux: clear_refs 5) and returns that size.
long start_peak_measurement() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
  return status_kib("VmRSS");
}

// ---- memory edges ------------------------------------------------------------------------

struct Access {
  Op op;
  const char* name;
  uint32_t width;
  ValType type;  // the loaded or stored value's type
  bool store;
};

const Access kAccesses[] = {
    {Op::I32Load, "i32.load", 4, I32, false},       {Op::I64Load, "i64.load", 8, I64, false},
    {Op::F32Load, "f32.load", 4, F32, false},       {Op::F64Load, "f64.load", 8, F64, false},
    {Op::I32Load8S, "i32.load8_s", 1, I32, false},  {Op::I32Load8U, "i32.load8_u", 1, I32, false},
    {Op::I32Load16S, "i32.load16_s", 2, I32, false}, {Op::I32Load16U, "i32.load16_u", 2, I32, false},
    {Op::I64Load8S, "i64.load8_s", 1, I64, false},  {Op::I64Load8U, "i64.load8_u", 1, I64, false},
    {Op::I64Load16S, "i64.load16_s", 2, I64, false}, {Op::I64Load16U, "i64.load16_u", 2, I64, false},
    {Op::I64Load32S, "i64.load32_s", 4, I64, false}, {Op::I64Load32U, "i64.load32_u", 4, I64, false},
    {Op::I32Store, "i32.store", 4, I32, true},      {Op::I64Store, "i64.store", 8, I64, true},
    {Op::F32Store, "f32.store", 4, F32, true},      {Op::F64Store, "f64.store", 8, F64, true},
    {Op::I32Store8, "i32.store8", 1, I32, true},    {Op::I32Store16, "i32.store16", 2, I32, true},
    {Op::I64Store8, "i64.store8", 1, I64, true},    {Op::I64Store16, "i64.store16", 2, I64, true},
    {Op::I64Store32, "i64.store32", 4, I64, true},
};

const uint32_t kOffsets[] = {0, 1, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFF};

std::string access_name(size_t a, size_t o) { return std::string(kAccesses[a].name) + "@" + std::to_string(kOffsets[o]); }

uint32_t align_log2(uint32_t width) { return width == 8 ? 3 : width == 4 ? 2 : width == 2 ? 1 : 0; }

// Loads return their value as i64 bits (zero-extended for i32/f32); stores take the address and
// store an all-ones value of the access's width (so every stored byte is 0xFF).
Bytes access_body(const Access& a, uint32_t offset) {
  Bytes code = cat({op(Op::LocalGet), uleb(0)});
  if (a.store) {
    switch (a.type) {
      case I32: code = cat({code, i32_const(-1)}); break;
      case I64: code = cat({code, i64_const(-1)}); break;
      case F32: code = cat({code, i32_const(-1), op(Op::F32ReinterpretI32)}); break;
      default: code = cat({code, i64_const(-1), op(Op::F64ReinterpretI64)}); break;
    }
    return cat({code, op(a.op), memarg(align_log2(a.width), offset), end()});
  }
  code = cat({code, op(a.op), memarg(0, offset)});
  switch (a.type) {
    case I32: return cat({code, op(Op::I64ExtendI32U), end()});
    case F32: return cat({code, op(Op::I32ReinterpretF32), op(Op::I64ExtendI32U), end()});
    case F64: return cat({code, op(Op::I64ReinterpretF64), end()});
    default: return cat({code, end()});
  }
}

// A module with memory (min, max) exported as "mem", "grow" (memory.grow) and one function per
// access and static offset.
Bytes memory_edge_module(uint32_t min_pages, uint32_t max_pages) {
  ModuleBuilder b;
  b.memory(limits(min_pages, max_pages));
  b.export_("mem", wasm::ExternKind::Memory, 0);
  uint32_t load_t = b.type({I32}, {I64});
  uint32_t store_t = b.type({I32}, {});
  uint32_t grow_t = b.type({I32}, {I32});
  uint32_t grow = b.func(grow_t, cat({op(Op::LocalGet), uleb(0), op(Op::MemoryGrow), {0x00}, end()}));
  b.export_("grow", wasm::ExternKind::Func, grow);
  for (size_t a = 0; a < std::size(kAccesses); ++a) {
    for (size_t o = 0; o < std::size(kOffsets); ++o) {
      uint32_t f = b.func(kAccesses[a].store ? store_t : load_t, access_body(kAccesses[a], kOffsets[o]));
      b.export_(access_name(a, o), wasm::ExternKind::Func, f);
    }
  }
  return b.build();
}

// Every access at every static offset, at effective addresses around the end of memory, 2 GiB
// and 4 GiB: in bounds it reads what the host wrote (or writes exactly its bytes), out of
// bounds it traps with MemoryOutOfBounds and leaves memory unchanged.
void check_edges(Loaded& m) {
  std::optional<wasm::Memory> mem = m.instance.get_memory(m.store, "mem");
  REQUIRE(mem);
  const uint64_t size = mem->data(m.store).size();
  auto pattern = [](uint64_t i) { return uint8_t(i * 131 + (i >> 8) * 7 + 1); };
  for (size_t a = 0; a < std::size(kAccesses); ++a) {
    const Access& acc = kAccesses[a];
    const uint64_t w = acc.width;
    const uint64_t targets[] = {0, size - w, size - w + 1, size - 1, size, size + 1, size + 65536,
                                1ull << 31, (1ull << 32) - w, (1ull << 32) - 1, 1ull << 32,
                                (1ull << 32) + size, (1ull << 33) - 2};
    for (size_t o = 0; o < std::size(kOffsets); ++o) {
      const uint64_t offset = kOffsets[o];
      for (uint64_t ea : targets) {
        if (ea < offset || ea - offset > 0xFFFFFFFFull) continue;
        const uint32_t addr = uint32_t(ea - offset);
        const bool in_bounds = ea + w <= size;
        INFO(acc.name << " offset=" << offset << " addr=" << addr << " ea=" << ea << " memory=" << size);
        std::span<uint8_t> bytes = mem->data(m.store);
        // The bytes around the access (those inside memory) get a known pattern.
        const uint64_t lo = ea >= 16 ? ea - 16 : 0, hi = std::min<uint64_t>(size, ea + w + 16);
        for (uint64_t i = lo; i < hi; ++i) bytes[i] = pattern(i);
        std::vector<wasm::Val> results(acc.store ? 0 : 1);
        wasm::Result<void> r = m.call(access_name(a, o), {wasm::Val(int32_t(addr))}, results);
        if (!in_bounds) {
          REQUIRE(trap_of(r) == wasm::TrapCode::MemoryOutOfBounds);
          for (uint64_t i = lo; i < hi; ++i) REQUIRE(bytes[i] == pattern(i));
          continue;
        }
        REQUIRE(r);
        if (acc.store) {
          for (uint64_t i = lo; i < hi; ++i) REQUIRE(bytes[i] == (i >= ea && i < ea + w ? 0xFF : pattern(i)));
          continue;
        }
        uint64_t raw = 0;
        std::memcpy(&raw, bytes.data() + ea, w);
        uint64_t expected = raw;
        const std::string n = acc.name;
        const bool sign = n.ends_with("_s");
        if (sign && w < 8) {
          const uint64_t bit = 1ull << (w * 8 - 1);
          if (raw & bit) expected = raw | ~((bit << 1) - 1);
          if (acc.type == I32) expected &= 0xFFFFFFFFull;  // i32 results are zero-extended
        }
        REQUIRE(uint64_t(results[0].i64()) == expected);
      }
    }
  }
}

}  // namespace

TEST_CASE("hostile: loads and stores at every edge of memory, after grow and at the maximum", "[hostile]") {
  for (auto mode : {wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit}) {
    INFO("bounds checks " << (mode == wasm::BoundsChecks::GuardPages ? "guard pages" : "explicit"));
    Loaded m(make_engine(mode), memory_edge_module(1, 3));
    check_edges(m);
    std::vector<wasm::Val> out(1);
    REQUIRE(m.call("grow", {wasm::Val(int32_t(2))}, out));
    CHECK(out[0].i32() == 1);
    check_edges(m);  // at the maximum (3 pages)
    REQUIRE(m.call("grow", {wasm::Val(int32_t(1))}, out));
    CHECK(out[0].i32() == -1);
    check_edges(m);  // a refused grow changed nothing
  }
  normal_module_still_runs();
}

TEST_CASE("hostile: a memory of zero pages traps on every access", "[hostile]") {
  for (auto mode : {wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit}) {
    Loaded m(make_engine(mode), memory_edge_module(0, 1));
    check_edges(m);
    std::vector<wasm::Val> out(1);
    REQUIRE(m.call("grow", {wasm::Val(int32_t(1))}, out));
    CHECK(out[0].i32() == 0);
    check_edges(m);
  }
  normal_module_still_runs();
}

TEST_CASE("hostile: a 4 GiB memory: its last byte is in bounds, the next is not", "[hostile]") {
  Loaded m(make_engine(), memory_edge_module(0, 65536));
  std::vector<wasm::Val> out(1);
  REQUIRE(m.call("grow", {wasm::Val(int32_t(65536))}, out));
  if (out[0].i32() == -1) {
    WARN("no 4 GiB memory on this machine; skipped");
    return;
  }
  CHECK(out[0].i32() == 0);
  std::optional<wasm::Memory> mem = m.instance.get_memory(m.store, "mem");
  REQUIRE(mem->data(m.store).size() == (1ull << 32));
  // Only a few accesses: each touches a page of the 4 GiB.
  auto load = [&](const char* name, uint32_t addr) {
    std::vector<wasm::Val> r(1);
    return m.call(name, {wasm::Val(int32_t(addr))}, r);
  };
  CHECK(load("i32.load8_u@0", 0xFFFFFFFF));
  CHECK(load("i32.load8_u@4294967295", 0));
  CHECK(trap_of(load("i32.load8_u@4294967295", 1)) == wasm::TrapCode::MemoryOutOfBounds);
  CHECK(load("i64.load@4294967280", 8));
  CHECK(trap_of(load("i64.load@4294967280", 9)) == wasm::TrapCode::MemoryOutOfBounds);
  CHECK(trap_of(load("i64.load@0", 0xFFFFFFF9)) == wasm::TrapCode::MemoryOutOfBounds);
  CHECK(trap_of(load("i64.load@4294967295", 0xFFFFFFFF)) == wasm::TrapCode::MemoryOutOfBounds);
  REQUIRE(m.call("grow", {wasm::Val(int32_t(1))}, out));
  CHECK(out[0].i32() == -1);
  REQUIRE(m.call("grow", {wasm::Val(int32_t(0))}, out));
  CHECK(out[0].i32() == 65536);
  normal_module_still_runs();
}

TEST_CASE("hostile: memory.grow to the limit and beyond", "[hostile]") {
  for (auto mode : {wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit}) {
    // Without a maximum the limit is 65536 pages; with one, the maximum.
    for (std::optional<uint32_t> max : {std::optional<uint32_t>{}, std::optional<uint32_t>{10}}) {
      ModuleBuilder b;
      b.memory(max ? limits(1, *max) : limits(1));
      uint32_t t = b.type({I32}, {I32});
      b.export_("grow", wasm::ExternKind::Func, b.func(t, cat({op(Op::LocalGet), uleb(0), op(Op::MemoryGrow), {0x00}, end()})));
      b.export_("size", wasm::ExternKind::Func, b.func(t, cat({op(Op::MemorySize), {0x00}, end()})));
      Loaded m(make_engine(mode), b.build());
      auto grow = [&](int32_t delta) {
        std::vector<wasm::Val> out(1);
        REQUIRE(m.call("grow", {wasm::Val(delta)}, out));
        return out[0].i32();
      };
      const int32_t limit = max ? int32_t(*max) : 65536;
      CHECK(grow(-1) == -1);               // 4 GiB - 1 pages
      CHECK(grow(int32_t(0x80000000)) == -1);
      CHECK(grow(0x10000) == -1);          // one page past the limit
      CHECK(grow(limit) == -1);
      CHECK(grow(0) == 1);
      CHECK(grow(1) == 1);
      if (max) {
        CHECK(grow(limit - 2) == 2);      // exactly to the maximum
        CHECK(grow(1) == -1);
        CHECK(grow(0) == limit);
      }
    }
  }
  normal_module_still_runs();
}

TEST_CASE("hostile: call_indirect with wrong types, null and out-of-bounds entries", "[hostile]") {
  ModuleBuilder b;
  uint32_t t_i32 = b.type({}, {I32});
  uint32_t t_i64 = b.type({}, {I64});
  uint32_t t_call = b.type({I32}, {I32});
  uint32_t t_two = b.type({I32, I32}, {I32});
  uint32_t f0 = b.func(t_i32, cat({i32_const(7), end()}));
  uint32_t f1 = b.func(t_i64, cat({i64_const(8), end()}));
  uint32_t f2 = b.func(t_two, cat({op(Op::LocalGet), uleb(0), end()}));
  b.table(ValType::FuncRef, limits(5, 5));  // entries 3 and 4 stay null
  b.elem_active(0, {f0, f1, f2});
  // call_indirect (type i32) with the table index from the parameter.
  uint32_t call = b.func(t_call, cat({op(Op::LocalGet), uleb(0), op(Op::CallIndirect), uleb(t_i32), {0x00}, end()}));
  b.export_("call", wasm::ExternKind::Func, call);
  for (auto mode : {wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit}) {
    Loaded m(make_engine(mode), b.build());
    auto call_at = [&](int32_t i) {
      std::vector<wasm::Val> out(1);
      wasm::Result<void> r = m.call("call", {wasm::Val(i)}, out);
      if (r) CHECK(out[0].i32() == 7);
      return r;
    };
    CHECK(call_at(0));
    CHECK(trap_of(call_at(1)) == wasm::TrapCode::BadSignature);  // i64 result
    CHECK(trap_of(call_at(2)) == wasm::TrapCode::BadSignature);  // two parameters
    CHECK(trap_of(call_at(3)) == wasm::TrapCode::IndirectCallToNull);
    CHECK(trap_of(call_at(4)) == wasm::TrapCode::IndirectCallToNull);
    for (int32_t i : {5, 6, 0x7FFFFFFF, -1, int32_t(0x80000000), 0x10000}) {
      INFO("index " << i);
      CHECK(trap_of(call_at(i)) == wasm::TrapCode::TableOutOfBounds);
    }
    CHECK(call_at(0));  // still fine after all those traps
  }
  normal_module_still_runs();
}

TEST_CASE("hostile: unbounded recursion in wasm ends in a stack-overflow trap, again and again", "[hostile]") {
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {I32});
  // f(x) = f(x + 1) + 1, and g with many locals (larger frames) calling itself.
  uint32_t f = b.func(t, cat({op(Op::LocalGet), uleb(0), i32_const(1), op(Op::I32Add), op(Op::Call), uleb(0),
                               i32_const(1), op(Op::I32Add), end()}));
  uint32_t g = b.func(t, cat({op(Op::LocalGet), uleb(0), op(Op::Call), uleb(1), op(Op::LocalGet), uleb(200),
                               op(Op::I32Add), end()}),
                      {{300, I32}});
  b.export_("f", wasm::ExternKind::Func, f);
  b.export_("g", wasm::ExternKind::Func, g);
  Loaded m(make_engine(), b.build());
  for (int round = 0; round < 5; ++round) {
    for (const char* name : {"f", "g"}) {
      std::vector<wasm::Val> out(1);
      wasm::Result<void> r = m.call(name, {wasm::Val(int32_t(0))}, out);
      REQUIRE(trap_of(r) == wasm::TrapCode::StackOverflow);
      CHECK(r.error().kind() == wasm::ErrorKind::Trap);
    }
  }
  normal_module_still_runs();
}

TEST_CASE("hostile: unbounded recursion through a host function (wasm -> host -> wasm)", "[hostile]") {
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {I32});
  uint32_t host = b.import_func("env", "host", t);
  // f(x) = host(x + 1): the host calls f again, forever.
  uint32_t f = b.func(t, cat({op(Op::LocalGet), uleb(0), i32_const(1), op(Op::I32Add), op(Op::Call), uleb(host), end()}));
  b.export_("f", wasm::ExternKind::Func, f);
  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, b.build());
  REQUIRE(module);
  struct Depth {
    int32_t max = 0;
  };
  wasm::Store<Depth> store(engine);
  wasm::Linker<Depth> linker(engine);
  REQUIRE(linker.func_wrap("env", "host", [](wasm::Caller<Depth>& c, int32_t x) -> wasm::Result<int32_t> {
    c.data().max = std::max(c.data().max, x);
    std::optional<wasm::Func> f = c.get_func("f");
    if (!f) return wasm::Error(wasm::ErrorKind::Type, "no f");
    std::vector<wasm::Val> out(1);
    wasm::Result<void> r = f->call(c, std::vector<wasm::Val>{wasm::Val(x)}, out);
    if (!r) return std::move(r).error();  // the trap goes up unchanged, frame by frame
    return out[0].i32();
  }));
  auto in = linker.instantiate(store, *module);
  REQUIRE(in);
  auto f_typed = in->get_typed_func<int32_t, int32_t>(store, "f");
  REQUIRE(f_typed);
  for (int round = 0; round < 3; ++round) {
    store.data().max = 0;
    wasm::Result<int32_t> r = f_typed->call(store, 0);
    REQUIRE(!r);
    CHECK(r.error().kind() == wasm::ErrorKind::Trap);
    CHECK(r.error().trap_code() == wasm::TrapCode::StackOverflow);
    CHECK(store.data().max > 10);  // it did recurse through the host
  }
  normal_module_still_runs();
}

TEST_CASE("hostile: host functions that throw", "[hostile]") {
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {I32});
  uint32_t h1 = b.import_func("env", "throws_std", t);
  uint32_t h2 = b.import_func("env", "throws_int", t);
  uint32_t h3 = b.import_func("env", "dynamic_throws", t);
  for (uint32_t h : {h1, h2, h3}) {
    uint32_t f = b.func(t, cat({op(Op::LocalGet), uleb(0), op(Op::Call), uleb(h), i32_const(1), op(Op::I32Add), end()}));
    b.export_("f" + std::to_string(h), wasm::ExternKind::Func, f);
  }
  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, b.build());
  REQUIRE(module);
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  REQUIRE(linker.func_wrap("env", "throws_std", [](int32_t x) -> int32_t {
    if (x > 0) throw std::runtime_error("host failure");
    return x;
  }));
  REQUIRE(linker.func_wrap("env", "throws_int", [](int32_t x) -> int32_t {
    if (x > 0) throw 42;  // not even a std::exception
    return x;
  }));
  REQUIRE(linker.func_new("env", "dynamic_throws", wasm::FuncType{{I32}, {I32}},
                          [](wasm::Caller<>&, std::span<const wasm::Val> args, std::span<wasm::Val> results) -> wasm::Result<void> {
                            if (args[0].i32() > 0) throw std::logic_error("dynamic failure");
                            results[0] = args[0];
                            return {};
                          }));
  auto in = linker.instantiate(store, *module);
  REQUIRE(in);
  for (int round = 0; round < 3; ++round) {
    for (const char* name : {"f0", "f1", "f2"}) {
      INFO(name);
      auto f = in->get_typed_func<int32_t, int32_t>(store, name);
      REQUIRE(f);
      wasm::Result<int32_t> bad = f->call(store, 1);
      REQUIRE(!bad);
      CHECK(bad.error().kind() == wasm::ErrorKind::Trap);
      CHECK(bad.error().trap_code() == wasm::TrapCode::HostError);
      wasm::Result<int32_t> good = f->call(store, 0);
      REQUIRE(good);
      CHECK(*good == 1);
    }
  }
  normal_module_still_runs();
}

TEST_CASE("hostile: a module with 100,000 functions", "[hostile][large]") {
  constexpr uint32_t kFuncs = 100'000;
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {I32});
  for (uint32_t i = 0; i < kFuncs; ++i) {
    // f_i(x) = f_{i-1}(x) + 1 for every 1000th function, a constant otherwise.
    Bytes body = (i % 1000 == 999) ? cat({op(Op::LocalGet), uleb(0), op(Op::Call), uleb(i - 1), i32_const(1), op(Op::I32Add), end()})
                                   : cat({op(Op::LocalGet), uleb(0), i32_const(int32_t(i)), op(Op::I32Add), end()});
    b.func(t, body);
  }
  b.export_("last", wasm::ExternKind::Func, kFuncs - 1);
  b.export_("first", wasm::ExternKind::Func, 0);
  Bytes bytes = b.build();
  long rss_before = start_peak_measurement();
  auto start = std::chrono::steady_clock::now();
  {
    Loaded m(make_engine(), bytes);
    std::vector<wasm::Val> out(1);
    REQUIRE(m.call("last", {wasm::Val(int32_t(5))}, out));
    CHECK(out[0].i32() == 5 + int32_t(kFuncs - 2) + 1);
    REQUIRE(m.call("first", {wasm::Val(int32_t(5))}, out));
    CHECK(out[0].i32() == 5);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long grown_mib = (status_kib("VmHWM") - rss_before) / 1024;
  std::printf("100,000 functions (%zu bytes): compiled, instantiated and called in %.2f s, peak RSS +%ld MiB\n",
              bytes.size(), secs, grown_mib);
  CHECK(grown_mib < 2048);  // generous: a few KiB per function at most
  normal_module_still_runs();
}

TEST_CASE("hostile: a 50 MB function body", "[hostile][large]") {
  // local0 = local0 + 1, 7 bytes per step, about 7 million steps in one function.
  constexpr size_t kBodyBytes = 50u << 20;
  const Bytes step = cat({op(Op::LocalGet), uleb(0), i32_const(1), op(Op::I32Add), op(Op::LocalSet), uleb(0)});
  Bytes body;
  body.reserve(kBodyBytes + 16);
  size_t steps = 0;
  while (body.size() + step.size() < kBodyBytes) {
    body.insert(body.end(), step.begin(), step.end());
    ++steps;
  }
  body = cat({body, op(Op::LocalGet), uleb(0), end()});
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {I32});
  b.export_("f", wasm::ExternKind::Func, b.func(t, std::move(body)));
  Bytes bytes = b.build();
  REQUIRE(bytes.size() > kBodyBytes - 16);
  long rss_before = start_peak_measurement();
  auto start = std::chrono::steady_clock::now();
  {
    wasm::Engine engine;
    auto module = wasm::Module::compile(engine, bytes);
    if (!module) {
      // Refusing a function this large is allowed, as a clean resource error.
      CHECK(module.error().kind() == wasm::ErrorKind::Resource);
      std::printf("50 MB function body: refused (%s)\n", module.error().to_string().c_str());
    } else {
      wasm::Store<> store(engine);
      wasm::Linker<> linker(engine);
      auto in = linker.instantiate(store, *module);
      REQUIRE(in);
      auto f = in->get_typed_func<int32_t, int32_t>(store, "f");
      REQUIRE(f);
      auto r = f->call(store, 3);
      REQUIRE(r);
      CHECK(*r == 3 + int32_t(steps));
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long grown_mib = (status_kib("VmHWM") - rss_before) / 1024;
  std::printf("50 MB function body (%zu steps): compiled and run in %.2f s, peak RSS +%ld MiB\n", steps, secs, grown_mib);
  CHECK(grown_mib < 4096);  // generous: linear in the body, not quadratic
  normal_module_still_runs();
}
