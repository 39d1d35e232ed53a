// spec-runner: runs WebAssembly spec test scripts (.wast) against wasmpp and counts the results.
//
//   spec-runner [--enable-FEATURE ...] [-v] [--pins FILE] [--wast2json PATH] FILE.wast ...
//
// Each script is converted by wabt's wast2json in a temporary directory, then every command runs
// through RuntimeAdapter (runtime_adapter.hpp). Prints `FILE: N passed, N failed, N skipped` per
// script (with the reasons for skips below it) and the totals on the last line. Exit status: with
// --pins, 0 when every script is within its pin (pins.hpp); otherwise 0 when nothing failed.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "file_report.hpp"
#include "pins.hpp"
#include "runtime_adapter.hpp"
#include "script_runner.hpp"
#include "wast2json.hpp"
#include "wast_commands.hpp"

namespace {

using namespace wasmpp_spec;

struct Options {
  std::vector<std::string> features;
  bool verbose = false;
  std::optional<std::string> pins_file;
  std::string wast2json = "wast2json";
  std::vector<std::string> files;
};

constexpr const char* kUsage =
    "usage: spec-runner [--enable-FEATURE ...] [-v] [--pins FILE] [--wast2json PATH] FILE.wast ...\n"
    "  FEATURE: a wast2json proposal flag (multi-memory, memory64, extended-const, tail-call,\n"
    "           threads, exceptions, relaxed-simd)\n"
    "  -v       print every failure with the expected text and our message\n"
    "  --pins   check each script's counts against a pin file (path, min passed, max failed)\n"
    "  A FILE that does not exist is also looked up in $WASMPP_SPEC_DIR.\n"
    "  wast2json is found in PATH, or given by --wast2json or $WASMPP_WAST2JSON.\n";

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  if (const char* env = std::getenv("WASMPP_WAST2JSON"); env && *env) o.wast2json = env;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 < argc) return std::string(argv[++i]);
      std::cerr << "spec-runner: " << arg << " needs a value\n";
      return std::nullopt;
    };
    if (arg == "-v" || arg == "--verbose") {
      o.verbose = true;
    } else if (arg.starts_with("--enable-")) {
      const std::string name(arg.substr(9));
      if (wasm::Features f; !f.enable(name)) {
        std::cerr << "spec-runner: unknown feature '" << name << "'\n" << kUsage;
        return std::nullopt;
      }
      o.features.push_back(name);
    } else if (arg == "--pins") {
      if (!(o.pins_file = value())) return std::nullopt;
    } else if (arg == "--wast2json") {
      auto v = value();
      if (!v) return std::nullopt;
      o.wast2json = *v;
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

// Converts and runs one script. A script that cannot be converted or read counts as one failure.
FileReport run_script(const Options& o, const std::string& file) {
  FileReport report;
  auto fail_file = [&](const std::string& why) {
    std::cout << "  " << file << ": " << why << "\n";
    report.failed = 1;
    return report;
  };
  const std::string script = resolve_script(file);
  if (!std::filesystem::exists(script)) return fail_file("no such file");

  TempDir dir;
  const auto json_path = dir.path() / "x.json";
  ConvertResult conv = run_wast2json(o.wast2json, o.features, script, json_path);
  if (!conv.ok) return fail_file(conv.message);

  std::vector<Command> commands;
  try {
    std::ifstream in(json_path);
    commands = parse_script(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    return fail_file("cannot read wast2json output: " + std::string(e.what()));
  }

  wasm::Features features;
  for (const auto& f : o.features) features.enable(f);
  RuntimeAdapter adapter(features);
  RunOptions run_opts;
  run_opts.verbose = o.verbose;
  ScriptRunner runner(adapter, dir.path(), file, run_opts);
  runner.run(commands);
  return runner.report();
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

  FileReport total;
  bool pins_ok = true;
  for (const auto& file : options->files) {
    const FileReport report = run_script(*options, file);
    print_report(std::cout, file, report);
    if (options->pins_file) {
      const PinCheck check = check_pin(find_pin(pins, resolve_script(file)), file, report);
      std::cout << check.message << "\n";
      pins_ok = pins_ok && check.ok;
    }
    total += report;
  }
  std::cout << summary(total) << "\n";
  if (options->pins_file) return pins_ok ? 0 : 1;
  return total.failed == 0 ? 0 : 1;
}
