#pragma once
// Runs the commands of one converted script against the RuntimeAdapter and counts the outcome
// of each: passed, failed, or skipped with a reason (a part of the runtime not built yet).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "file_report.hpp"
#include "runtime_adapter.hpp"
#include "spec_values.hpp"
#include "trap_messages.hpp"
#include "wast_commands.hpp"

namespace wasmpp_spec {

struct RunOptions {
  bool verbose = false;
  size_t max_failures_shown = 10;  // without -v
};

class ScriptRunner {
 public:
  ScriptRunner(RuntimeAdapter& adapter, std::filesystem::path dir, std::string label, RunOptions opts)
      : adapter_(adapter), dir_(std::move(dir)), label_(std::move(label)), opts_(opts) {}

  void run(const std::vector<Command>& commands) {
    for (const Command& c : commands) run_one(c);
    if (!opts_.verbose && failures_shown_ < report_.failed)
      std::cout << "  ... " << (report_.failed - failures_shown_) << " more failures (use -v)\n";
  }

  const FileReport& report() const { return report_; }

 private:
  // What the script knows about a module command it has run.
  struct ModuleState {
    uint32_t line = 0;
    bool loaded = false;  // decoded, validated and (when available) instantiated
    std::optional<std::string> skip_reason;  // set when it needs a part not built yet
    std::optional<RuntimeAdapter::InstanceId> instance;
  };

  void pass() { ++report_.passed; }
  void skip(const std::string& reason) { report_.skip(reason); }
  void fail(const Command& c, const std::string& why) {
    ++report_.failed;
    if (opts_.verbose || failures_shown_ < opts_.max_failures_shown) {
      ++failures_shown_;
      std::cout << "  " << label_ << ":" << c.line << ": " << c.type << ": " << why << "\n";
    }
  }

  std::optional<std::vector<uint8_t>> read_module(const Command& c) {
    std::ifstream in(dir_ / c.filename, std::ios::binary);
    if (!in) {
      fail(c, "cannot read module file " + (dir_ / c.filename).string());
      return std::nullopt;
    }
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
  }

  void run_one(const Command& c) {
    switch (c.kind) {
      case CommandKind::Bad: return fail(c, "cannot read command: " + c.error);
      case CommandKind::Module: return run_module(c);
      case CommandKind::Register: return run_register(c);
      case CommandKind::AssertMalformed: return run_assert_load_error(c, wasm::ErrorKind::Decode);
      case CommandKind::AssertInvalid: return run_assert_load_error(c, wasm::ErrorKind::Validate);
      case CommandKind::AssertUnlinkable:
      case CommandKind::AssertUninstantiable: return run_assert_instantiate_error(c);
      case CommandKind::AssertException: return skip("exceptions not supported");
      case CommandKind::Action:
      case CommandKind::AssertReturn:
      case CommandKind::AssertTrap:
      case CommandKind::AssertExhaustion: return run_action_command(c);
    }
  }

  void run_module(const Command& c) {
    // Recorded whatever happens, so that later commands know this module failed.
    current_ = load_module(c);
    if (c.name) named_[*c.name] = *current_;
  }

  ModuleState load_module(const Command& c) {
    ModuleState state;
    state.line = c.line;
    if (c.text_module) {
      skip("text-format module");
      return state;
    }
    auto bytes = read_module(c);
    if (!bytes) return state;
    auto compiled = adapter_.compile(*bytes);
    if (!compiled) {
      if (auto missing = adapter_.unsupported(compiled.error())) {
        state.skip_reason = *missing;
        skip(*missing);
        return state;
      }
      fail(c, "module failed to load: " + compiled.error().to_string());
      return state;
    }
    if (!adapter_.missing_instantiation()) {
      auto instance = adapter_.instantiate(*compiled);
      if (!instance) {
        fail(c, "module failed to instantiate: " + instance.error().to_string());
        return state;
      }
      state.instance = *instance;
    }
    state.loaded = true;
    pass();
    return state;
  }

  // assert_malformed / assert_invalid: loading must fail, with the right kind of error.
  void run_assert_load_error(const Command& c, wasm::ErrorKind want) {
    if (c.text_module) return skip("text-format module");
    auto bytes = read_module(c);
    if (!bytes) return;
    auto compiled = adapter_.compile(*bytes);
    const std::string expected =
        "expected " + std::string(wasm::error_kind_name(want)) + " \"" + c.text + "\"";
    if (compiled) return fail(c, expected + ", but the module loaded");
    if (compiled.error().kind() != want)
      return fail(c, expected + ", got " + compiled.error().to_string());
    if (opts_.verbose && !message_matches(c.text, compiled.error().message()))
      std::cout << "  " << label_ << ":" << c.line << ": note: " << expected << ", got \""
                << compiled.error().message() << "\"\n";
    pass();
  }

