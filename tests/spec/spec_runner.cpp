// spec-runner: runs WebAssembly spec test scripts (.wast) against wasmpp and counts the results.
//
//   spec-runner [--enable-FEATURE ... | --enable-all] [--disable-FEATURE ...] [-v] [--pins FILE] FILE.wast ...
//
// Each script is read and run by wasm::wast (include/wasm/wast/), the runner `wasmpp wast` uses
// too. Prints `FILE: N passed, N failed, N skipped` per script (with the reasons for skips below
// it) and the totals on the last line. Exit status: with --pins, 0 when every script is within
// its pin (pins.hpp); otherwise 0 when nothing failed.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pins.hpp"
#include "wasm/wast/wast.hpp"

namespace {

using namespace wasmpp_spec;

struct Options {
  wasm::Features features;
  bool verbose = false;
  std::optional<std::string> pins_file;
  std::vector<std::string> files;
};

constexpr const char* kUsage =
    "usage: spec-runner [--enable-FEATURE ... | --enable-all] [--disable-FEATURE ...] [-v]\n"
    "                   [--pins FILE] FILE.wast ...\n"
    "  FEATURE: a proposal (multi-memory, memory64, extended-const, tail-call, threads,\n"
    "           exceptions, relaxed-simd, wide-arithmetic, ...: wasm::kFeatureFlags);\n"
    "           --enable-all turns on every one; --disable-reference-types holds modules to\n"
    "           1.0's rules for what reference types added (on by default, part of 2.0)\n"
    "  -v       print every failure with the expected text and our message\n"
    "  --pins   check each script's counts against a pin file (path, min passed, max failed)\n"
    "  A FILE that does not exist is also looked up in $WASMPP_SPEC_DIR.\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-v" || arg == "--verbose") {
      o.verbose = true;
    } else if (arg == "--enable-all") {
      o.features.enable_all();
    } else if (arg.starts_with("--enable-")) {
      if (!o.features.enable(arg.substr(9))) {
        std::cerr << "spec-runner: unknown feature '" << arg.substr(9) << "'\n" << kUsage;
        return std::nullopt;
      }
    } else if (arg.starts_with("--disable-")) {
      if (!o.features.disable(arg.substr(10))) {
        std::cerr << "spec-runner: unknown feature '" << arg.substr(10) << "'\n" << kUsage;
        return std::nullopt;
      }
    } else if (arg == "--pins") {
      if (i + 1 >= argc) {
        std::cerr << "spec-runner: --pins needs a value\n";
        return std::nullopt;
      }
      o.pins_file = argv[++i];
    } else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg.starts_with("-")) {
      std::cerr << "spec-runner: unknown option '" << arg << "'\n" << kUsage;
      return std::nullopt;
    } else {
      o.files.emplace_back(arg);
    }
  }
  if (o.files.empty()) {
    std::cerr << kUsage;
    return std::nullopt;
  }
  return o;
}

std::string resolve_script(const std::string& file) {
  namespace fs = std::filesystem;
  if (fs::exists(file)) return file;
  if (const char* dir = std::getenv("WASMPP_SPEC_DIR"); dir && *dir && fs::path(file).is_relative())
    if (fs::exists(fs::path(dir) / file)) return (fs::path(dir) / file).string();
  return file;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) return 2;

  std::vector<Pin> pins;
  if (options->pins_file) {
    try {
      pins = load_pins(*options->pins_file);
    } catch (const std::exception& e) {
      std::cerr << "spec-runner: " << e.what() << "\n";
      return 2;
    }
  }

  wasm::wast::RunOptions run_options;
  run_options.verbose = options->verbose;
  FileReport total;
  bool pins_ok = true;
  for (const auto& file : options->files) {
    const std::string script = resolve_script(file);
    const FileReport report = wasm::wast::run_file(script, options->features, run_options, std::cout);
    wasm::wast::print_report(std::cout, file, report);
    if (options->pins_file) {
      const PinCheck check = check_pin(find_pin(pins, script), file, report);
      std::cout << check.message << "\n";
      pins_ok = pins_ok && check.ok;
    }
    total += report;
  }
  std::cout << wasm::wast::summary(total) << "\n";
  if (options->pins_file) return pins_ok ? 0 : 1;
  return total.failed == 0 ? 0 : 1;
}
