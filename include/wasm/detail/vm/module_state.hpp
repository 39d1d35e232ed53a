#pragma once
// ModuleState: what a compiled Module is made of, shared by the Module handles and every
// instance of it. Immutable once published, except that a function's code can be replaced.
#include <pthread.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "wasm/detail/base/pthread_lock.hpp"
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
    code.for_each_unit([](const jit::CodeUnit& unit) {
      if (unit.code) CodeRegistry::get().remove(uintptr_t(unit.code.data()));
    });
    pthread_mutex_destroy(&replace_mutex_);
  }

  // Takes the module's machine code and tells the trap handler where it lives, and profilers
  // and debuggers as far as `config` asks.
  void publish_code(jit::CompiledModule compiled, const Config& config) {
    code = std::move(compiled);
    const CodeMemory& mem = code.code_memory();
    if (mem) CodeRegistry::get().add(uintptr_t(mem.data()), uintptr_t(mem.data()) + mem.size(), this);
    profiling = jit::profiling::register_module_code(config, info, code);
    code_config_ = &config;
  }

  // New code for defined functions (function index space), compiled for this module.
  using Replacements = std::vector<std::pair<uint32_t, jit::CompiledFunction>>;

  // Redirects calls of the given functions to their new code, while other threads may be
  // calling them (jit::CompiledModule::replace); the new code is known to the trap handler
  // before the first call reaches it.
  Result<void> replace_functions(const Replacements& batch) const {
    PthreadLock lock(&replace_mutex_);
    return replace_locked(batch);
  }

  // For compilation on first call: unless function `defined`'s entry has already left its
  // place in the image, compiles it with `compile(func_index)` (a Result<Replacements>) and
  // redirects it. Returns the code its calls reach now. One thread compiles, others wait.
  template <typename Compile>
  Result<const void*> compile_once(uint32_t defined, Compile&& compile) const {
    const uint32_t index = info.num_imported_funcs + defined;
    if (code.current_code(index) != code.image_code(index)) return code.current_code(index);
    PthreadLock lock(&replace_mutex_);
    if (code.current_code(index) == code.image_code(index)) {
      auto compiled = compile(index);
      if (!compiled) return std::move(compiled).error();
      if (auto replaced = replace_locked(*compiled); !replaced) return std::move(replaced).error();
      if (code.current_code(index) == code.image_code(index))
        return Error(ErrorKind::Resource, "no compiler tier accepts function " + std::to_string(index));
    }
    return code.current_code(index);
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
  // The same for replacement units, appended under the replacement lock.
  mutable std::vector<jit::profiling::CodeRegistration> replacement_profiling;
  // Copy-on-write images of the data segments, laid out on first use (Config::memory_init_cow).
  MemoryImageCache memory_images;

 private:
  Result<void> replace_locked(const Replacements& batch) const {
    if (batch.empty()) return {};
    auto replaced = code.replace(batch, [this](const jit::CodeUnit& unit) {
      CodeRegistry::get().add(uintptr_t(unit.code.data()), uintptr_t(unit.code.data()) + unit.code.size(), this);
      if (code_config_) {
        replacement_profiling.push_back(
            jit::profiling::register_unit_code(*code_config_, info, code.num_imported_funcs(), unit));
      }
    });
    if (!replaced) return std::move(replaced).error();
    return {};
  }

  mutable pthread_mutex_t replace_mutex_ = PTHREAD_MUTEX_INITIALIZER;
  // The configuration the code was compiled with: the engine's, which `engine` keeps alive.
  const Config* code_config_ = nullptr;
};

}  // namespace wasm::detail
