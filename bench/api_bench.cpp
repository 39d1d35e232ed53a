// API micro-benchmarks (Google Benchmark): the cost of crossing between the host and wasm.
//   host->wasm  TypedFunc::call of an empty function
//   wasm->host  a wasm loop calling an imported empty typed host function N times, per call
//               (and the same loop without the call, and with a wasm->wasm call, to compare)
//   untyped     Func::call with Val arrays
//   instantiate a small module with a memory and a data segment (fresh Store each time, and the
//               Store alone, so the difference is the instantiation): the default engine
//               (on-demand allocation, copy-on-write data), on demand without copy-on-write,
//               and the pooling allocator with and without it; instances per second on 1 and
//               2 threads for the default and the pooling engine
// bench/run.sh runs this and puts the figures in the results table.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string_view>
#include <vector>

#include <wasm.hpp>

namespace {

// A minimal module encoder, enough for the few modules below.
using Bytes = std::vector<uint8_t>;

void put_uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(uint8_t(b | (v ? 0x80 : 0)));
  } while (v);
}
void put_name(Bytes& out, std::string_view s) {
  put_uleb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}
void put_section(Bytes& module, uint8_t id, const Bytes& payload) {
  module.push_back(id);
  put_uleb(module, payload.size());
  module.insert(module.end(), payload.begin(), payload.end());
}
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

constexpr uint8_t I32 = 0x7F;
struct Sig {
  std::vector<uint8_t> params, results;
};
struct Body {
  uint32_t type;
  Bytes code;  // instructions after the locals vector, including the final `end`
};

struct ModuleSpec {
  std::vector<Sig> types;
  std::vector<std::pair<std::string_view, uint32_t>> func_imports;  // "env" name, type
  std::vector<Body> funcs;
  std::vector<std::pair<std::string_view, uint32_t>> func_exports;  // name, function index
  bool memory = false;                                              // one page, exported "memory"
  Bytes data;                                                       // active segment at offset 16
};

Bytes encode(const ModuleSpec& m) {
  Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  Bytes s;
  put_uleb(s, m.types.size());
  for (const Sig& t : m.types) {
    s.push_back(0x60);
    put_uleb(s, t.params.size());
    s.insert(s.end(), t.params.begin(), t.params.end());
    put_uleb(s, t.results.size());
    s.insert(s.end(), t.results.begin(), t.results.end());
  }
  put_section(out, 1, s);
  if (!m.func_imports.empty()) {
    s.clear();
    put_uleb(s, m.func_imports.size());
    for (auto& [name, type] : m.func_imports) {
      put_name(s, "env");
      put_name(s, name);
      s.push_back(0x00);
      put_uleb(s, type);
    }
    put_section(out, 2, s);
  }
  s.clear();
  put_uleb(s, m.funcs.size());
  for (const Body& b : m.funcs) put_uleb(s, b.type);
  put_section(out, 3, s);
  if (m.memory) put_section(out, 5, {0x01, 0x00, 0x01});
  s.clear();
  put_uleb(s, m.func_exports.size() + (m.memory ? 1 : 0));
  for (auto& [name, index] : m.func_exports) {
    put_name(s, name);
    s.push_back(0x00);
    put_uleb(s, index);
  }
  if (m.memory) {
    put_name(s, "memory");
    s.push_back(0x02);
    s.push_back(0x00);
  }
  put_section(out, 7, s);
  s.clear();
  put_uleb(s, m.funcs.size());
  for (const Body& b : m.funcs) {
    Bytes body = cat({{0x00}, b.code});  // no locals
    put_uleb(s, body.size());
    s.insert(s.end(), body.begin(), body.end());
  }
  put_section(out, 10, s);
  if (!m.data.empty()) {
    s = {0x01, 0x00, 0x41, 0x10, 0x0B};  // one active segment, memory 0, offset i32.const 16
    put_uleb(s, m.data.size());
    s.insert(s.end(), m.data.begin(), m.data.end());
    put_section(out, 11, s);
  }
  return out;
}

// loop { [call f] ; local0 -= 1 ; br_if local0 != 0 }
Bytes countdown_loop(std::optional<uint32_t> callee) {
  Bytes code = {0x03, 0x40};  // loop
  if (callee) {
    code.push_back(0x10);  // call
    put_uleb(code, *callee);
  }
  code.insert(code.end(), {0x20, 0x00, 0x41, 0x01, 0x6B, 0x22, 0x00, 0x0D, 0x00, 0x0B, 0x0B});
  return code;
}

