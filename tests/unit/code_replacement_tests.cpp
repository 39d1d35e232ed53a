// Replacing a function's code at run time (jit::CompiledModule::replace, the seam of tier-up
// and lazy compilation): direct calls, tail calls, indirect calls and calls from the host all
// reach the new code, also while other threads are calling; traps, backtraces and exception
// handlers work in replacement code; recompiling with the optimizing tier keeps results.
#include <catch2/catch.hpp>

#include <atomic>
#include <pthread.h>
#include <string>
#include <vector>

#include <wasm.hpp>

#include "wasm/detail/vm/code_loader.hpp"

namespace {

using wasm::detail::ModuleState;
namespace jit = wasm::detail::jit;

// $f answers 1 and $g 2; replacing $f's code with $g's makes every way of calling $f answer 2.
constexpr const char* kCallsModule = R"((module
  (type $t (func (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $f)
  (func $f (export "f") (type $t) (i32.const 1))
  (func $g (type $t) (i32.const 2))
  (func $boom (type $t) (unreachable))
  (func (export "direct") (result i32) (call $f))
  (func (export "indirect") (result i32) (call_indirect (type $t) (i32.const 0)))
  (func (export "tail") (result i32) (return_call $f))
  (func (export "ref") (result funcref) (ref.func $f))
))";
constexpr uint32_t kF = 0, kG = 1, kBoom = 2;

wasm::Config config_with_tail_calls() {
  wasm::Config config;
  wasm::Features features;
  features.tail_call = true;
  config.wasm_features(features);
  return config;
}

jit::CompiledFunction compile_with_baseline(const ModuleState& state, const wasm::Config& config, uint32_t index) {
  const jit::CompileEnv env(state.info, jit::CompileOptions::from(config));
  auto f = jit::BaselineTier::get().make_worker(env)->compile(index - state.info.num_imported_funcs);
  REQUIRE(f);
  return std::move(*f);
}

// Puts function `from`'s code in `to`'s place.
void redirect(const ModuleState& state, const wasm::Config& config, uint32_t to, uint32_t from) {
  ModuleState::Replacements batch;
  batch.emplace_back(to, compile_with_baseline(state, config, from));
  REQUIRE(state.replace_functions(batch));
}

const jit::CompilerTier* const kBaseline[] = {&jit::BaselineTier::get()};
const jit::CompilerTier* const kOptimizing[] = {&jit::opt::OptimizingTier::get()};

struct Calls {
  wasm::Store<int> store;
  wasm::Instance instance;

  Calls(const wasm::Engine& engine, const wasm::Module& module) : store(engine, 0) {
    auto inst = wasm::Linker<int>(engine).instantiate(store, module);
    REQUIRE(inst);
    instance = *inst;
  }
  int32_t call(const char* name) {
    auto f = instance.get_typed_func<std::tuple<>, int32_t>(store, name);
    REQUIRE(f);
    auto r = f->call(store);
    REQUIRE(r);
    return *r;
  }
  // Every way of reaching $f, each answer in `out`.
  void call_all(std::vector<int32_t>& out) {
    for (const char* name : {"f", "direct", "indirect", "tail"}) out.push_back(call(name));
  }
};

}  // namespace

