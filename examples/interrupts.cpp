// interrupts: stop runaway guests with fuel (a budget of executed instructions) or with epochs
// (a deadline another thread advances, e.g. a timer).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <wasm.hpp>

namespace {
// (module
//   (func (export "spin") (loop $forever (br $forever)))
//   (func (export "count") (param $n i32) (result i32)
//     (local $i i32)
//     (block $done (loop $next
//       (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
//       (local.set $i (i32.add (local.get $i) (i32.const 1)))
//       (br $next)))
//     (local.get $i)))
const std::vector<uint8_t> kModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x02, 0x60, 0x00, 0x00,
    0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x03, 0x02, 0x00, 0x01, 0x07, 0x10, 0x02, 0x04,
    0x73, 0x70, 0x69, 0x6e, 0x00, 0x00, 0x05, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x00, 0x01,
    0x0a, 0x26, 0x02, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x1c, 0x01, 0x01,
    0x7f, 0x02, 0x40, 0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01, 0x20, 0x01,
    0x41, 0x01, 0x6a, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b, 0x00, 0x12,
    0x04, 0x6e, 0x61, 0x6d, 0x65, 0x02, 0x0b, 0x02, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01,
    0x6e, 0x01, 0x01, 0x69,
};
}  // namespace

int main() {
  wasm::Config config;
  config.consume_fuel(true).epoch_interruption(true);
  wasm::Engine engine(config);
  auto module = wasm::Module::compile(engine, kModule);
  if (!module) return 1;
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto instance = linker.instantiate(store, *module);
  if (!instance) return 1;
  auto spin = instance->get_typed_func<void, void>(store, "spin");
  auto count = instance->get_typed_func<int32_t, int32_t>(store, "count");

  // Fuel: a bounded loop finishes within its budget, an infinite one runs out.
  store.set_fuel(1'000'000);
  store.set_epoch_deadline(1'000'000);
  std::printf("count(1000) = %d, fuel left %llu\n", count->call(store, 1000).value(),
              static_cast<unsigned long long>(store.get_fuel().value()));
  auto out_of_fuel = spin->call(store);
  std::printf("spin with fuel: %s\n", out_of_fuel ? "returned?" : out_of_fuel.error().message().c_str());
  if (out_of_fuel || out_of_fuel.error().trap_code() != wasm::TrapCode::OutOfFuel) return 1;

  // Epochs: plenty of fuel, but a ticker thread moves the epoch past the deadline.
  store.set_fuel(uint64_t(1) << 62);
  store.set_epoch_deadline(2);
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      engine.increment_epoch();
    }
  });
  auto interrupted = spin->call(store);
  stop = true;
  ticker.join();
  std::printf("spin with an epoch deadline: %s\n", interrupted ? "returned?" : interrupted.error().message().c_str());
  return !interrupted && interrupted.error().trap_code() == wasm::TrapCode::Interrupt ? 0 : 1;
}
