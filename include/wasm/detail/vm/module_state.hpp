#pragma once
// ModuleState: what a compiled Module is made of, shared (immutably) by the Module handles and
// every instance of it.
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/env/module_shape.hpp"
#include "wasm/detail/env/vmoffsets.hpp"
#include "wasm/detail/jit/compiled_module.hpp"
#include "wasm/detail/jit/profiling/profilers.hpp"
#include "wasm/detail/vm/code_registry.hpp"
#include "wasm/detail/vm/memory_image.hpp"

namespace wasm::detail {

struct EngineState;

struct ModuleState {
  ModuleState() = default;
  ModuleState(const ModuleState&) = delete;
  ModuleState& operator=(const ModuleState&) = delete;
  ~ModuleState() {
    if (code.code_memory()) CodeRegistry::get().remove(uintptr_t(code.code_memory().data()));
  }

  // Takes the module's machine code and tells the trap handler where it lives, and profilers
  // and debuggers as far as `config` asks.
  void publish_code(jit::CompiledModule compiled, const Config& config) {
    code = std::move(compiled);
    const CodeMemory& mem = code.code_memory();
    if (mem) CodeRegistry::get().add(uintptr_t(mem.data()), uintptr_t(mem.data()) + mem.size(), this);
    profiling = jit::profiling::register_module_code(config, info, code);
  }

  std::shared_ptr<EngineState> engine;
  ModuleInfo info;
  VMOffsets offsets{ModuleShape{}};
  std::vector<uint32_t> type_ids;  // engine-wide id of each of the module's types
  // Export position by name, so that looking an export up (Caller::get_memory on every host
  // call, say) does not scan the export list.
  std::unordered_map<std::string_view, uint32_t> export_index;

  void index_exports() {
    export_index.reserve(info.exports.size());
    for (uint32_t i = 0; i < info.exports.size(); ++i) export_index.emplace(info.exports[i].name, i);
  }
  jit::CompiledModule code;
  jit::profiling::CodeRegistration profiling;  // after `code`: unregistered before it is freed
  // Copy-on-write images of the data segments, laid out on first use (Config::memory_init_cow).
  MemoryImageCache memory_images;
};

}  // namespace wasm::detail
