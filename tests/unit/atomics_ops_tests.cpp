// Every atomic load, store, read-modify-write and cmpxchg of the threads proposal through the
// JIT, at every width: the result and the bytes left in memory, compared with a model written
// here from the spec's definitions; then the alignment and bounds traps, and wait/notify's
// single-threaded results. Each case runs with guard pages and with explicit bounds checks.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "atomics_support.hpp"

namespace {

using wasm::test::SharedInstance;

enum class Kind { Load, Store, Rmw, Cmpxchg };

struct AtomicOp {
  std::string name;
  Kind kind;
  std::string rmw;  // add, sub, and, or, xor, xchg (Rmw only)
  uint32_t size;    // bytes accessed
  bool wide;        // i64 operands and result
};

// The seven widths of each group, in the proposal's order.
struct Width {
  bool wide;
  uint32_t size;
  const char* infix;  // "" / "8" / "16" / "32"
};
constexpr Width kWidths[] = {{false, 4, ""}, {true, 8, ""},    {false, 1, "8"}, {false, 2, "16"},
                             {true, 1, "8"},  {true, 2, "16"}, {true, 4, "32"}};

std::vector<AtomicOp> all_ops() {
  std::vector<AtomicOp> ops;
  for (const Width& w : kWidths) {
    const std::string t = w.wide ? "i64" : "i32";
    const bool narrow = w.infix[0] != 0;
    ops.push_back({t + ".atomic.load" + w.infix + (narrow ? "_u" : ""), Kind::Load, "", w.size, w.wide});
    ops.push_back({t + ".atomic.store" + w.infix, Kind::Store, "", w.size, w.wide});
    for (const char* r : {"add", "sub", "and", "or", "xor", "xchg"}) {
      const std::string name = narrow ? t + ".atomic.rmw" + w.infix + "." + r + "_u"
                                      : t + ".atomic.rmw." + r;
      ops.push_back({name, Kind::Rmw, r, w.size, w.wide});
    }
    ops.push_back({narrow ? t + ".atomic.rmw" + w.infix + ".cmpxchg_u" : t + ".atomic.rmw.cmpxchg",
                   Kind::Cmpxchg, "", w.size, w.wide});
  }
  return ops;
}

// Three exports per op: NAME (address from a local), NAME/off (offset=8), NAME/const (address
// the constant 24, value operands from locals).
std::string ops_module(const std::vector<AtomicOp>& ops, bool shared_import) {
  std::string s = "(module\n";
  s += shared_import ? "  (import \"env\" \"mem\" (memory 1 1 shared))\n" : "  (memory 1 1)\n";
  s += "  (func (export \"set\") (param i32 i64) (i64.store (local.get 0) (local.get 1)))\n";
  s += "  (func (export \"get\") (param i32) (result i64) (i64.load (local.get 0)))\n";
  for (const AtomicOp& op : ops) {
    const std::string t = op.wide ? "i64" : "i32";
    std::string params, result, operands;
    switch (op.kind) {
      case Kind::Load: result = "(result " + t + ")"; break;
      case Kind::Store: params = " " + t; operands = " (local.get 1)"; break;
      case Kind::Rmw: params = " " + t; result = "(result " + t + ")"; operands = " (local.get 1)"; break;
      case Kind::Cmpxchg:
        params = " " + t + " " + t;
        result = "(result " + t + ")";
        operands = " (local.get 1) (local.get 2)";
        break;
    }
    auto func = [&](const std::string& suffix, const std::string& memarg, const std::string& addr) {
      s += "  (func (export \"" + op.name + suffix + "\") (param i32" + params + ") " + result + " (" +
           op.name + memarg + " " + addr + operands + "))\n";
    };
    func("", "", "(local.get 0)");
    func("/off", " offset=8", "(local.get 0)");
    func("/const", "", "(i32.const 24)");
  }
  return s + ")\n";
}

constexpr uint64_t kPattern = 0xF1E2D3C4B5A69788ull;  // every byte with its top bit set
constexpr uint64_t kValue = 0x8182838485868788ull;

uint64_t mask_of(uint32_t size) { return size == 8 ? ~0ull : (1ull << (8 * size)) - 1; }

// What the spec says: {result, the 8 bytes at the address afterwards}, starting from kPattern.
struct Expected {
  uint64_t result;
  uint64_t memory;
};
Expected model(const AtomicOp& op, uint64_t value, uint64_t replacement) {
  const uint64_t mask = mask_of(op.size);
  const uint64_t old = kPattern & mask;
  uint64_t stored = old;
  switch (op.kind) {
    case Kind::Load: break;
    case Kind::Store: stored = value; break;
    case Kind::Rmw:
      if (op.rmw == "add") stored = old + value;
      else if (op.rmw == "sub") stored = old - value;
      else if (op.rmw == "and") stored = old & value;
      else if (op.rmw == "or") stored = old | value;
      else if (op.rmw == "xor") stored = old ^ value;
      else stored = value;
      break;
    case Kind::Cmpxchg: stored = (value & mask) == old ? replacement : old; break;
  }
  return {old, (kPattern & ~mask) | (stored & mask)};
}

// Calls the op's export `suffix` with the address and operands; returns its result (0 for a
// store) widened to 64 bits, or the error.
wasm::Result<uint64_t> run(SharedInstance& in, const AtomicOp& op, const std::string& suffix,
                           int32_t addr, uint64_t value, uint64_t replacement) {
  const std::string name = op.name + suffix;
  auto widen = [](auto r) -> wasm::Result<uint64_t> {
    if (!r) return std::move(r).error();
    return uint64_t(std::make_unsigned_t<std::decay_t<decltype(*r)>>(*r));
  };
  if (op.wide) {
    const int64_t v = int64_t(value), w = int64_t(replacement);
    switch (op.kind) {
      case Kind::Load: return widen(in.call<int64_t>(name.c_str(), addr));
      case Kind::Store: {
        auto r = in.call<void>(name.c_str(), addr, v);
        if (!r) return std::move(r).error();
        return uint64_t(0);
      }
      case Kind::Rmw: return widen(in.call<int64_t>(name.c_str(), addr, v));
      case Kind::Cmpxchg: return widen(in.call<int64_t>(name.c_str(), addr, v, w));
    }
  }
  const int32_t v = int32_t(uint32_t(value)), w = int32_t(uint32_t(replacement));
  switch (op.kind) {
    case Kind::Load: return widen(in.call<int32_t>(name.c_str(), addr));
    case Kind::Store: {
      auto r = in.call<void>(name.c_str(), addr, v);
      if (!r) return std::move(r).error();
      return uint64_t(0);
    }
    case Kind::Rmw: return widen(in.call<int32_t>(name.c_str(), addr, v));
    case Kind::Cmpxchg: return widen(in.call<int32_t>(name.c_str(), addr, v, w));
  }
  return uint64_t(0);
}

struct Fixture {
  wasm::Engine engine;
  wasm::SharedMemory memory;
  std::optional<wasm::Module> module;
  std::optional<SharedInstance> instance;

