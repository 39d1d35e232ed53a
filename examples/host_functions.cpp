// host_functions: C++ lambdas as wasm imports. A host function may take a Caller to reach the
// store's data and the calling instance's exports (here, its memory).
#include <cstdio>
#include <string>
#include <vector>

#include <wasm.hpp>

namespace {
// (module
//   (import "env" "log" (func $log (param i32 i32)))
//   (import "env" "next_id" (func $next_id (result i32)))
//   (memory (export "memory") 1)
//   (data (i32.const 0) "ticket issued")
//   (func (export "issue") (result i32)
//     (call $log (i32.const 0) (i32.const 13))
//     (call $next_id)))
const std::vector<uint8_t> kModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60, 0x02, 0x7f,
    0x7f, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x19, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x03,
    0x6c, 0x6f, 0x67, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x07, 0x6e, 0x65, 0x78, 0x74,
    0x5f, 0x69, 0x64, 0x00, 0x01, 0x03, 0x02, 0x01, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x12, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x05, 0x69,
    0x73, 0x73, 0x75, 0x65, 0x00, 0x02, 0x0a, 0x0c, 0x01, 0x0a, 0x00, 0x41, 0x00, 0x41,
    0x0d, 0x10, 0x00, 0x10, 0x01, 0x0b, 0x0b, 0x13, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x0d,
    0x74, 0x69, 0x63, 0x6b, 0x65, 0x74, 0x20, 0x69, 0x73, 0x73, 0x75, 0x65, 0x64, 0x00,
    0x1f, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x0f, 0x02, 0x00, 0x03, 0x6c, 0x6f, 0x67,
    0x01, 0x07, 0x6e, 0x65, 0x78, 0x74, 0x5f, 0x69, 0x64, 0x02, 0x07, 0x03, 0x00, 0x00,
    0x01, 0x00, 0x02, 0x00,
};

struct Ledger {
  std::vector<std::string> log;
  int32_t next_id = 100;
};
}  // namespace

int main() {
  wasm::Engine engine;
  auto module = wasm::Module::compile(engine, kModule);
  if (!module) return 1;

  wasm::Linker<Ledger> linker(engine);
  // Types are deduced from the lambdas: (i32, i32) -> () and () -> i32.
  linker.func_wrap("env", "log", [](wasm::Caller<Ledger>& caller, int32_t ptr, int32_t len) -> wasm::Result<void> {
    std::optional<wasm::Memory> memory = caller.get_memory("memory");
    std::string text(size_t(len), '\0');
    // read() checks the range, so a bad pointer becomes a trap, not a host crash.
    if (auto r = memory->read(caller, uint32_t(ptr), {reinterpret_cast<uint8_t*>(text.data()), text.size()}); !r) {
      return r;
    }
    caller.data().log.push_back(text);
    return {};
  });
  linker.func_wrap("env", "next_id", [](wasm::Caller<Ledger>& caller) { return caller.data().next_id++; });

  wasm::Store<Ledger> store(engine, Ledger{});
  auto instance = linker.instantiate(store, *module);
  if (!instance) return 1;
  auto issue = instance->get_typed_func<void, int32_t>(store, "issue");
  for (int i = 0; i < 3; ++i) {
    auto id = issue->call(store);
    if (!id) return 1;
    std::printf("ticket %d\n", *id);
  }
  for (const std::string& line : store.data().log) std::printf("log: %s\n", line.c_str());
  return store.data().log.size() == 3 && store.data().next_id == 103 ? 0 : 1;
}