// Functions: 0 = import env.nop, 1 = empty, 2 = call_host_loop, 3 = empty_loop,
// 4 = call_wasm_loop, 5 = add.
Bytes calls_module() {
  ModuleSpec m;
  m.types = {{{}, {}}, {{I32}, {}}, {{I32, I32}, {I32}}};
  m.func_imports = {{"nop", 0}};
  m.funcs = {{0, {0x0B}},
             {1, countdown_loop(0)},
             {1, countdown_loop(std::nullopt)},
             {1, countdown_loop(1)},
             {2, {0x20, 0x00, 0x20, 0x01, 0x6A, 0x0B}}};
  m.func_exports = {{"empty", 1}, {"call_host_loop", 2}, {"empty_loop", 3}, {"call_wasm_loop", 4}, {"add", 5}};
  return encode(m);
}

Bytes small_memory_module() {
  ModuleSpec m;
  m.types = {{{}, {I32}}};
  m.funcs = {{0, {0x41, 0x10, 0x28, 0x02, 0x00, 0x0B}}};  // i32.load offset=0 (i32.const 16)
  m.func_exports = {{"first_word", 0}};
  m.memory = true;
  for (int i = 0; i < 256; ++i) m.data.push_back(uint8_t(i * 7));
  return encode(m);
}

[[noreturn]] void die(const char* what, const wasm::Error& e) {
  std::fprintf(stderr, "api_bench: %s: %s\n", what, e.to_string().c_str());
  std::exit(1);
}

template <typename T>
T check(wasm::Result<T> r, const char* what) {
  if (!r) die(what, r.error());
  return std::move(*r);
}

struct CallsFixture {
  wasm::Engine engine;
  wasm::Module module;
  wasm::Store<> store;
  wasm::Instance instance;

  CallsFixture()
      : module(check(wasm::Module::compile(engine, calls_module()), "compile")),
        store(engine),
        instance(link()) {}

  wasm::Instance link() {
    wasm::Linker<> linker(engine);
    if (auto r = linker.func_wrap("env", "nop", [] {}); !r) die("func_wrap", r.error());
    return check(linker.instantiate(store, module), "instantiate");
  }
};

CallsFixture& calls() {
  static CallsFixture f;
  return f;
}