  explicit Fixture(wasm::BoundsChecks mode) : engine(wasm::test::threads_engine(mode)) {
    auto m = wasm::SharedMemory::create(engine, wasm::test::shared_type(1, 1));
    REQUIRE(m);
    memory = *m;
    auto compiled = wasm::Module::from_wat(engine, ops_module(all_ops(), true));
    if (!compiled) FAIL(compiled.error().message());
    module = *compiled;
    instance.emplace(engine, *module, memory);
  }
};

}  // namespace

TEST_CASE("every atomic op returns the old value and leaves the right bytes", "[atomics]") {
  const wasm::BoundsChecks mode = GENERATE(wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit);
  Fixture fx(mode);
  SharedInstance& in = *fx.instance;
  for (const AtomicOp& op : all_ops()) {
    const uint64_t mask = mask_of(op.size);
    const uint64_t type_mask = op.wide ? ~0ull : 0xFFFFFFFFull;
    // cmpxchg: once with an expected value whose low bytes match (the bits above the access
    // width differ: only the accessed width is compared), once with one that does not.
    std::vector<std::pair<uint64_t, uint64_t>> operands{{kValue & type_mask, 0}};
    if (op.kind == Kind::Cmpxchg) {
      operands = {{((kPattern & mask) | (kValue & ~mask)) & type_mask, kValue & type_mask},
                  {((kPattern ^ 1) & mask) & type_mask, kValue & type_mask}};
    }
    for (const auto& [value, replacement] : operands) {
      for (const auto& [suffix, addr, ea] : {std::tuple<std::string, int32_t, int32_t>{"", 16, 16},
                                             {"/off", 8, 16},
                                             {"/const", 0, 24}}) {
        INFO(op.name << suffix << " value " << value << " mode " << int(mode));
        REQUIRE(in.call<void>("set", ea, int64_t(kPattern)));
        auto got = run(in, op, suffix, addr, value, replacement);
        REQUIRE(got);
        const Expected want = model(op, value & type_mask, replacement & type_mask);
        CHECK(*got == (op.kind == Kind::Store ? 0 : want.result));
        CHECK(uint64_t(*in.call<int64_t>("get", ea)) == want.memory);
      }
    }
  }
}

