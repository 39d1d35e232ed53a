// Config::lazy_compilation: a module is ready without machine code for its functions; each
// compiles on its first call, from wasm or from the host, with every kind of argument passed
// through the stub unchanged; traps and backtraces work in lazily compiled code; threads
// calling a function for the first time at once get one compilation; such a module still
// serializes.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <memory>
#include <pthread.h>
#include <sched.h>
#include <vector>

#include <wasm.hpp>

#include "wasm/detail/vm/module_state.hpp"

namespace {

wasm::Config lazy_config() {
  wasm::Config config;
  config.lazy_compilation(true);
  return config;
}

struct Instance {
  wasm::Store<int> store;
  wasm::Instance instance;
  Instance(const wasm::Engine& engine, const wasm::Module& module) : store(engine, 0) {
    auto inst = wasm::Linker<int>(engine).instantiate(store, module);
    REQUIRE(inst);
    instance = *inst;
  }
};

bool compiled(const wasm::Module& module, uint32_t func_index) {
  const auto& code = module.state()->code;
  return code.current_code(func_index) != code.image_code(func_index);
}

size_t code_units(const wasm::Module& module) {
  size_t n = 0;
  module.state()->code.for_each_unit([&](const auto&) { ++n; });
  return n;
}

// $mix takes 6 i64 (two of them on the stack after rdi..r9's fixed leading parameters),
// 9 f64 (one on the stack) and a v128, so the stub must keep integer, float and stack
// arguments; it is called from wasm ($call_mix) and from the host.
constexpr const char* kArgsModule = R"((module
  (func $mix (export "mix")
    (param i64 i64 i64 i64 i64 i64 f64 f64 f64 f64 f64 f64 f64 f64 f64 v128) (result f64)
    (local $s f64)
    (local.set $s (f64.convert_i64_s (i64.add (i64.add (i64.add (local.get 0) (i64.mul (local.get 1) (i64.const 2)))
                                              (i64.add (i64.mul (local.get 2) (i64.const 3)) (i64.mul (local.get 3) (i64.const 4))))
                                     (i64.add (i64.mul (local.get 4) (i64.const 5)) (i64.mul (local.get 5) (i64.const 6))))))
    (local.set $s (f64.add (local.get $s) (f64.add (f64.add (f64.add (local.get 6) (f64.mul (local.get 7) (f64.const 10)))
                                                           (f64.add (f64.mul (local.get 8) (f64.const 100)) (f64.mul (local.get 9) (f64.const 1000))))
                                                  (f64.add (f64.add (f64.mul (local.get 10) (f64.const 1e4)) (f64.mul (local.get 11) (f64.const 1e5)))
                                                           (f64.add (f64.mul (local.get 12) (f64.const 1e6))
                                                                    (f64.add (f64.mul (local.get 13) (f64.const 1e7)) (f64.mul (local.get 14) (f64.const 1e8))))))))
    (f64.add (local.get $s) (f64.mul (f64x2.extract_lane 1 (local.get 15)) (f64.const 1e9))))
  (func $call_mix (export "call_mix") (result f64)
    (call $mix (i64.const 1) (i64.const 1) (i64.const 1) (i64.const 1) (i64.const 1) (i64.const 1)
               (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1)
               (f64.const 1) (f64.const 1) (f64.const 1) (v128.const f64x2 0 1)))
  (func $div (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $call_div (export "call_div") (param i32 i32) (result i32) (call $div (local.get 0) (local.get 1)))
  (func $never (export "never"))
))";
constexpr uint32_t kMix = 0, kCallMix = 1, kDiv = 2, kNever = 4;

}  // namespace

TEST_CASE("lazy compilation: functions compile on their first call", "[lazy]") {
  wasm::Engine engine(lazy_config());
  auto module = wasm::Module::from_wat(engine, kArgsModule);
  REQUIRE(module);
  CHECK(module->state()->code.stats().lazy);
  for (uint32_t f = 0; f < 5; ++f) CHECK(!compiled(*module, f));

  Instance in(engine, *module);
  // 1+2+3+4+5+6 = 21 from the integers, 111111111 from the floats, 1e9 from the vector lane.
  auto call_mix = in.instance.get_typed_func<std::tuple<>, double>(in.store, "call_mix");
  REQUIRE(call_mix);
  auto r = call_mix->call(in.store);
  REQUIRE(r);
  CHECK(*r == 1111111132.0);
  CHECK(compiled(*module, kCallMix));
  CHECK(compiled(*module, kMix));  // its first call came from wasm, through its stub
  CHECK(!compiled(*module, kNever));

  auto div = in.instance.get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(in.store, "div");
  REQUIRE(div);
  auto q = div->call(in.store, 42, 6);  // the first call from the host
  REQUIRE(q);
  CHECK(*q == 7);
  CHECK(compiled(*module, kDiv));
}

