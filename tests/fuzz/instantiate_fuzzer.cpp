// libFuzzer target: decode, validate, compile every function, instantiate with a stub for every
// import (functions return zeros, memories/tables/globals made from the import's own type) and
// call every exported function with small arguments and a little fuel. Errors (decode,
// validation, link, instantiation, traps) are expected; a crash, a sanitizer report, a leak or
// a hang is a finding. Built with ASan + UBSan (CMakeLists.txt).
//
// The runtime turns faults in JIT code (guard pages) into traps with its own SIGSEGV handler,
// so ASan must leave SIGSEGV/SIGBUS alone: see __asan_default_options below; run the binary
// with -handle_segv=0 -handle_bus=0 as well (libFuzzer's own flags).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <wasm.hpp>

extern "C" const char* __asan_default_options() {
  return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:allow_user_segv_handler=1:"
         "detect_stack_use_after_return=0";
}


namespace {

constexpr uint64_t kFuel = 20'000;
constexpr uint64_t kMaxPages = 256;         // larger imported memories are not made
constexpr uint64_t kMaxTableSize = 10'000;  // nor larger tables

wasm::Val small_argument(wasm::ValType t, size_t i) {
  switch (t) {
    case wasm::ValType::I32: return wasm::Val(int32_t(i) - 1);
    case wasm::ValType::I64: return wasm::Val(int64_t(i) - 1);
    case wasm::ValType::F32: return wasm::Val(float(i) * 0.5f);
    case wasm::ValType::F64: return wasm::Val(double(i) * -0.5);
    default: return wasm::Val::zero(t);
  }
}

const wasm::Engine& engine() {
  static const wasm::Engine e = [] {
    wasm::Config config;
    config.consume_fuel(true).parallel_compilation(false).max_wasm_stack(256 * 1024);
    return wasm::Engine(config);
  }();
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto module = wasm::Module::compile(engine(), std::span<const uint8_t>(data, size));
  if (!module) return 0;
  wasm::Store<> store(engine());
  wasm::Linker<> linker(engine());
  linker.allow_shadowing(true);
  for (const wasm::ImportType& imp : module->imports()) {
    if (const auto* ft = std::get_if<wasm::FuncType>(&imp.type)) {
      (void)linker.func_new(imp.module, imp.name, *ft,
                            [](wasm::Caller<>&, std::span<const wasm::Val>, std::span<wasm::Val>) {
                              return wasm::Result<void>{};
                            });
    } else if (const auto* mt = std::get_if<wasm::MemoryType>(&imp.type)) {
      if (mt->limits.min > kMaxPages) return 0;
      auto m = wasm::Memory::create(store, *mt);
      if (m) (void)linker.define(imp.module, imp.name, *m);
    } else if (const auto* tt = std::get_if<wasm::TableType>(&imp.type)) {
      if (tt->limits.min > kMaxTableSize) return 0;
      auto t = wasm::Table::create(store, *tt);
      if (t) (void)linker.define(imp.module, imp.name, *t);
    } else if (const auto* gt = std::get_if<wasm::GlobalType>(&imp.type)) {
      auto g = wasm::Global::create(store, *gt, wasm::Val::zero(gt->type));
      if (g) (void)linker.define(imp.module, imp.name, *g);
    }
  }
  (void)store.set_fuel(kFuel);
  auto instance = linker.instantiate(store, *module);
  if (!instance) return 0;
  for (const wasm::ExportType& e : module->exports()) {
    const auto* ft = std::get_if<wasm::FuncType>(&e.type);
    if (!ft) continue;
    std::optional<wasm::Func> f = instance->get_func(store, e.name);
    if (!f) __builtin_trap();  // an exported function must be found
    std::vector<wasm::Val> args;
    for (size_t i = 0; i < ft->params.size(); ++i) args.push_back(small_argument(ft->params[i], i));
    std::vector<wasm::Val> results(ft->results.size());
    (void)store.set_fuel(kFuel);
    wasm::Result<void> r = f->call(store, args, results);
    if (r) {
      for (size_t i = 0; i < results.size(); ++i) {
        if (results[i].type() != ft->results[i]) __builtin_trap();
      }
    } else if (r.error().kind() != wasm::ErrorKind::Trap) {
      __builtin_trap();  // a call of a valid export with the right arguments can only trap
    }
  }
  for (const wasm::ExportType& e : module->exports()) {
    if (std::holds_alternative<wasm::MemoryType>(e.type)) {
      std::optional<wasm::Memory> m = instance->get_memory(store, e.name);
      std::span<uint8_t> bytes = m->data(store);
      if (bytes.size() != m->size(store) * wasm::kPageSize) __builtin_trap();
      if (!bytes.empty()) bytes.back() ^= 1;  // the whole of it is writable
    }
  }
  return 0;
}