TEST_CASE("atomic accesses trap when misaligned, before the bounds check", "[atomics]") {
  const wasm::BoundsChecks mode = GENERATE(wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit);
  Fixture fx(mode);
  SharedInstance& in = *fx.instance;
  constexpr int32_t kEnd = 65536;
  for (const AtomicOp& op : all_ops()) {
    INFO(op.name << " mode " << int(mode));
    const int32_t size = int32_t(op.size);
    auto trap = [&](const std::string& suffix, int32_t addr) -> std::optional<wasm::TrapCode> {
      auto r = run(in, op, suffix, addr, 0, 0);
      return r ? std::nullopt : r.error().trap_code();
    };
    // The last aligned slot is in bounds, the next one is not.
    CHECK(run(in, op, "", kEnd - size, 0, 0));
    CHECK(run(in, op, "/off", kEnd - size - 8, 0, 0));
    CHECK(trap("", kEnd) == wasm::TrapCode::MemoryOutOfBounds);
    CHECK(trap("/off", kEnd - 8) == wasm::TrapCode::MemoryOutOfBounds);
    CHECK(trap("", -size) == wasm::TrapCode::MemoryOutOfBounds);  // 4 GiB - size
    if (size == 1) continue;
    for (int32_t skew = 1; skew < size; ++skew) {
      CHECK(trap("", 16 + skew) == wasm::TrapCode::HeapMisaligned);
      CHECK(trap("/off", 8 + skew) == wasm::TrapCode::HeapMisaligned);
      CHECK(trap("", kEnd + skew) == wasm::TrapCode::HeapMisaligned);  // also out of bounds
    }
  }
}