  // assert_unlinkable / assert_uninstantiable: the module is valid, instantiating it fails.
  void run_assert_instantiate_error(const Command& c) {
    if (c.text_module) return skip("text-format module");
    auto bytes = read_module(c);
    if (!bytes) return;
    auto compiled = adapter_.compile(*bytes);
    if (!compiled) {
      if (auto missing = adapter_.unsupported(compiled.error())) return skip(*missing);
      return fail(c, "module failed to load: " + compiled.error().to_string());
    }
    const bool unlinkable = c.kind == CommandKind::AssertUnlinkable;
    if (auto missing = unlinkable ? adapter_.missing_linking() : adapter_.missing_instantiation())
      return skip(*missing);
    auto instance = adapter_.instantiate(*compiled);
    const std::string expected = std::string("expected ") +
                                 (unlinkable ? "link error" : "instantiation error") + " \"" +
                                 c.text + "\"";
    if (instance) return fail(c, expected + ", but the module instantiated");
    const wasm::ErrorKind kind = instance.error().kind();
    const bool right_kind = unlinkable ? kind == wasm::ErrorKind::Link
                                       : (kind == wasm::ErrorKind::Instantiate || kind == wasm::ErrorKind::Trap);
    if (!right_kind || !message_matches(c.text, instance.error().message()))
      return fail(c, expected + ", got " + instance.error().to_string());
    pass();
  }

  // The module an action or register refers to, or nothing (after failing the command).
  const ModuleState* find_module(const Command& c, const std::optional<std::string>& name) {
    const ModuleState* m = nullptr;
    if (name) {
      auto it = named_.find(*name);
      if (it == named_.end()) {
        fail(c, "unknown module " + *name);
        return nullptr;
      }
      m = &it->second;
    } else if (current_) {
      m = &*current_;
    } else {
      fail(c, "no module defined before this command");
      return nullptr;
    }
    if (m->skip_reason) {
      skip(*m->skip_reason);
      return nullptr;
    }
    if (!m->loaded || !m->instance) {
      fail(c, "module from line " + std::to_string(m->line) + " did not load");
      return nullptr;
    }
    return m;
  }

  void run_register(const Command& c) {
    if (auto missing = adapter_.missing_instantiation()) return skip(*missing);
    const ModuleState* m = find_module(c, c.name);
    if (!m) return;
    auto r = adapter_.register_instance(*m->instance, c.as);
    if (!r) return fail(c, "register failed: " + r.error().to_string());
    pass();
  }

  void run_action_command(const Command& c) {
    if (auto missing = adapter_.missing_execution()) return skip(*missing);
    if (!c.action) return fail(c, "command has no action");
    const Action& a = *c.action;
    const ModuleState* m = find_module(c, a.module);
    if (!m) return;

    wasm::Result<std::vector<Value>> results = std::vector<Value>{};
    if (a.kind == Action::Kind::Invoke) {
      results = adapter_.invoke(*m->instance, a.field, a.args);
    } else {
      auto v = adapter_.get(*m->instance, a.field);
      if (v) results = std::vector<Value>{*v};
      else results = std::move(v).error();
    }

    const std::string what = "\"" + a.field + "\"";
    switch (c.kind) {
      case CommandKind::Action:
        if (!results) return fail(c, what + " failed: " + results.error().to_string());
        return pass();
      case CommandKind::AssertReturn:
        if (!results) return fail(c, what + " failed: " + results.error().to_string());
        if (!results_match(c.expected, *results)) {
          std::string want;
          for (const auto& alt : c.expected) want += (want.empty() ? "" : " or ") + list_to_string(alt);
          return fail(c, what + " returned " + list_to_string(*results) + ", expected " + want);
        }
        return pass();
      case CommandKind::AssertTrap:
      case CommandKind::AssertExhaustion: {
        const std::string expected = "expected trap \"" + c.text + "\"";
        if (results) return fail(c, what + ": " + expected + ", returned " + list_to_string(*results));
        const wasm::Error& e = results.error();
        const bool exhausted_ok = c.kind != CommandKind::AssertExhaustion ||
                                  e.trap_code() == wasm::TrapCode::StackOverflow;
        if (e.kind() != wasm::ErrorKind::Trap || !exhausted_ok || !message_matches(c.text, e.message()))
          return fail(c, what + ": " + expected + ", got " + e.to_string());
        return pass();
      }
      default: return fail(c, "not an action command");
    }
  }

  RuntimeAdapter& adapter_;
  std::filesystem::path dir_;
  std::string label_;
  RunOptions opts_;
  FileReport report_;
  size_t failures_shown_ = 0;
  std::optional<ModuleState> current_;
  std::map<std::string, ModuleState> named_;
};

}  // namespace wasmpp_spec
