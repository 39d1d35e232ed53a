// The pooling instance allocator and copy-on-write memory images, through the public API:
// slots reused with the module's contents (not the last instance's), limits and the exhausted
// error, tables reset, images shared and copied on write, the spec's segment order kept where
// no image may be used, and stores on several threads taking and freeing slots at once.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <wasm.hpp>

#include "test_modules.hpp"

namespace {

constexpr uint64_t kPage = 65536;

struct PoolLimits {
  uint32_t instances = 1, memories = 1, tables = 1;
  uint64_t keep_resident = 0;
  uint32_t max_instance_bytes = 1 << 20;
};

wasm::Config pooling(const PoolLimits& l, bool cow = true,
                     wasm::BoundsChecks checks = wasm::BoundsChecks::GuardPages) {
  wasm::PoolingAllocationConfig pool;
  pool.total_core_instances = l.instances;
  pool.total_memories = l.memories;
  pool.total_tables = l.tables;
  pool.max_memory_size = 4 * kPage;  // pool_memory.wat declares a maximum of 6 pages
  pool.table_elements = 8;           // and a table maximum of 10
  pool.max_core_instance_size = l.max_instance_bytes;
  pool.linear_memory_keep_resident = l.keep_resident;
  pool.table_keep_resident = l.keep_resident;
  wasm::Config config;
  config.allocation_strategy(pool).memory_init_cow(cow).bounds_checks(checks);
  return config;
}

// The line of /proc/self/maps that maps `address`.
std::string mapping_of(const void* address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  const auto a = reinterpret_cast<unsigned long>(address);
  while (std::getline(maps, line)) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) == 2 && lo <= a && a < hi) return line;
  }
  return "";
}

bool maps_image(const void* address) { return mapping_of(address).find("wasmpp-memory-image") != std::string::npos; }

// A store with one instance of pool_memory.wat.
struct Pooled {
  wasm::Store<> store;
  wasm::Result<wasm::Instance> instance;

  Pooled(const wasm::Engine& engine, const wasm::Module& module)
      : store(engine), instance(wasm::Linker<>(engine).instantiate(store, module)) {}

  int32_t load8(uint32_t address) { return call<int32_t, int32_t>("load8", int32_t(address)).value(); }
  wasm::Result<int32_t> try_load8(uint32_t address) { return call<int32_t, int32_t>("load8", int32_t(address)); }
  void store8(uint32_t address, uint8_t value) {
    REQUIRE(call<std::tuple<int32_t, int32_t>, void>("store8", int32_t(address), int32_t(value)));
  }
  int32_t grow(int32_t pages) { return call<int32_t, int32_t>("grow", pages).value(); }
  int32_t size() { return call<std::tuple<>, int32_t>("size").value(); }
  uint8_t* memory_base() { return instance->get_memory(store, "mem")->data(store).data(); }

  template <typename P, typename R, typename... A>
  wasm::Result<R> call(const char* name, A... args) {
    auto f = instance->get_typed_func<P, R>(store, name);
    REQUIRE(f);
    return f->call(store, args...);
  }
};

wasm::Module compile(const wasm::Engine& engine, const char* name) {
  auto module = wasm::Module::compile(engine, load_test_module(name));
  REQUIRE(module);
  return *module;
}

// What pool_memory.wat's data segments put at 16..25 ("hello pool", then "POOL" at 20).
constexpr char kData[] = "hellPOOLol";

void check_fresh_data(Pooled& p) {
  for (uint32_t i = 0; i < 10; ++i) CHECK(p.load8(16 + i) == kData[i]);
  CHECK(p.load8(65636) == 'f');
  CHECK(p.load8(65638) == 'r');
  CHECK(p.load8(1000) == 0);
  CHECK(p.load8(2 * kPage - 1) == 0);
}

}  // namespace

