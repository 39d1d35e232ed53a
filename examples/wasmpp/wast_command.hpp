#pragma once
// `wasmpp wast`: runs WebAssembly script files (.wast) like `wasmtime wast`, printing
// `FILE: N passed, N failed, N skipped` per file (skip reasons indented below) and the totals
// last, as tests/spec's spec-runner does: both are wasm::wast's runner.
#include <iostream>
#include <string>
#include <vector>

#include <wasm.hpp>
#include <wasm/wast/wast.hpp>

#include "options.hpp"

namespace wasmpp_cli {

// Exit status: 0 when no command failed, 1 otherwise.
inline int wast(const std::vector<std::string>& argv) {
  wasm::Features features;
  wasm::wast::RunOptions options;
  std::vector<std::string> files;
  for (const std::string& a : argv) {
    if (a == "-v" || a == "--verbose") options.verbose = true;
    else if (parse_enable(a, features)) {
    } else if (a.rfind("-", 0) == 0) throw UsageError{"unknown option " + a};
    else files.push_back(a);
  }
  if (files.empty()) throw UsageError{"wast needs at least one FILE.wast"};
  wasm::wast::FileReport total;
  for (const std::string& file : files) {
    const wasm::wast::FileReport r = wasm::wast::run_file(file, features, options, std::cout);
    wasm::wast::print_report(std::cout, file, r);
    total += r;
  }
  std::cout << wasm::wast::summary(total) << "\n";
  return total.failed == 0 ? 0 : 1;
}

}  // namespace wasmpp_cli
