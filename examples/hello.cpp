// hello: compile a module embedded in the program and call its export through a TypedFunc.
#include <cstdio>
#include <vector>

#include <wasm.hpp>

namespace {
// (module
//   (func (export "add") (param i32 i32) (result i32)
//     (i32.add (local.get 0) (local.get 1))))
const std::vector<uint8_t> kModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f,
    0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64,
    0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x00,
    0x0a, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x02, 0x03, 0x01, 0x00, 0x00,
};
}  // namespace

int main() {
  wasm::Engine engine;
  wasm::Result<wasm::Module> module = wasm::Module::compile(engine, kModule);
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().to_string().c_str());
    return 1;
  }
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  wasm::Result<wasm::Instance> instance = linker.instantiate(store, *module);
  if (!instance) {
    std::fprintf(stderr, "%s\n", instance.error().to_string().c_str());
    return 1;
  }
  // The signature is checked once here; each call then goes straight into machine code.
  auto add = instance->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "add");
  if (!add) {
    std::fprintf(stderr, "%s\n", add.error().to_string().c_str());
    return 1;
  }
  wasm::Result<int32_t> sum = add->call(store, 40, 2);
  if (!sum) return 1;
  std::printf("add(40, 2) = %d\n", *sum);
  return *sum == 42 ? 0 : 1;
}
