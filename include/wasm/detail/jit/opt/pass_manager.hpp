#pragma once
// The mid-end pipeline: the passes in a fixed order, each run once per function. A caller may
// watch each pass (the tests verify the IR and run the interpreter after every one).
#include <functional>
#include <span>

#include "wasm/detail/jit/opt/pass_copyprop.hpp"
#include "wasm/detail/jit/opt/pass_dce.hpp"
#include "wasm/detail/jit/opt/pass_fold.hpp"
#include "wasm/detail/jit/opt/pass_gvn.hpp"
#include "wasm/detail/jit/opt/pass_licm.hpp"
#include "wasm/detail/jit/opt/pass_strength.hpp"

namespace wasm::detail::jit::opt {

struct Pass {
  const char* name;
  bool (*run)(Function&);  // returns whether it changed the function
};

// Folding first (it exposes copies and dead branches), then the cleanups, LICM on the cleaned
// loops, strength reduction of the divisions folding marked as checked, and a last round that
// folds, merges and removes what strength reduction and LICM left behind (copy propagation
// again after DCE: a parameter whose other incoming edges were unreachable is now trivial).
inline constexpr Pass kPipeline[] = {
    {"fold", fold_constants},      {"copyprop", propagate_copies}, {"gvn", number_values},
    {"dce", eliminate_dead_code},  {"licm", hoist_loop_invariants}, {"strength", reduce_strength},
    {"fold", fold_constants},      {"dce", eliminate_dead_code},    {"copyprop", propagate_copies},
    {"gvn", number_values},        {"dce", eliminate_dead_code},
};

// Runs the pipeline on f; after_pass (if any) sees the function after every pass.
inline void optimize(Function& f, const std::function<void(const Pass&, Function&)>& after_pass = {}) {
  for (const Pass& p : kPipeline) {
    p.run(f);
    if (after_pass) after_pass(p, f);
  }
}

}  // namespace wasm::detail::jit::opt
