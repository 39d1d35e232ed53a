// A program using wasmpp the way a project that depends on it would: it is built by the consumer
// tests (find_package after install, add_subdirectory, -I single_include) and, linked from two
// translation units that both include wasm.hpp, checks that the headers are ODR-safe.
#include <cstdint>
#include <cstdio>
#include <span>
#include <tuple>

#include <wasm.hpp>

#include "consumer.hpp"

int main() {
  // This translation unit uses the API itself too, so both instantiate the same templates.
  wasm::Engine engine;
  wasm::Result<wasm::Module> module =
      wasm::Module::compile(engine, std::span<const uint8_t>(consumer::kAddModule));
  if (!module) return consumer::report("compile", module.error().to_string()) ? 0 : 1;
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  wasm::Result<wasm::Instance> instance = linker.instantiate(store, *module);
  if (!instance) return consumer::report("instantiate", instance.error().to_string()) ? 0 : 1;
  auto add = instance->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "add");
  if (!add) return consumer::report("get_typed_func", add.error().to_string()) ? 0 : 1;
  wasm::Result<int32_t> here = add->call(store, 2, 3);
  if (!here) return consumer::report("call", here.error().to_string()) ? 0 : 1;

  int32_t there = 0;
  if (!consumer::call_add(40, 2, there)) return 1;  // the other translation unit

  std::printf("add(2, 3) = %d, add(40, 2) = %d\n", int(*here), int(there));
  if (*here != 5 || there != 42) {
    std::fprintf(stderr, "consumer: wrong results\n");
    return 1;
  }
  std::puts("consumer: ok");
  return 0;
}