TEST_CASE("lazy compilation: a host call with stack arguments reaches the function intact", "[lazy]") {
  wasm::Engine engine(lazy_config());
  auto module = wasm::Module::from_wat(engine, kArgsModule);
  REQUIRE(module);
  Instance in(engine, *module);
  auto mix = in.instance.get_func(in.store, "mix");
  REQUIRE(mix);
  std::vector<wasm::Val> args;
  for (int64_t i = 1; i <= 6; ++i) args.emplace_back(i * 10);
  for (int i = 1; i <= 9; ++i) args.emplace_back(double(i));
  wasm::V128 lanes{};
  const double high = 2.0;
  std::memcpy(lanes.bytes.data() + 8, &high, 8);
  args.emplace_back(lanes);
  std::vector<wasm::Val> out(1);
  REQUIRE(mix->call(in.store, args, out));
  // 10*(1+4+9+16+25+36) = 910; 1 + 20 + 300 + ... + 9e8 = 987654321; 2e9 from the lane.
  CHECK(out[0].f64() == 910.0 + 987654321.0 + 2e9);
}

TEST_CASE("lazy compilation: traps and backtraces in lazily compiled code", "[lazy]") {
  wasm::Engine engine(lazy_config());
  auto module = wasm::Module::from_wat(engine, kArgsModule);
  REQUIRE(module);
  Instance in(engine, *module);
  auto call_div = in.instance.get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(in.store, "call_div");
  REQUIRE(call_div);
  auto r = call_div->call(in.store, 1, 0);
  REQUIRE(!r);
  CHECK(r.error().trap_code() == wasm::TrapCode::IntegerDivisionByZero);
  const auto& frames = r.error().backtrace();
  REQUIRE(frames.size() >= 2);
  CHECK(frames[0].func_index == kDiv);
  CHECK(frames[0].func_name == "div");
  CHECK(frames[1].func_name == "call_div");
  auto ok = call_div->call(in.store, 9, 3);
  REQUIRE(ok);
  CHECK(*ok == 3);
}

namespace {
struct FirstCaller {
  const wasm::Engine* engine;
  const wasm::Module* module;
  const std::atomic<bool>* go;
  std::atomic<bool> ready{false};
  int32_t answer = 0;
  static void* run(void* p) {
    auto* self = static_cast<FirstCaller*>(p);
    Instance in(*self->engine, *self->module);
    auto div = in.instance.get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(in.store, "call_div");
    self->ready = true;
    while (!self->go->load()) sched_yield();
    if (div) {
      auto r = div->call(in.store, 100, 4);
      if (r) self->answer = *r;
    }
    return nullptr;
  }
};
}  // namespace

TEST_CASE("lazy compilation: threads that call a function first at once compile it once", "[lazy]") {
  wasm::Engine engine(lazy_config());
  auto module = wasm::Module::from_wat(engine, kArgsModule);
  REQUIRE(module);
  std::atomic<bool> go{false};
  std::vector<FirstCaller> callers(4);
  std::vector<pthread_t> threads(callers.size());
  for (size_t i = 0; i < callers.size(); ++i) {
    callers[i].engine = &engine;
    callers[i].module = &*module;
    callers[i].go = &go;
    REQUIRE(pthread_create(&threads[i], nullptr, &FirstCaller::run, &callers[i]) == 0);
  }
  for (FirstCaller& c : callers)
    while (!c.ready) sched_yield();
  go = true;
  for (pthread_t t : threads) pthread_join(t, nullptr);
  for (const FirstCaller& c : callers) CHECK(c.answer == 25);
  // The image, then one unit for call_div and one for div, whatever the interleaving.
  CHECK(code_units(*module) == 3);
}

TEST_CASE("lazy compilation: functions compile within reach while memories are reserved around", "[lazy]") {
  // Each instance reserves its memory's 8 GiB (guard pages): the address space next to the
  // module's code fills up before its functions first run.
  wasm::Engine engine(lazy_config());
  auto module = wasm::Module::from_wat(engine, R"((module (memory 1)
    (func $get (export "get") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1)))))");
  REQUIRE(module);
  std::vector<std::unique_ptr<Instance>> instances;
  for (int i = 0; i < 8; ++i) instances.push_back(std::make_unique<Instance>(engine, *module));
  for (auto& in : instances) {
    auto put = in->instance.get_typed_func<std::tuple<int32_t, int32_t>, void>(in->store, "put");
    auto get = in->instance.get_typed_func<std::tuple<int32_t>, int32_t>(in->store, "get");
    REQUIRE(put);
    REQUIRE(get);
    REQUIRE(put->call(in->store, 16, 1234));
    auto r = get->call(in->store, 16);
    REQUIRE(r);
    CHECK(*r == 1234);
  }
}

TEST_CASE("lazy compilation: a lazily compiled module serializes whole", "[lazy]") {
  wasm::Engine engine(lazy_config());
  auto module = wasm::Module::from_wat(engine, kArgsModule);
  REQUIRE(module);
  const std::vector<uint8_t> bytes = module->serialize();
  REQUIRE(!bytes.empty());
  auto loaded = wasm::Module::deserialize_unchecked(engine, bytes);
  REQUIRE(loaded);
  CHECK(!loaded->state()->code.stats().lazy);
  Instance in(engine, *loaded);
  auto call_div = in.instance.get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(in.store, "call_div");
  REQUIRE(call_div);
  auto r = call_div->call(in.store, 30, 5);
  REQUIRE(r);
  CHECK(*r == 6);
  CHECK(code_units(*loaded) == 1);  // nothing compiled on the way
}
