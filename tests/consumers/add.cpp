// The second translation unit of the consumer program: it includes wasm.hpp as main.cpp does,
// so linking the two checks that the headers define nothing twice (no missing `inline`).
#include <cstdint>
#include <cstdio>
#include <span>
#include <tuple>

#include <wasm.hpp>

#include "consumer.hpp"

namespace consumer {

// (module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
const uint8_t kAddModule[kAddModuleSize] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,        // magic, version
    0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,  // type: (i32 i32) -> i32
    0x03, 0x02, 0x01, 0x00,                                // func 0: type 0
    0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00,  // export "add" = func 0
    0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b};  // local.get 0 1, i32.add

bool call_add(int32_t a, int32_t b, int32_t& sum) {
  wasm::Engine engine;
  wasm::Result<wasm::Module> module = wasm::Module::compile(engine, std::span<const uint8_t>(kAddModule));
  if (!module) return report("compile", module.error().to_string());
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  wasm::Result<wasm::Instance> instance = linker.instantiate(store, *module);
  if (!instance) return report("instantiate", instance.error().to_string());
  auto add = instance->get_typed_func<std::tuple<int32_t, int32_t>, int32_t>(store, "add");
  if (!add) return report("get_typed_func", add.error().to_string());
  wasm::Result<int32_t> result = add->call(store, a, b);
  if (!result) return report("call", result.error().to_string());
  sum = *result;
  return true;
}

bool report(const char* step, const std::string& message) {
  std::fprintf(stderr, "consumer: %s failed: %s\n", step, message.c_str());
  return false;
}

}  // namespace consumer
