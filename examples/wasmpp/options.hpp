#pragma once
// Command-line parsing for `wasmpp`.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <wasm/features.hpp>

namespace wasmpp_cli {

inline constexpr const char* kUsage = R"(wasmpp: run and compile WebAssembly modules

usage:
  wasmpp run [OPTIONS] FILE.wasm|FILE.wat|FILE.cwasm [ARGS...]
      Runs a WASI command (its `_start`) with ARGS as its arguments, or with --invoke
      the named export, parsing ARGS as its parameters and printing its results.
      --dir HOST[::GUEST]   give the guest the host directory HOST (named GUEST, default HOST)
      --env KEY=VALUE       set a guest environment variable (--env KEY copies the host's)
      --invoke NAME         call export NAME instead of _start
      --fuel N              trap once the guest has used N units of fuel
      --profile=perfmap     write /tmp/perf-<pid>.map so that `perf report` names wasm functions
      --profile=jitdump     write ./jit-<pid>.dump (or in $JITDUMPDIR) for `perf record -k mono`
                            and `perf inject --jit`
      --enable-FEATURE      accept a post-2.0 proposal (names as for `wast`), --enable-all all
      A precompiled FILE (from `wasmpp compile -o`, recognised by its header) is loaded
      without compiling; it runs machine code from the file, so run only files you made.
      It must have been compiled for the same options (--fuel).
  wasmpp compile [-o OUT.cwasm] [--enable-FEATURE ... | --enable-all] FILE.wasm|FILE.wat
      Validates and compiles FILE, printing timings and sizes; with -o, writes the
      precompiled module to OUT for `wasmpp run` (for this wasmpp, on this CPU).
  wasmpp wast [--enable-FEATURE ... | --enable-all] [-v] FILE.wast...
      Runs WebAssembly script files (the spec test suite's format), printing
      `FILE: N passed, N failed, N skipped` per file and the totals last. FEATURE is a
      proposal: multi-memory, memory64, extended-const, tail-call, threads, exceptions,
      relaxed-simd, wide-arithmetic. Exit status 0 when no command failed.
  wasmpp --help

exit status of `run`: the guest's exit code (proc_exit or the return of main); 134
(128 + SIGABRT, as wasmtime) when the guest traps, with the trap and a backtrace on stderr;
1 when the module cannot be read, compiled, linked or instantiated, 2 for a usage error.
)";

struct RunOptions {
  std::vector<std::pair<std::string, std::string>> dirs;  // host, guest
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> invoke;
  std::optional<uint64_t> fuel;
  std::string profile;  // "", "perfmap" or "jitdump"
  wasm::Features features;
  std::string file;
  std::vector<std::string> args;  // after FILE
};

struct CompileOptions {
  std::string file;
  std::string output;  // -o: where the precompiled module goes; empty: none
  wasm::Features features;
};

struct UsageError {
  std::string message;
};

// Applies `--enable-all` or `--enable-NAME`; false when `a` is not such an option.
inline bool parse_enable(const std::string& a, wasm::Features& features) {
  if (a == "--enable-all") {
    features.enable_all();
    return true;
  }
  if (a.rfind("--enable-", 0) != 0) return false;
  if (!features.enable(a.substr(9))) throw UsageError{"unknown feature " + a.substr(9)};
  return true;
}

// Parses the arguments after `compile`: [-o OUT] FILE, in either order.
inline CompileOptions parse_compile(const std::vector<std::string>& argv) {
  CompileOptions o;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "-o") {
      if (i + 1 >= argv.size()) throw UsageError{"-o needs a file name"};
      o.output = argv[++i];
    } else if (parse_enable(argv[i], o.features)) {
    } else if (!argv[i].empty() && argv[i][0] == '-') {
      throw UsageError{"unknown compile option " + argv[i]};
    } else if (o.file.empty()) {
      o.file = argv[i];
    } else {
      throw UsageError{"compile takes one FILE.wasm or FILE.wat"};
    }
  }
  if (o.file.empty()) throw UsageError{"compile takes one FILE.wasm or FILE.wat"};
  return o;
}

// Parses the arguments after `run`. Options come before FILE; everything after FILE belongs
// to the guest.
inline RunOptions parse_run(const std::vector<std::string>& argv) {
  RunOptions o;
  size_t i = 0;
  auto value = [&](const std::string& opt) -> std::string {
    if (i + 1 >= argv.size()) throw UsageError{opt + " needs a value"};
    return argv[++i];
  };
  for (; i < argv.size(); ++i) {
    std::string a = argv[i];
    // --opt=value is accepted as well as --opt value.
    std::string inline_value;
    bool has_inline = false;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      inline_value = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
      has_inline = true;
    }
    auto get = [&](const std::string& opt) { return has_inline ? inline_value : value(opt); };
    if (parse_enable(a, o.features)) {
    } else if (a == "--dir") {
      std::string spec = get(a);
      size_t sep = spec.find("::");
      if (sep == std::string::npos) o.dirs.emplace_back(spec, spec);
      else o.dirs.emplace_back(spec.substr(0, sep), spec.substr(sep + 2));
    } else if (a == "--env") {
      std::string kv = get(a);
      size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        const char* host = std::getenv(kv.c_str());
        if (host) o.env.emplace_back(kv, host);
      } else {
        o.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
      }
    } else if (a == "--invoke") {
      o.invoke = get(a);
    } else if (a == "--fuel") {
      std::string n = get(a);
      char* end = nullptr;
      o.fuel = std::strtoull(n.c_str(), &end, 10);
      if (n.empty() || *end) throw UsageError{"--fuel needs a number, not " + n};
    } else if (a == "--profile") {
      o.profile = get(a);
      if (o.profile != "perfmap" && o.profile != "jitdump") {
        throw UsageError{"--profile takes perfmap or jitdump, not " + o.profile};
      }
    } else if (a.rfind("--", 0) == 0 && o.file.empty()) {
      throw UsageError{"unknown option " + a};
    } else {
      o.file = argv[i];
      o.args.assign(argv.begin() + long(i) + 1, argv.end());
      return o;
    }
  }
  throw UsageError{"missing FILE.wasm or FILE.wat"};
}

}  // namespace wasmpp_cli