TEST_CASE("code replacement: every kind of call reaches the new code", "[replace]") {
  const wasm::Config config = config_with_tail_calls();
  wasm::Engine engine(config);
  auto module = wasm::Module::from_wat(engine, kCallsModule);
  REQUIRE(module);
  Calls calls(engine, *module);
  std::vector<int32_t> before;
  calls.call_all(before);
  CHECK(before == std::vector<int32_t>{1, 1, 1, 1});

  const ModuleState& state = *module->state();
  const void* thunk = state.code.function_entry(kF);
  const void* old_code = state.code.current_code(kF);
  redirect(state, config, kF, kG);
  CHECK(state.code.function_entry(kF) == thunk);  // funcrefs keep their code pointer
  CHECK(state.code.current_code(kF) != old_code);
  CHECK(state.code.function_index_at(uintptr_t(state.code.current_code(kF))) == kF);

  std::vector<int32_t> after;
  calls.call_all(after);
  CHECK(after == std::vector<int32_t>{2, 2, 2, 2});
  // An instance made after the replacement, and a funcref taken from the first one, too.
  Calls later(engine, *module);
  std::vector<int32_t> later_results;
  later.call_all(later_results);
  CHECK(later_results == std::vector<int32_t>{2, 2, 2, 2});
  auto ref = calls.instance.get_func(calls.store, "ref");
  REQUIRE(ref);
  std::vector<wasm::Val> out(1);
  REQUIRE(ref->call(calls.store, {}, out));
  const wasm::FuncRef f = out[0].funcref();
  REQUIRE(f);
  CHECK(f.raw->code == thunk);  // the stable entry, which now leads to the new code
}

TEST_CASE("code replacement: traps and backtraces in replacement code", "[replace]") {
  const wasm::Config config = config_with_tail_calls();
  wasm::Engine engine(config);
  auto module = wasm::Module::from_wat(engine, kCallsModule);
  REQUIRE(module);
  Calls calls(engine, *module);
  redirect(*module->state(), config, kF, kBoom);
  auto direct = calls.instance.get_typed_func<std::tuple<>, int32_t>(calls.store, "direct");
  REQUIRE(direct);
  auto r = direct->call(calls.store);
  REQUIRE(!r);
  CHECK(r.error().trap_code() == wasm::TrapCode::UnreachableCodeReached);
  const auto& frames = r.error().backtrace();
  REQUIRE(frames.size() >= 2);
  CHECK(frames[0].func_index == kF);  // the replaced function's frame, found in the new unit
  CHECK(frames[0].func_name == "f");
  // The store still works after the trap.
  std::vector<int32_t> after;
  redirect(*module->state(), config, kF, kG);
  calls.call_all(after);
  CHECK(after == std::vector<int32_t>{2, 2, 2, 2});
}

TEST_CASE("code replacement: exception handlers in replacement code", "[replace]") {
  wasm::Config config;
  wasm::Features features;
  features.exceptions = true;
  config.wasm_features(features);
  wasm::Engine engine(config);
  auto module = wasm::Module::from_wat(engine, R"((module
    (tag $e (param i32))
    (func $thrower (param i32) (throw $e (local.get 0)))
    (func $catcher (export "catch") (param i32) (result i32)
      (block $h (result i32)
        (try_table (catch $e $h) (call $thrower (local.get 0)))
        (i32.const -1)))
  ))");
  REQUIRE(module);
  Calls calls(engine, *module);
  auto run = [&](int32_t v) {
    auto f = calls.instance.get_typed_func<std::tuple<int32_t>, int32_t>(calls.store, "catch");
    REQUIRE(f);
    auto r = f->call(calls.store, v);
    REQUIRE(r);
    return *r;
  };
  CHECK(run(7) == 7);
  // Both functions recompiled: the throw and the handler now both lie in replacement code.
  const uint32_t both[] = {0, 1};
  auto replaced = wasm::detail::recompile_functions(*module->state(), config, kBaseline, both);
  REQUIRE(replaced);
  CHECK(*replaced == 2);
  CHECK(run(41) == 41);
}