void BM_HostToWasm_TypedCall(benchmark::State& state) {
  auto& f = calls();
  auto empty = check(f.instance.get_typed_func<std::tuple<>, void>(f.store, "empty"), "get_typed_func");
  for (auto _ : state) {
    auto r = empty.call(f.store);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_HostToWasm_TypedCall);

void BM_HostToWasm_TypedCall_Add(benchmark::State& state) {
  auto& f = calls();
  auto add = check(f.instance.get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(f.store, "add"), "get_typed_func");
  int32_t x = 0;
  for (auto _ : state) {
    auto r = add.call(f.store, x, 1);
    x = *r;
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_HostToWasm_TypedCall_Add);

// One benchmark iteration = one loop trip in wasm; the loop runs kTrips times per call from
// the host, so the host->wasm entry is amortised away.
constexpr int32_t kTrips = 1 << 20;

void run_loop(benchmark::State& state, const char* name) {
  auto& f = calls();
  auto loop = check(f.instance.get_typed_func<int32_t, void>(f.store, name), "get_typed_func");
  for (auto _ : state) {
    auto r = loop.call(f.store, kTrips);
    if (!r) die(name, r.error());
  }
  state.SetItemsProcessed(state.iterations() * kTrips);
  state.counters["ns_per_trip"] =
      benchmark::Counter(double(state.iterations()) * kTrips, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_WasmToHost_TypedCall(benchmark::State& state) { run_loop(state, "call_host_loop"); }
BENCHMARK(BM_WasmToHost_TypedCall)->Unit(benchmark::kMillisecond);
void BM_WasmLoop_NoCall(benchmark::State& state) { run_loop(state, "empty_loop"); }
BENCHMARK(BM_WasmLoop_NoCall)->Unit(benchmark::kMillisecond);
void BM_WasmToWasm_Call(benchmark::State& state) { run_loop(state, "call_wasm_loop"); }
BENCHMARK(BM_WasmToWasm_Call)->Unit(benchmark::kMillisecond);

void BM_HostToWasm_UntypedCall(benchmark::State& state) {
  auto& f = calls();
  wasm::Func empty = *f.instance.get_func(f.store, "empty");
  for (auto _ : state) {
    auto r = empty.call(f.store, {}, {});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_HostToWasm_UntypedCall);

void BM_HostToWasm_UntypedCall_Add(benchmark::State& state) {
  auto& f = calls();
  wasm::Func add = *f.instance.get_func(f.store, "add");
  wasm::Val args[2] = {int32_t(0), int32_t(1)};
  wasm::Val results[1];
  for (auto _ : state) {
    auto r = add.call(f.store, args, results);
    benchmark::DoNotOptimize(r);
    args[0] = results[0];
  }
}
BENCHMARK(BM_HostToWasm_UntypedCall_Add);

struct InstantiateFixture {
  wasm::Engine engine;
  wasm::Module module;
  explicit InstantiateFixture(const wasm::Config& config = {})
      : engine(config), module(check(wasm::Module::compile(engine, small_memory_module()), "compile")) {}
};

InstantiateFixture& small() {
  static InstantiateFixture f;
  return f;
}

wasm::Config without_cow() {
  wasm::Config config;
  config.memory_init_cow(false);
  return config;
}

wasm::Config pooling(bool cow, uint64_t keep_resident = 0) {
  wasm::PoolingAllocationConfig pool;
  pool.linear_memory_keep_resident = keep_resident;
  wasm::Config config;
  config.allocation_strategy(pool).memory_init_cow(cow);
  return config;
}

InstantiateFixture& small_without_cow() {
  static InstantiateFixture f(without_cow());
  return f;
}
InstantiateFixture& small_pooled() {
  static InstantiateFixture f(pooling(true));
  return f;
}
InstantiateFixture& small_pooled_without_cow() {
  static InstantiateFixture f(pooling(false));
  return f;
}
InstantiateFixture& small_pooled_resident() {
  static InstantiateFixture f(pooling(true, 64 * 1024));  // the whole one-page memory
  return f;
}

// New Store + instantiate through a Linker, as BM_Instantiate_MemoryAndData, on `f`'s engine.
void instantiate_loop(benchmark::State& state, InstantiateFixture& f) {
  wasm::Linker<> linker(f.engine);
  for (auto _ : state) {
    wasm::Store<> store(f.engine);
    auto inst = linker.instantiate(store, f.module);
    if (!inst) die("instantiate", inst.error());
    benchmark::DoNotOptimize(&*inst);
  }
  state.SetItemsProcessed(state.iterations());
}

// The same, then one call that reads the memory (its first touch: a page fault, and a TLB
// flush when the slot is reset).
void instantiate_and_read_loop(benchmark::State& state, InstantiateFixture& f) {
  wasm::Linker<> linker(f.engine);
  auto pre = check(linker.instantiate_pre(f.module), "instantiate_pre");
  for (auto _ : state) {
    wasm::Store<> store(f.engine);
    auto inst = pre.instantiate(store);
    if (!inst) die("instantiate", inst.error());
    auto first = check(inst->get_typed_func<std::tuple<>, int32_t>(store, "first_word"), "get_typed_func");
    auto r = first.call(store);
    if (!r) die("first_word", r.error());
    benchmark::DoNotOptimize(*r);
  }
}

void instance_pre_loop(benchmark::State& state, InstantiateFixture& f) {
  wasm::Linker<> linker(f.engine);
  auto pre = check(linker.instantiate_pre(f.module), "instantiate_pre");
  for (auto _ : state) {
    wasm::Store<> store(f.engine);
    auto inst = pre.instantiate(store);
    if (!inst) die("instantiate", inst.error());
    benchmark::DoNotOptimize(&*inst);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Store_New(benchmark::State& state) {
  auto& f = small();
  for (auto _ : state) {
    wasm::Store<> store(f.engine);
    benchmark::DoNotOptimize(&store);
  }
}
BENCHMARK(BM_Store_New)->Unit(benchmark::kMicrosecond);

void BM_Instantiate_MemoryAndData(benchmark::State& state) {
  auto& f = small();
  wasm::Linker<> linker(f.engine);
  for (auto _ : state) {
    wasm::Store<> store(f.engine);
    auto inst = linker.instantiate(store, f.module);
    if (!inst) die("instantiate", inst.error());
    benchmark::DoNotOptimize(&*inst);
  }
}
BENCHMARK(BM_Instantiate_MemoryAndData)->Unit(benchmark::kMicrosecond);

void BM_InstancePre_MemoryAndData(benchmark::State& state) {
  auto& f = small();
  wasm::Linker<> linker(f.engine);
  auto pre = check(linker.instantiate_pre(f.module), "instantiate_pre");
  for (auto _ : state) {
    wasm::Store<> store(f.engine);
    auto inst = pre.instantiate(store);
    if (!inst) die("instantiate", inst.error());
    benchmark::DoNotOptimize(&*inst);
  }
}
BENCHMARK(BM_InstancePre_MemoryAndData)->Unit(benchmark::kMicrosecond);

void BM_Instantiate_MemoryAndData_NoCow(benchmark::State& state) { instantiate_loop(state, small_without_cow()); }
BENCHMARK(BM_Instantiate_MemoryAndData_NoCow)->Unit(benchmark::kMicrosecond);
void BM_Instantiate_MemoryAndData_Pooling(benchmark::State& state) { instantiate_loop(state, small_pooled_without_cow()); }
BENCHMARK(BM_Instantiate_MemoryAndData_Pooling)->Unit(benchmark::kMicrosecond);
void BM_Instantiate_MemoryAndData_PoolingCow(benchmark::State& state) { instantiate_loop(state, small_pooled()); }
BENCHMARK(BM_Instantiate_MemoryAndData_PoolingCow)->Unit(benchmark::kMicrosecond);
void BM_InstancePre_MemoryAndData_PoolingCow(benchmark::State& state) { instance_pre_loop(state, small_pooled()); }
BENCHMARK(BM_InstancePre_MemoryAndData_PoolingCow)->Unit(benchmark::kMicrosecond);
void BM_Instantiate_MemoryAndData_PoolingCowResident(benchmark::State& state) { instantiate_loop(state, small_pooled_resident()); }
BENCHMARK(BM_Instantiate_MemoryAndData_PoolingCowResident)->Unit(benchmark::kMicrosecond);

void BM_InstantiateAndRead_Default(benchmark::State& state) { instantiate_and_read_loop(state, small()); }
BENCHMARK(BM_InstantiateAndRead_Default)->Unit(benchmark::kMicrosecond);
void BM_InstantiateAndRead_NoCow(benchmark::State& state) { instantiate_and_read_loop(state, small_without_cow()); }
BENCHMARK(BM_InstantiateAndRead_NoCow)->Unit(benchmark::kMicrosecond);
void BM_InstantiateAndRead_PoolingCow(benchmark::State& state) { instantiate_and_read_loop(state, small_pooled()); }
BENCHMARK(BM_InstantiateAndRead_PoolingCow)->Unit(benchmark::kMicrosecond);
void BM_InstantiateAndRead_PoolingCowResident(benchmark::State& state) { instantiate_and_read_loop(state, small_pooled_resident()); }
BENCHMARK(BM_InstantiateAndRead_PoolingCowResident)->Unit(benchmark::kMicrosecond);

// Scaling: every thread makes stores and instances of the one module on the shared engine;
// items_per_second is instances per second over all threads (wall clock).
void BM_InstancesPerSecond_Default(benchmark::State& state) { instance_pre_loop(state, small()); }
BENCHMARK(BM_InstancesPerSecond_Default)->Unit(benchmark::kMicrosecond)->Threads(1)->Threads(2)->UseRealTime();
void BM_InstancesPerSecond_PoolingCow(benchmark::State& state) { instance_pre_loop(state, small_pooled()); }
BENCHMARK(BM_InstancesPerSecond_PoolingCow)->Unit(benchmark::kMicrosecond)->Threads(1)->Threads(2)->UseRealTime();
void BM_InstancesPerSecond_PoolingCowResident(benchmark::State& state) { instance_pre_loop(state, small_pooled_resident()); }
BENCHMARK(BM_InstancesPerSecond_PoolingCowResident)->Unit(benchmark::kMicrosecond)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