TEST_CASE("wait and notify on one thread: not-equal, timed out, no waiters", "[atomics]") {
  const wasm::BoundsChecks mode = GENERATE(wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit);
  auto engine = wasm::test::threads_engine(mode);
  auto mem = wasm::SharedMemory::create(engine, wasm::test::shared_type(1, 1));
  REQUIRE(mem);
  auto module = wasm::Module::from_wat(engine, R"((module
    (import "env" "mem" (memory 1 1 shared))
    (func (export "wait32") (param i32 i32 i64) (result i32)
      (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
    (func (export "wait64") (param i32 i64 i64) (result i32)
      (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
    (func (export "notify") (param i32 i32) (result i32)
      (memory.atomic.notify (local.get 0) (local.get 1)))
    (func (export "wait32/off") (param i32 i32 i64) (result i32)
      (memory.atomic.wait32 offset=4 (local.get 0) (local.get 1) (local.get 2))))
  )");
  REQUIRE(module);
  SharedInstance in(engine, *module, *mem);
  mem->data()[8] = 7;
  CHECK(*in.call<int32_t>("wait32", 8, 0, int64_t(-1)) == 1);  // not equal: never blocks
  CHECK(*in.call<int32_t>("wait64", 8, int64_t(0), int64_t(-1)) == 1);
  CHECK(*in.call<int32_t>("wait32", 8, 7, int64_t(0)) == 2);  // equal, zero timeout
  CHECK(*in.call<int32_t>("wait32", 8, 7, int64_t(1'000'000)) == 2);  // 1 ms
  CHECK(*in.call<int32_t>("wait64", 8, int64_t(7), int64_t(1'000'000)) == 2);
  CHECK(*in.call<int32_t>("wait32/off", 4, 7, int64_t(0)) == 2);
  CHECK(*in.call<int32_t>("notify", 8, 10) == 0);
  // The largest timeout does not overflow into an immediate time-out (it waits for ever, so
  // only the not-equal case can be run).
  CHECK(*in.call<int32_t>("wait64", 8, int64_t(8), INT64_MAX) == 1);
  auto trap = [](auto r) { return r ? std::nullopt : r.error().trap_code(); };
  CHECK(trap(in.call<int32_t>("wait32", 2, 0, int64_t(0))) == wasm::TrapCode::HeapMisaligned);
  CHECK(trap(in.call<int32_t>("wait64", 4, int64_t(0), int64_t(0))) == wasm::TrapCode::HeapMisaligned);
  CHECK(trap(in.call<int32_t>("notify", 1, 1)) == wasm::TrapCode::HeapMisaligned);
  CHECK(trap(in.call<int32_t>("wait32", 65536, 0, int64_t(0))) == wasm::TrapCode::MemoryOutOfBounds);
  CHECK(trap(in.call<int32_t>("notify", 65536, 1)) == wasm::TrapCode::MemoryOutOfBounds);
  // The host's side of the same queues.
  CHECK(mem->atomic_wait32(8, 0).value() == wasm::WaitResult::NotEqual);
  CHECK(mem->atomic_wait32(8, 7, std::chrono::milliseconds(1)).value() == wasm::WaitResult::TimedOut);
  CHECK(mem->atomic_wait64(8, 7, std::chrono::nanoseconds(0)).value() == wasm::WaitResult::TimedOut);
  CHECK(mem->atomic_notify(8, 1).value() == 0);
  CHECK(mem->atomic_notify(6, 1).error().trap_code() == wasm::TrapCode::HeapMisaligned);
  CHECK(mem->atomic_wait64(65536, 0).error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
}

TEST_CASE("a wait on a memory that is not shared traps; notify returns 0", "[atomics]") {
  auto engine = wasm::test::threads_engine();
  auto module = wasm::Module::from_wat(engine, R"((module
    (memory 1 1)
    (func (export "wait32") (param i32 i32 i64) (result i32)
      (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
    (func (export "wait64") (param i32 i64 i64) (result i32)
      (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
    (func (export "notify") (param i32 i32) (result i32)
      (memory.atomic.notify (local.get 0) (local.get 1)))
    (func (export "add") (param i32 i32) (result i32)
      (i32.atomic.rmw.add (local.get 0) (local.get 1))))
  )");
  REQUIRE(module);
  wasm::Store<int> store(engine, 0);
  wasm::Linker<int> linker(engine);
  auto inst = linker.instantiate(store, *module);
  REQUIRE(inst);
  auto wait32 = inst->get_typed_func<std::tuple<int32_t, int32_t, int64_t>, int32_t>(store, "wait32");
  auto wait64 = inst->get_typed_func<std::tuple<int32_t, int64_t, int64_t>, int32_t>(store, "wait64");
  auto notify = inst->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "notify");
  auto add = inst->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "add");
  CHECK(wait32->call(store, 0, 0, 0).error().trap_code() == wasm::TrapCode::AtomicWaitNonSharedMemory);
  CHECK(wait64->call(store, 0, 0, 0).error().trap_code() == wasm::TrapCode::AtomicWaitNonSharedMemory);
  CHECK(wait32->call(store, 1, 0, 0).error().trap_code() == wasm::TrapCode::HeapMisaligned);
  CHECK(notify->call(store, 0, 1).value() == 0);
  CHECK(add->call(store, 0, 5).value() == 0);  // atomics work on unshared memories too
  CHECK(add->call(store, 0, 5).value() == 5);
}

TEST_CASE("SharedMemory refuses unshared types and engines it cannot serve", "[atomics]") {
  auto engine = wasm::test::threads_engine();
  wasm::MemoryType plain;
  plain.limits.min = 1;
  plain.limits.max = 1;
  CHECK_FALSE(wasm::SharedMemory::create(engine, plain));
  wasm::MemoryType no_max = wasm::test::shared_type(1, 1);
  no_max.limits.max.reset();
  CHECK_FALSE(wasm::SharedMemory::create(engine, no_max));
  // Made without guard pages: a guard-page engine's code would skip bounds checks on it.
  auto explicit_engine = wasm::test::threads_engine(wasm::BoundsChecks::Explicit);
  auto unguarded = wasm::SharedMemory::create(explicit_engine, wasm::test::shared_type(1, 2));
  REQUIRE(unguarded);
  wasm::Store<int> guarded_store(engine, 0);
  CHECK_FALSE(unguarded->memory(guarded_store));
  wasm::Store<int> explicit_store(explicit_engine, 0);
  auto a = unguarded->memory(explicit_store);
  auto b = unguarded->memory(explicit_store);
  REQUIRE((a && b));
  CHECK(a->index() == b->index());  // one handle per store
  // The other way round is fine: explicit checks work on any memory.
  auto guarded = wasm::SharedMemory::create(engine, wasm::test::shared_type(1, 2));
  REQUIRE(guarded);
  CHECK(guarded->memory(explicit_store));
  // A shared memory module import matches only a shared memory.
  auto module = wasm::Module::from_wat(engine, R"((module (import "env" "mem" (memory 1 2))))");
  REQUIRE(module);
  wasm::Linker<int> linker(engine);
  REQUIRE(linker.define("env", "mem", *guarded->memory(guarded_store)));
  CHECK_FALSE(linker.instantiate(guarded_store, *module));
}