TEST_CASE("code replacement: the optimizing tier takes over from the baseline", "[replace]") {
  const wasm::Config config;
  wasm::Engine engine(config);
  auto module = wasm::Module::from_wat(engine, R"((module
    (func $collatz (param $n i32) (result i32) (local $steps i32)
      (block $done (loop $next
        (br_if $done (i32.le_u (local.get $n) (i32.const 1)))
        (local.set $n (if (result i32) (i32.and (local.get $n) (i32.const 1))
          (then (i32.add (i32.mul (local.get $n) (i32.const 3)) (i32.const 1)))
          (else (i32.shr_u (local.get $n) (i32.const 1)))))
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (br $next)))
      (local.get $steps))
    (func (export "sum") (param $to i32) (result i32) (local $i i32) (local $s i32)
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $collatz (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $to))))
      (local.get $s))
  ))");
  REQUIRE(module);
  Calls calls(engine, *module);
  auto sum = calls.instance.get_typed_func<std::tuple<int32_t>, int32_t>(calls.store, "sum");
  REQUIRE(sum);
  auto before = sum->call(calls.store, 10000);
  REQUIRE(before);
  const uint32_t all[] = {0, 1};
  auto replaced = wasm::detail::recompile_functions(*module->state(), config, kOptimizing, all);
  REQUIRE(replaced);
  CHECK(*replaced == 2);
  auto after = sum->call(calls.store, 10000);
  REQUIRE(after);
  CHECK(*after == *before);
  CHECK(*before == 849637);  // the Collatz stopping times of 0..9999 summed (by a Python loop)
}

namespace {

// A thread that calls $f every way, in its own store, until told to stop, and checks that each
// answer is 1 or 2, and 2 once it has seen that the replacement is done.
struct Caller {
  const wasm::Engine* engine;
  const wasm::Module* module;
  const std::atomic<bool>* replaced;
  const std::atomic<bool>* stop;
  std::atomic<bool> started{false};
  std::atomic<uint64_t> calls{0};
  uint64_t wrong = 0, new_answers = 0;  // read after the join

  static void* run(void* p) {
    auto* self = static_cast<Caller*>(p);
    Calls c(*self->engine, *self->module);
    std::vector<int32_t> out;
    self->started = true;
    while (!self->stop->load()) {
      const bool done = self->replaced->load();
      out.clear();
      c.call_all(out);
      for (int32_t v : out) {
        ++self->calls;
        if (v == 2) ++self->new_answers;
        if (v != 1 && v != 2) ++self->wrong;
        if (done && v != 2) ++self->wrong;
      }
    }
    return nullptr;
  }
};

}  // namespace

TEST_CASE("code replacement: while other threads call the function", "[replace]") {
  const wasm::Config config = config_with_tail_calls();
  wasm::Engine engine(config);
  auto module = wasm::Module::from_wat(engine, kCallsModule);
  REQUIRE(module);
  std::atomic<bool> replaced{false}, stop{false};
  std::vector<Caller> callers(3);
  std::vector<pthread_t> threads(callers.size());
  for (size_t i = 0; i < callers.size(); ++i) {
    callers[i].engine = &engine;
    callers[i].module = &*module;
    callers[i].replaced = &replaced;
    callers[i].stop = &stop;
    REQUIRE(pthread_create(&threads[i], nullptr, &Caller::run, &callers[i]) == 0);
  }
  for (Caller& c : callers)
    while (!c.started) sched_yield();
  // Replace back and forth under load, then settle on $g's code.
  const jit::CompiledFunction f_code = compile_with_baseline(*module->state(), config, kF);
  const jit::CompiledFunction g_code = compile_with_baseline(*module->state(), config, kG);
  for (int round = 0; round <= 50; ++round) {  // the last round installs $g's code
    const ModuleState::Replacements batch = {{kF, round % 2 ? f_code : g_code}};
    REQUIRE(module->state()->replace_functions(batch));
  }
  replaced = true;
  std::vector<uint64_t> settled(callers.size());
  for (size_t i = 0; i < callers.size(); ++i) settled[i] = callers[i].calls;
  for (size_t i = 0; i < callers.size(); ++i)
    while (callers[i].calls < settled[i] + 400) sched_yield();
  stop = true;
  for (pthread_t t : threads) pthread_join(t, nullptr);
  for (const Caller& c : callers) {
    CHECK(c.wrong == 0);
    CHECK(c.new_answers >= 400);
  }
}
