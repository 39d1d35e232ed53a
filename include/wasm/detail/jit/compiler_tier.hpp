#pragma once
// The seam between the module driver (module_compiler.hpp) and the compilers of functions.
// A tier turns one validated function into a CompiledFunction that follows the calling
// convention (abi.hpp) and frame layout (frame_layout.hpp) every tier shares, so that code of
// different tiers calls each other and the runtime walks and unwinds all of it alike.
//
// Compilation is parallel: the driver asks the tier for one Worker per thread (a worker keeps
// its buffers across functions and is used by one thread only); the tier itself is shared
// read-only by all threads.
#include <cstdint>
#include <memory>

#include "wasm/result.hpp"
#include "wasm/detail/jit/compile_env.hpp"
#include "wasm/detail/jit/compiled_function.hpp"

namespace wasm::detail::jit {

class CompilerTier {
 public:
  class Worker {
   public:
    virtual ~Worker() = default;
    // Compiles defined function `defined_index` (0 = the first non-imported function). An
    // error fails the whole module (the driver reports the lowest failing index).
    virtual Result<CompiledFunction> compile(uint32_t defined_index) = 0;
  };

  virtual ~CompilerTier() = default;
  virtual const char* name() const = 0;
  // Whether this tier compiles that function. A tier that declines lets the next tier of the
  // driver's list compile it (an optimizing tier declining what it does not support yet).
  virtual bool accepts(const CompileEnv&, uint32_t /*defined_index*/) const { return true; }
  virtual std::unique_ptr<Worker> make_worker(const CompileEnv& env) const = 0;
};

}  // namespace wasm::detail::jit
