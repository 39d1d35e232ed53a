// multi_value: functions with several results come back as a std::tuple.
#include <cstdio>
#include <tuple>
#include <vector>

#include <wasm.hpp>

namespace {
// (module
//   (func (export "divmod") (param i32 i32) (result i32 i32)
//     (i32.div_u (local.get 0) (local.get 1))
//     (i32.rem_u (local.get 0) (local.get 1)))
//   (func (export "minmax") (param f64 f64) (result f64 f64)
//     (f64.min (local.get 0) (local.get 1))
//     (f64.max (local.get 0) (local.get 1))))
const std::vector<uint8_t> kModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x02, 0x60, 0x02, 0x7f,
    0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x02, 0x7c, 0x7c, 0x02, 0x7c, 0x7c, 0x03, 0x03, 0x02,
    0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x64, 0x69, 0x76, 0x6d, 0x6f, 0x64, 0x00, 0x00,
    0x06, 0x6d, 0x69, 0x6e, 0x6d, 0x61, 0x78, 0x00, 0x01, 0x0a, 0x1b, 0x02, 0x0c, 0x00,
    0x20, 0x00, 0x20, 0x01, 0x6e, 0x20, 0x00, 0x20, 0x01, 0x70, 0x0b, 0x0c, 0x00, 0x20,
    0x00, 0x20, 0x01, 0xa4, 0x20, 0x00, 0x20, 0x01, 0xa5, 0x0b, 0x00, 0x0c, 0x04, 0x6e,
    0x61, 0x6d, 0x65, 0x02, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,
};
}  // namespace

int main() {
  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, kModule);
  if (!module) return 1;
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  auto instance = linker.instantiate(store, *module);
  if (!instance) return 1;

  auto divmod = instance->get_typed_func<std::tuple<int32_t, int32_t>, std::tuple<int32_t, int32_t>>(store, "divmod");
  auto minmax = instance->get_typed_func<std::tuple<double, double>, std::tuple<double, double>>(store, "minmax");
  if (!divmod || !minmax) return 1;
  auto [q, r] = divmod->call(store, 47, 5).value();
  auto [lo, hi] = minmax->call(store, 2.5, -1.0).value();
  std::printf("47 divmod 5 = (%d, %d); minmax(2.5, -1) = (%g, %g)\n", q, r, lo, hi);

  // The untyped path gives the same, as Vals.
  std::optional<wasm::Func> f = instance->get_func(store, "divmod");
  std::vector<wasm::Val> results(2);
  if (!f->call(store, std::vector<wasm::Val>{wasm::Val(int32_t(47)), wasm::Val(int32_t(5))}, results)) return 1;
  return q == 9 && r == 2 && lo == -1.0 && hi == 2.5 && results[0].i32() == 9 && results[1].i32() == 2 ? 0 : 1;
}
