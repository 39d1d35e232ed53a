// The program gdb_backtrace.cmake debugs: it calls wasm (run -> wasm_outer -> wasm_inner),
// which calls the host function wasmpp_test_host_break, where the debugger stops and takes a
// backtrace. With Config::debug_info the wasm frames must show their names.
#include <cstdio>

#include "profiled_module.hpp"

volatile int32_t g_seen;  // a side effect keeps the call from being folded away

extern "C" [[gnu::noinline]] void wasmpp_test_host_break(int32_t value) { g_seen = value; }

int main() {
  wasm::Config config;
  config.debug_info(true);
  wasm::Engine engine(config);
  auto module = wasm::Module::compile(engine, profiled_module_bytes());
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().to_string().c_str());
    return 1;
  }
  wasm::Store<> store(engine);
  wasm::Linker<> linker(engine);
  if (!linker.func_wrap("env", "host_break", wasmpp_test_host_break)) return 1;
  auto instance = linker.instantiate(store, *module);
  if (!instance) {
    std::fprintf(stderr, "%s\n", instance.error().to_string().c_str());
    return 1;
  }
  auto run = instance->get_typed_func<int32_t, void>(store, "run");
  if (!run || !run->call(store, 20)) return 1;
  std::puts("called wasm");
  return 0;
}
