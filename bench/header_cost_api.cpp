// header_cost.sh: a translation unit that uses the API and nothing else, compiled with
// WASMPP_SEPARATE_COMPILATION (it needs no wasm/impl.hpp to compile, only to link).
#include <wasm.hpp>

int use(wasm::Engine& engine, std::span<const uint8_t> bytes) {
  wasm::Store<> store(engine);
  wasm::Linker<std::monostate> linker(engine);
  linker.func_wrap("env", "add", [](int32_t a, int32_t b) { return a + b; });
  auto module = wasm::Module::compile(engine, bytes);
  if (!module) return 1;
  auto instance = linker.instantiate(store, *module);
  if (!instance) return 2;
  auto f = instance->get_typed_func<int32_t, int32_t>(store, "f");
  if (!f) return 3;
  auto mem = instance->get_memory(store, "memory");
  if (mem) (void)mem->data(store);
  auto r = f->call(store, 5);
  return r ? *r : 4;
}
