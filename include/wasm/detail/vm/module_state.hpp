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
#include "wasm/detail/vm/code_registry.hpp"

namespace wasm::detail {

struct EngineState;

struct ModuleState {
  ModuleState() = default;
  ModuleState(const ModuleState&) = delete;
  ModuleState& operator=(const ModuleState&) = delete;
  ~ModuleState() {
    if (code.code_memory()) CodeRegistry::get().remove(uintptr_t(code.code_memory().data()));
  }

  // Takes the module's machine code and tells the trap handler where it lives.
  void publish_code(jit::CompiledModule compiled) {
    code = std::move(compiled);
    const CodeMemory& mem = code.code_memory();
    if (mem) CodeRegistry::get().add(uintptr_t(mem.data()), uintptr_t(mem.data()) + mem.size(), this);
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
};

}  // namespace wasm::detail
