// Several threads share one Engine and one Module; each has its own Store. They compile more
// modules on the shared engine, instantiate, call (typed and untyped, through host functions),
// run out of fuel, and get interrupted by epochs that another thread keeps incrementing. Built
// normally it is a plain test; under ThreadSanitizer (run_sanitizers.sh) it is the data-race
// test. Exit status 0 when every check held.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <wasm.hpp>

#include "../unit/test_module_builder.hpp"

namespace {

using namespace wasm::test;
using wasm::ValType;
using wasm::detail::Op;

std::atomic<int> failures{0};

void check(bool ok, const char* what, int thread) {
  if (!ok) {
    std::fprintf(stderr, "thread %d: check failed: %s\n", thread, what);
    failures.fetch_add(1);
  }
}

// sum(n) = 0 + 1 + ... + n-1 by a loop; spin() loops forever; twice(x) = 2 * env.h(x) where
// the host function h returns x + thread id; a memory "mem" with a data segment.
Bytes make_module(int variant) {
  ModuleBuilder b;
  uint32_t t_ii = b.type({ValType::I32}, {ValType::I32});
  uint32_t t_v = b.type({}, {});
  uint32_t h = b.import_func("env", "h", t_ii);
  b.memory(limits(1, 4));
  b.export_("mem", wasm::ExternKind::Memory, 0);
  b.data_active(16, {uint8_t(variant), 2, 3, 4});
  // local 1 = acc, local 2 = i
  Bytes sum = cat({op(Op::Block), {0x40}, op(Op::Loop), {0x40},
                   op(Op::LocalGet), uleb(2), op(Op::LocalGet), uleb(0), op(Op::I32GeU), op(Op::BrIf), uleb(1),
                   op(Op::LocalGet), uleb(1), op(Op::LocalGet), uleb(2), op(Op::I32Add), op(Op::LocalSet), uleb(1),
                   op(Op::LocalGet), uleb(2), i32_const(1), op(Op::I32Add), op(Op::LocalSet), uleb(2),
                   op(Op::Br), uleb(0), end(), end(), op(Op::LocalGet), uleb(1), end()});
  b.export_("sum", wasm::ExternKind::Func, b.func(t_ii, sum, {{2, ValType::I32}}));
  b.export_("spin", wasm::ExternKind::Func, b.func(t_v, cat({op(Op::Loop), {0x40}, op(Op::Br), uleb(0), end(), end()})));
  b.export_("twice", wasm::ExternKind::Func,
            b.func(t_ii, cat({op(Op::LocalGet), uleb(0), op(Op::Call), uleb(h), i32_const(2), op(Op::I32Mul), end()})));
  (void)variant;
  return b.build();
}

void worker(const wasm::Engine& engine, const wasm::Module& shared, int id, int rounds) {
  for (int round = 0; round < rounds; ++round) {
    // A module of its own, compiled on the shared engine while the others do the same.
    auto own = wasm::Module::compile(engine, make_module(id * 1000 + round));
    check(bool(own), "compile", id);
    if (!own) return;
    wasm::Store<int> store(engine, id);
    wasm::Linker<int> linker(engine);
    check(bool(linker.func_wrap("env", "h", [](wasm::Caller<int>& c, int32_t x) { return x + c.data(); })),
          "func_wrap", id);
    for (const wasm::Module* m : {&shared, static_cast<const wasm::Module*>(&*own)}) {
      check(bool(store.set_fuel(1'000'000)), "set_fuel", id);
      store.set_epoch_deadline(1'000'000);
      auto in = linker.instantiate(store, *m);
      check(bool(in), "instantiate", id);
      if (!in) continue;
      auto sum = in->get_typed_func<int32_t, int32_t>(store, "sum");
      if (sum) {
        wasm::Result<int32_t> r = sum->call(store, 1000);
        check(r && *r == 499500, "sum", id);
      } else {
        check(false, "sum export", id);
      }
      auto twice = in->get_func(store, "twice");
      std::vector<wasm::Val> out(1);
      check(twice && twice->call(store, std::vector<wasm::Val>{wasm::Val(int32_t(5))}, out) && out[0].i32() == 2 * (5 + id),
            "twice", id);
      auto mem = in->get_memory(store, "mem");
      check(mem && mem->data(store)[17] == 2, "memory", id);
      auto spin = in->get_typed_func<std::tuple<>, std::tuple<>>(store, "spin");
      check(bool(spin), "spin export", id);
      if (!spin) continue;
      // Out of fuel, then interrupted by the epoch thread.
      check(bool(store.set_fuel(100'000)), "set_fuel", id);
      auto r1 = spin->call(store);
      check(!r1 && r1.error().trap_code() == wasm::TrapCode::OutOfFuel, "out of fuel", id);
      check(bool(store.set_fuel(uint64_t(1) << 62)), "set_fuel", id);
      store.set_epoch_deadline(1);
      auto r2 = spin->call(store);
      check(!r2 && r2.error().trap_code() == wasm::TrapCode::Interrupt, "interrupted", id);
    }
  }
}

}  // namespace

int main() {
  wasm::Config config;
  config.consume_fuel(true).epoch_interruption(true);
  wasm::Engine engine(config);
  auto shared = wasm::Module::compile(engine, make_module(0));
  if (!shared) {
    std::fprintf(stderr, "%s\n", shared.error().to_string().c_str());
    return 1;
  }
  std::atomic<bool> done{false};
  std::thread ticker([&] {
    while (!done.load()) {
      engine.increment_epoch();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::vector<std::thread> threads;
  constexpr int kThreads = 4;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(worker, std::cref(engine), std::cref(*shared), i + 1, 20);
  for (std::thread& t : threads) t.join();
  done = true;
  ticker.join();
  std::printf("threads test: %d threads x 20 rounds, %d failed checks\n", kThreads, failures.load());
  return failures.load() == 0 ? 0 : 1;
}
