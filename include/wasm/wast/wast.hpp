#pragma once
// wasm::wast: runs WebAssembly script files (.wast, the spec test suite's format) against the
// runtime, as `wasmtime wast` does. One runner serves tests/spec's spec-runner and `wasmpp wast`.
//
//   wasm::Features features;               // the proposals the scripts need
//   wasm::wast::FileReport r = wasm::wast::run_file("i32.wast", features, {}, std::cout);
//   wasm::wast::print_report(std::cout, "i32.wast", r);   // "i32.wast: N passed, N failed, N skipped"
//
// A layer above the public API (like wasm/wasi): it uses <wasm.hpp> and the text format's
// lexer and encoder (detail/text), nothing else.
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

#include "wasm.hpp"
#include "wasm/wast/report.hpp"
#include "wasm/wast/runner.hpp"
#include "wasm/wast/runtime.hpp"
#include "wasm/wast/script_parser.hpp"

namespace wasm::wast {

// Runs a script given as text; `label` names it in failure lines.
inline FileReport run_source(std::string_view source, const std::string& label, const Features& features,
                             const RunOptions& options, std::ostream& out) {
  const std::vector<Command> commands = parse_script(source);
  ScriptRuntime runtime(features);
  ScriptRunner runner(runtime, source, label, options, out);
  runner.run(commands);
  return runner.report();
}

// Runs a script file. A file that cannot be read counts as one failure.
inline FileReport run_file(const std::string& path, const Features& features, const RunOptions& options,
                           std::ostream& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out << "  " << path << ": cannot read the file\n";
    FileReport r;
    r.failed = 1;
    return r;
  }
  std::stringstream text;
  text << in.rdbuf();
  return run_source(text.str(), path, features, options, out);
}

}  // namespace wasm::wast