TEST_CASE("pooling: a reused memory slot holds the module's data, not the last instance's writes", "[pooling]") {
  for (bool cow : {false, true}) {
    for (uint64_t keep : {uint64_t(0), 2 * kPage}) {
      INFO("copy-on-write " << cow << ", keep resident " << keep);
      wasm::Engine engine(pooling({.keep_resident = keep}, cow));
      wasm::Module module = compile(engine, "pool_memory");
      uint8_t* first_base = nullptr;
      {
        Pooled p(engine, module);
        REQUIRE(p.instance);
        first_base = p.memory_base();
        check_fresh_data(p);
        p.store8(17, 'X');
        p.store8(65636, 'Y');
        p.store8(1000, 0x55);
        CHECK(p.grow(2) == 2);
        p.store8(3 * kPage + 5, 0x66);
        CHECK(p.size() == 4);
      }
      Pooled again(engine, module);  // one memory slot: the same one
      REQUIRE(again.instance);
      CHECK(again.memory_base() == first_base);
      check_fresh_data(again);
      CHECK(again.size() == 2);
      // The pages the last instance grew into are out of bounds again, then zero once grown.
      auto past = again.try_load8(3 * kPage + 5);
      REQUIRE_FALSE(past);
      CHECK(past.error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
      CHECK(again.grow(2) == 2);
      CHECK(again.load8(3 * kPage + 5) == 0);
    }
  }
}

TEST_CASE("pooling: an exhausted pool is a resource error naming the limit; freed slots are reused", "[pooling]") {
  struct Case {
    PoolLimits limits;
    const char* limit;
  };
  for (const Case& c : {Case{{.instances = 2, .memories = 4, .tables = 4}, "total_core_instances"},
                        Case{{.instances = 4, .memories = 2, .tables = 4}, "total_memories"},
                        Case{{.instances = 4, .memories = 4, .tables = 2}, "total_tables"}}) {
    INFO(c.limit);
    wasm::Engine engine(pooling(c.limits));
    wasm::Module module = compile(engine, "pool_memory");
    auto a = std::make_unique<Pooled>(engine, module);
    Pooled b(engine, module);
    REQUIRE(a->instance);
    REQUIRE(b.instance);
    Pooled c3(engine, module);
    REQUIRE_FALSE(c3.instance);
    CHECK(c3.instance.error().kind() == wasm::ErrorKind::Resource);
    CHECK_THAT(c3.instance.error().message(), Catch::Contains("slots are in use") && Catch::Contains(c.limit));
    a.reset();
    Pooled d(engine, module);
    REQUIRE(d.instance);
    check_fresh_data(d);
  }
}

TEST_CASE("pooling: an instance larger than max_core_instance_size is refused", "[pooling]") {
  wasm::Engine engine(pooling({.max_instance_bytes = 64}));
  Pooled p(engine, compile(engine, "pool_memory"));
  REQUIRE_FALSE(p.instance);
  CHECK(p.instance.error().kind() == wasm::ErrorKind::Resource);
  CHECK_THAT(p.instance.error().message(), Catch::Contains("max_core_instance_size"));
}

TEST_CASE("pooling: memory.grow stops at max_memory_size, in both bounds-check modes", "[pooling]") {
  for (auto checks : {wasm::BoundsChecks::GuardPages, wasm::BoundsChecks::Explicit}) {
    INFO("explicit bounds checks " << (checks == wasm::BoundsChecks::Explicit));
    wasm::Engine engine(pooling({}, true, checks));
    Pooled p(engine, compile(engine, "pool_memory"));
    REQUIRE(p.instance);
    check_fresh_data(p);
    CHECK(p.grow(2) == 2);  // 4 pages: the pool's limit, below the declared maximum of 6
    CHECK(p.grow(1) == -1);
    CHECK(p.size() == 4);
    p.store8(4 * kPage - 1, 9);
    CHECK(p.load8(4 * kPage - 1) == 9);
    auto past = p.try_load8(4 * kPage);
    REQUIRE_FALSE(past);
    CHECK(past.error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
  }
}

TEST_CASE("pooling: a reused table slot starts over from the module's element segments", "[pooling]") {
  wasm::Engine engine(pooling({}));
  wasm::Module module = compile(engine, "pool_memory");
  {
    Pooled p(engine, module);
    REQUIRE(p.instance);
    CHECK(p.call<int32_t, int32_t>("call", 0).value() == 7);
    REQUIRE(p.call<int32_t, void>("set_eight", 1));
    CHECK(p.call<int32_t, int32_t>("call", 1).value() == 8);
    CHECK(p.call<int32_t, int32_t>("table_grow", 3).value() == 2);
    CHECK(p.call<int32_t, int32_t>("call", 4).value() == 8);
  }
  Pooled again(engine, module);
  REQUIRE(again.instance);
  auto table = again.instance->get_table(again.store, "tab");
  REQUIRE(table);
  CHECK(table->size(again.store) == 2);
  CHECK(again.call<int32_t, int32_t>("call", 0).value() == 7);
  CHECK_FALSE(table->get(again.store, 1)->funcref());  // the last instance's set is gone
  auto null_call = again.call<int32_t, int32_t>("call", 1);
  REQUIRE_FALSE(null_call);
  CHECK(null_call.error().trap_code() == wasm::TrapCode::IndirectCallToNull);
  // Growth: to the pool's 8 elements (below the declared 10), then -1.
  CHECK(again.call<int32_t, int32_t>("table_grow", 6).value() == 2);
  CHECK(again.call<int32_t, int32_t>("table_grow", 1).value() == -1);
  CHECK(again.call<int32_t, int32_t>("call", 7).value() == 8);
  CHECK_FALSE(table->get(again.store, 1)->funcref());
}

TEST_CASE("copy-on-write: instances of a module share its image and copy a page on write", "[pooling][cow]") {
  wasm::Engine on_demand;
  wasm::Engine pooled(pooling({.instances = 2, .memories = 2, .tables = 2}));
  for (const wasm::Engine* engine : {&on_demand, &pooled}) {
    INFO((engine == &pooled ? "pooling" : "on demand"));
    wasm::Module module = compile(*engine, "pool_memory");
    Pooled a(*engine, module), b(*engine, module);
    REQUIRE(a.instance);
    REQUIRE(b.instance);
    REQUIRE(a.memory_base() != b.memory_base());
    CHECK(maps_image(a.memory_base()));
    CHECK(maps_image(b.memory_base() + 65636));
    a.store8(17, 'Z');
    CHECK(a.load8(17) == 'Z');
    CHECK(b.load8(17) == 'e');
    b.store8(65636, 'Q');
    CHECK(a.load8(65636) == 'f');
    CHECK(b.load8(65636) == 'Q');
  }
}

TEST_CASE("copy-on-write off: the data is copied, no image is mapped", "[pooling][cow]") {
  wasm::Config config;
  config.memory_init_cow(false);
  wasm::Engine engine(config);
  Pooled p(engine, compile(engine, "pool_memory"));
  REQUIRE(p.instance);
  check_fresh_data(p);
  CHECK_FALSE(maps_image(p.memory_base()));
}

TEST_CASE("copy-on-write: a data segment at an imported global's offset is copied", "[pooling][cow]") {
  wasm::Engine engine;
  wasm::Module module = compile(engine, "pool_dynamic_offset");
  wasm::Store<> store(engine);
  auto offset = wasm::Global::create(store, wasm::GlobalType{wasm::ValType::I32, false}, wasm::Val(int32_t(100)));
  REQUIRE(offset);
  wasm::Linker<> linker(engine);
  REQUIRE(linker.define("env", "offset", *offset));
  auto instance = linker.instantiate(store, module);
  REQUIRE(instance);
  auto memory = instance->get_memory(store, "mem");
  REQUIRE(memory);
  CHECK(memory->data(store)[100] == 'd');
  CHECK(memory->data(store)[102] == 'n');
  CHECK(memory->data(store)[99] == 0);
  CHECK_FALSE(maps_image(memory->data(store).data()));
}

TEST_CASE("copy-on-write: where a segment traps, the earlier segments' writes stay visible", "[pooling][cow]") {
  wasm::Engine on_demand;
  wasm::Engine pooled(pooling({.instances = 2, .memories = 2, .tables = 2}));
  for (const wasm::Engine* engine : {&on_demand, &pooled}) {
    INFO((engine == &pooled ? "pooling" : "on demand"));
    wasm::Store<> store(*engine);
    auto table = wasm::Table::create(store, wasm::TableType{wasm::ValType::FuncRef, wasm::Limits{2, {}}});
    REQUIRE(table);
    wasm::Linker<> linker(*engine);
    REQUIRE(linker.define("env", "table", *table));
    auto failed = linker.instantiate(store, compile(*engine, "pool_failing_data"));
    REQUIRE_FALSE(failed);
    CHECK(failed.error().kind() == wasm::ErrorKind::Instantiate);
    CHECK_THAT(failed.error().message(), Catch::Contains("out of bounds memory access"));
    // The failed instance's function, left in the shared table, sees the first segment's byte.
    auto caller = linker.instantiate(store, compile(*engine, "pool_table_caller"));
    REQUIRE(caller);
    auto call0 = caller->get_typed_func<std::tuple<>, int32_t>(store, "call0");
    REQUIRE(call0);
    CHECK(call0->call(store).value() == 'A');
  }
}

TEST_CASE("reserved memories (on demand) come back fresh: contents, size and guard", "[pooling]") {
  wasm::Engine engine;
  wasm::Module module = compile(engine, "pool_memory");
  for (int round = 0; round < 40; ++round) {
    Pooled p(engine, module);
    REQUIRE(p.instance);
    CHECK(p.size() == 2);
    CHECK(p.load8(17) == 'e');
    CHECK(p.load8(1000) == 0);
    auto past = p.try_load8(2 * kPage);
    REQUIRE_FALSE(past);
    CHECK(past.error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
    p.store8(1000, 1);
    p.store8(17, 'E');
    CHECK(p.grow(3) == 2);
    p.store8(4 * kPage, 2);
  }
}

TEST_CASE("explicit bounds checks: data from images or copies, out-of-bounds traps", "[pooling][cow]") {
  wasm::Config config;
  config.bounds_checks(wasm::BoundsChecks::Explicit);
  wasm::Engine engine(config);
  Pooled p(engine, compile(engine, "pool_memory"));
  REQUIRE(p.instance);
  check_fresh_data(p);
  auto past = p.try_load8(2 * kPage);
  REQUIRE_FALSE(past);
  CHECK(past.error().trap_code() == wasm::TrapCode::MemoryOutOfBounds);
}

TEST_CASE("pooling: stores on several threads take slots until the pool is exhausted, then reuse them",
          "[pooling][threads]") {
  constexpr uint32_t kSlots = 6;
  wasm::Engine engine(pooling({.instances = kSlots, .memories = kSlots, .tables = kSlots, .keep_resident = kPage}));
  wasm::Module module = compile(engine, "pool_memory");
  std::atomic<int> instantiated{0}, exhausted{0}, wrong{0};
  auto worker = [&](int id) {
    for (int round = 0; round < 40; ++round) {
      std::vector<std::unique_ptr<Pooled>> held;
      for (;;) {
        auto p = std::make_unique<Pooled>(engine, module);
        if (!p->instance) {
          bool expected = p->instance.error().kind() == wasm::ErrorKind::Resource &&
                          p->instance.error().message().find("slots are in use") != std::string::npos;
          if (!expected) wrong.fetch_add(1);
          exhausted.fetch_add(1);
          break;
        }
        instantiated.fetch_add(1);
        // No Catch2 assertions off the main thread: count what is wrong instead.
        auto load = p->instance->get_typed_func<int32_t, int32_t>(p->store, "load8");
        auto store = p->instance->get_typed_func<std::tuple<int32_t, int32_t>, void>(p->store, "store8");
        auto byte_is = [&](int32_t address, int32_t value) {
          auto r = load->call(p->store, address);
          return r && *r == value;
        };
        if (!load || !store || !byte_is(17, 'e') || !byte_is(1000, 0)) {
          wrong.fetch_add(1);
        } else {
          bool stored = store->call(p->store, 17, 'a' + id) && store->call(p->store, 1000, id + 1);
          if (!stored || !byte_is(17, 'a' + id)) wrong.fetch_add(1);
        }
        held.push_back(std::move(p));
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back(worker, i);
  for (std::thread& t : threads) t.join();
  CHECK(wrong.load() == 0);
  CHECK(exhausted.load() == 3 * 40);
  CHECK(instantiated.load() > 0);
  // Every slot came back: the pool holds exactly kSlots instances again, all fresh.
  std::vector<std::unique_ptr<Pooled>> all;
  for (uint32_t i = 0; i < kSlots; ++i) {
    all.push_back(std::make_unique<Pooled>(engine, module));
    REQUIRE(all.back()->instance);
    CHECK(all.back()->load8(17) == 'e');
    CHECK(all.back()->load8(1000) == 0);
  }
  Pooled extra(engine, module);
  CHECK_FALSE(extra.instance);
}
