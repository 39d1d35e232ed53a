#pragma once
// Shared by the optimizing tier's tests: loads a test module (tests/opt/wat/NAME.wat, or the
// text of a module given inline), builds the IR of its functions and runs them in the IR
// interpreter with a fresh memory and the globals' initial values.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <fstream>
#include <iterator>

#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"
#include "wasm/detail/jit/opt/builder.hpp"
#include "wasm/detail/jit/opt/interp.hpp"
#include "wasm/detail/jit/opt/printer.hpp"
#include "wasm/detail/jit/opt/verifier.hpp"
#include "wasm/detail/text/wat.hpp"

namespace wasm::test::opt {

using namespace wasm::detail;
using namespace wasm::detail::jit::opt;

struct OptModule {
  ModuleInfo info;
  Features features;
  std::vector<Function> funcs;  // by defined-function index

  // `name_or_text`: a module of tests/opt/wat, or the text of a module when it starts with '('.
  explicit OptModule(const std::string& name_or_text) {
    std::string text = name_or_text;
    if (text.empty() || text[0] != '(') {
      std::ifstream in(std::string(WASMPP_OPT_WAT_DIR) + "/" + name_or_text + ".wat");
      REQUIRE(in);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto encoded = text::wat_to_wasm(text);
    INFO((encoded ? std::string() : encoded.error().message()));
    REQUIRE(encoded);
    std::vector<uint8_t> bytes = std::move(*encoded);
    auto decoded = decode_module(bytes, features);
    REQUIRE(decoded);
    info = std::move(*decoded);
    REQUIRE(validate_module(info, features));
    FunctionBuilder builder(info, features);
    for (uint32_t i = 0; i < info.num_defined_funcs(); ++i) {
      BuildResult r = builder.build(info.num_imported_funcs + i);
      INFO("function " << i << ": " << r.unsupported);
      REQUIRE(r.ok);
      INFO(print(r.func));
      REQUIRE(verify(r.func) == "");
      funcs.push_back(std::move(r.func));
    }
  }

  uint32_t index(const std::string& export_name) const {
    for (const Export& e : info.exports)
      if (e.kind == ExternKind::Func && e.name == export_name) return e.index;
    FAIL("no export " << export_name);
    return 0;
  }
  Function& func(const std::string& export_name) { return funcs[index(export_name) - info.num_imported_funcs]; }

  // A fresh state: one page of zeroed memory (if the module has a memory), initial globals.
  InterpState state() const {
    InterpState s;
    s.funcs.assign(info.func_types.size(), nullptr);
    for (uint32_t i = 0; i < funcs.size(); ++i) s.funcs[info.num_imported_funcs + i] = &funcs[i];
    if (!info.memories.empty()) s.memory.assign(info.memories[0].limits.min * kPageSize, 0);
    for (const ConstExpr& init : info.global_inits)
      s.globals.push_back(init.code.empty() ? 0 : init.code[0].bits);
    return s;
  }

  InterpResult run(const Function& f, std::vector<uint64_t> args) {
    InterpState s = state();
    return Interpreter(s).call(f, args);
  }
};

// Runs a function and expects one result.
inline uint64_t run1(OptModule& m, const Function& f, std::vector<uint64_t> args) {
  InterpResult r = m.run(f, std::move(args));
  INFO(r.why);
  REQUIRE(r.ok());
  REQUIRE(r.values.size() == 1);
  return r.values[0];
}

}  // namespace wasm::test::opt
