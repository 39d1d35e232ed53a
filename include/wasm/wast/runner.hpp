#pragma once
// Runs the commands of one script against a ScriptRuntime and counts the outcome of each:
// passed, failed, or skipped with a reason (a feature the runtime does not have yet). A command
// that cannot run is never counted as passed.
#include <cstddef>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/wast/messages.hpp"
#include "wasm/wast/module_source.hpp"
#include "wasm/wast/report.hpp"
#include "wasm/wast/runtime.hpp"
#include "wasm/wast/script.hpp"
#include "wasm/wast/values.hpp"

namespace wasm::wast {

struct RunOptions {
  bool verbose = false;            // print every failure, and notes on mismatched messages
  size_t max_failures_shown = 10;  // without verbose
};

class ScriptRunner {
 public:
  // `source` is the script's text (text modules are encoded from it); failures are printed to
  // `out` as "  LABEL:LINE: COMMAND: why".
  ScriptRunner(ScriptRuntime& runtime, std::string_view source, std::string label, RunOptions opts,
               std::ostream& out)
      : rt_(runtime), source_(source), label_(std::move(label)), opts_(opts), out_(out) {}

  void run(const std::vector<Command>& commands) {
    for (const Command& c : commands) run_one(c);
    if (!opts_.verbose && failures_shown_ < report_.failed)
      out_ << "  ... " << (report_.failed - failures_shown_) << " more failures (use -v)\n";
  }

  const FileReport& report() const { return report_; }

 private:
  // What the script knows about a module it has defined or instantiated.
  struct ModuleState {
    uint32_t line = 0;
    std::optional<std::string> skip_reason;  // it needs a feature the runtime does not have
    std::optional<Module> module;            // compiled
    std::optional<ScriptRuntime::InstanceId> instance;
  };

  void pass() { ++report_.passed; }
  void skip(const std::string& reason) { report_.skip(reason); }
  void fail(const Command& c, const std::string& why) {
    ++report_.failed;
    if (opts_.verbose || failures_shown_ < opts_.max_failures_shown) {
      ++failures_shown_;
      out_ << "  " << label_ << ":" << c.line << ": " << (c.keyword.empty() ? "script" : c.keyword) << ": "
           << why << "\n";
    }
  }

  void run_one(const Command& c) {
    switch (c.kind) {
      case CommandKind::Bad: return fail(c, "cannot read command: " + c.text);
      case CommandKind::Module: return run_module(c);
      case CommandKind::ModuleInstance: return run_module_instance(c);
      case CommandKind::Register: return run_register(c);
      case CommandKind::AssertMalformed: return run_assert_load_error(c, ErrorKind::Decode);
      case CommandKind::AssertInvalid: return run_assert_load_error(c, ErrorKind::Validate);
      case CommandKind::AssertUnlinkable:
      case CommandKind::AssertUninstantiable: return run_assert_instantiate_error(c);
      case CommandKind::AssertException: return run_assert_exception(c);
      case CommandKind::AssertCustom: return skip("custom annotation assertions not checked");
      case CommandKind::Thread:
        // Each command of the thread is counted, as a skip.
        for (size_t i = 0; i < c.body.size(); ++i) skip("thread commands not supported");
        return skip("thread commands not supported");
      case CommandKind::Wait: return skip("thread commands not supported");
      case CommandKind::Meta: return skip("script/input/output commands not supported");
      case CommandKind::Action:
      case CommandKind::AssertReturn:
      case CommandKind::AssertTrap:
      case CommandKind::AssertExhaustion: return run_action_command(c);
    }
  }

  // Encodes (text) and compiles a module. On failure the command is already counted (failed or
  // skipped) and the state says why.
  ModuleState load(const Command& c) {
    ModuleState state;
    state.line = c.line;
    ModuleBytes m = module_bytes(c.module, source_, rt_.features());
    if (m.missing) {
      state.skip_reason = *m.missing;
      skip(*m.missing);
      return state;
    }
    if (m.error) {
      fail(c, "module failed to load: " + m.error->to_string());
      return state;
    }
    auto compiled = rt_.compile(m.bytes);
    if (!compiled) {
      if (auto missing = ScriptRuntime::unsupported(compiled.error())) {
        state.skip_reason = *missing;
        skip(*missing);
        return state;
      }
      fail(c, "module failed to load: " + compiled.error().to_string());
      return state;
    }
    state.module = std::move(*compiled);
    return state;
  }

  // Instantiates a loaded module, counting the command.
  void instantiate(const Command& c, ModuleState& state) {
    auto instance = rt_.instantiate(*state.module);
    if (!instance) {
      if (auto reason = skipped_import(*state.module)) {
        state.skip_reason = *reason;
        return skip(*reason);
      }
      return fail(c, "module failed to instantiate: " + instance.error().to_string());
    }
    state.instance = *instance;
    pass();
  }

  void run_module(const Command& c) {
    // Recorded whatever happens, so that later commands know this module failed.
    ModuleState state = load(c);
    if (state.module) {
      if (c.module.definition) pass();
      else instantiate(c, state);
    }
    if (c.module.definition) {
      last_definition_ = state;
      if (c.module.id) definitions_[*c.module.id] = state;
      return;
    }
    current_ = state;
    if (c.module.id) {
      named_[*c.module.id] = state;
      definitions_[*c.module.id] = state;
    }
  }

  // (module instance $I? $M?): instantiates a definition (the latest one without $M).
  void run_module_instance(const Command& c) {
    const ModuleState* def = nullptr;
    if (c.of) {
      auto it = definitions_.find(*c.of);
      if (it == definitions_.end()) return fail(c, "unknown module definition " + *c.of);
      def = &it->second;
    } else if (last_definition_) {
      def = &*last_definition_;
    } else {
      return fail(c, "no module definition before this command");
    }
    ModuleState state;
    state.line = c.line;
    state.skip_reason = def->skip_reason;
    state.module = def->module;
    if (state.skip_reason) skip(*state.skip_reason);
    else if (!state.module) fail(c, "module definition from line " + std::to_string(def->line) + " did not load");
    else instantiate(c, state);
    current_ = state;
    if (c.name) named_[*c.name] = state;
  }

  // assert_malformed / assert_invalid: loading must fail, with the right kind of error.
  void run_assert_load_error(const Command& c, ErrorKind want) {
    const std::string expected = "expected " + std::string(error_kind_name(want)) + " \"" + c.text + "\"";
    ModuleBytes m = module_bytes(c.module, source_, rt_.features());
    if (m.missing) return skip(*m.missing);
    std::optional<Error> error = m.error;
    if (!error) {
      auto compiled = rt_.compile(m.bytes);
      if (compiled) return fail(c, expected + ", but the module loaded");
      error = compiled.error();
    }
    if (auto missing = ScriptRuntime::unsupported(*error)) return skip(*missing);
    if (error->kind() != want) return fail(c, expected + ", got " + error->to_string());
    if (opts_.verbose && !message_matches(c.text, error->message()))
      out_ << "  " << label_ << ":" << c.line << ": note: " << expected << ", got \"" << error->message() << "\"\n";
    pass();
  }

  // assert_unlinkable / assert_trap of a module: the module is valid, instantiating it fails.
  void run_assert_instantiate_error(const Command& c) {
    ModuleState state;
    {
      // load() counts a failure or a skip; here that is the command's only count.
      state = load(c);
      if (!state.module) return;
    }
    const bool unlinkable = c.kind == CommandKind::AssertUnlinkable;
    auto instance = rt_.instantiate(*state.module);
    const std::string expected = std::string("expected ") + (unlinkable ? "link error" : "instantiation error") +
                                 " \"" + c.text + "\"";
    if (instance) return fail(c, expected + ", but the module instantiated");
    if (auto reason = skipped_import(*state.module)) return skip(*reason);
    const ErrorKind kind = instance.error().kind();
    const bool right_kind =
        unlinkable ? kind == ErrorKind::Link : (kind == ErrorKind::Instantiate || kind == ErrorKind::Trap);
    if (!right_kind || !message_matches(c.text, instance.error().message()))
      return fail(c, expected + ", got " + instance.error().to_string());
    pass();
  }

  // The module an action or register refers to, or nothing (after counting the command).
  const ModuleState* find_instance(const Command& c, const std::optional<std::string>& name) {
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
    if (!m->instance) {
      fail(c, "module from line " + std::to_string(m->line) + " did not load");
      return nullptr;
    }
    return m;
  }

  void run_register(const Command& c) {
    const ModuleState* named = nullptr;
    if (!c.name) named = current_ ? &*current_ : nullptr;
    else if (auto it = named_.find(*c.name); it != named_.end()) named = &it->second;
    if (named && named->skip_reason) skipped_names_[c.as] = *named->skip_reason;
    const ModuleState* m = find_instance(c, c.name);
    if (!m) return;
    auto r = rt_.register_instance(*m->instance, c.as);
    if (!r) return fail(c, "register failed: " + r.error().to_string());
    pass();
  }

  // Runs the action of `c`; nothing when the command was counted already (skipped or failed).
  std::optional<Result<std::vector<Value>>> perform(const Command& c) {
    const Action& a = c.action;
    const ModuleState* m = find_instance(c, a.module);
    if (!m) return std::nullopt;
    for (const Value& v : a.args) {
      if (auto why = ScriptRuntime::unsupported_argument(v)) {
        skip(*why);
        return std::nullopt;
      }
    }
    if (a.kind == Action::Kind::Invoke) return rt_.invoke(*m->instance, a.field, a.args);
    auto v = rt_.get(*m->instance, a.field);
    if (!v) return Result<std::vector<Value>>(std::move(v).error());
    return Result<std::vector<Value>>(std::vector<Value>{*v});
  }

  void run_assert_exception(const Command& c) {
    auto results = perform(c);
    if (!results) return;
    const std::string what = "\"" + c.action.field + "\"";
    if (*results) return fail(c, what + ": expected an exception, returned " + list_to_string(**results));
    if (results->error().kind() == ErrorKind::Exception) return pass();
    fail(c, what + ": expected an exception, got " + results->error().to_string());
  }

  void run_action_command(const Command& c) {
    auto performed = perform(c);
    if (!performed) return;
    Result<std::vector<Value>>& results = *performed;
    const std::string what = "\"" + c.action.field + "\"";
    switch (c.kind) {
      case CommandKind::Action:
        if (!results) return fail(c, what + " failed: " + results.error().to_string());
        return pass();
      case CommandKind::AssertReturn:
        if (!results) return fail(c, what + " failed: " + results.error().to_string());
        if (!results_match(c.expected, *results))
          return fail(c, what + " returned " + list_to_string(*results) + ", expected " + list_to_string(c.expected));
        return pass();
      case CommandKind::AssertTrap:
      case CommandKind::AssertExhaustion: {
        const std::string expected = "expected trap \"" + c.text + "\"";
        if (results) return fail(c, what + ": " + expected + ", returned " + list_to_string(*results));
        const Error& e = results.error();
        const bool exhausted_ok =
            c.kind != CommandKind::AssertExhaustion || e.trap_code() == TrapCode::StackOverflow;
        if (e.kind() != ErrorKind::Trap || !exhausted_ok || !message_matches(c.text, e.message()))
          return fail(c, what + ": " + expected + ", got " + e.to_string());
        return pass();
      }
      default: return fail(c, "not an action command");
    }
  }

  ScriptRuntime& rt_;
  std::string_view source_;
  std::string label_;
  RunOptions opts_;
  std::ostream& out_;
  FileReport report_;
  size_t failures_shown_ = 0;
  std::optional<ModuleState> current_;
  std::optional<ModuleState> last_definition_;
  // A module that imports from a name whose registration was skipped cannot link: it is skipped
  // for the same reason (its link error would say nothing about the runtime).
  std::optional<std::string> skipped_import(const Module& module) const {
    for (const ImportType& import : module.imports()) {
      auto it = skipped_names_.find(std::string(import.module));
      if (it != skipped_names_.end()) return it->second;
    }
    return std::nullopt;
  }

  std::map<std::string, std::string> skipped_names_;  // registered names of skipped modules: why
  std::map<std::string, ModuleState> named_;        // instances by $name
  std::map<std::string, ModuleState> definitions_;  // modules by $name (definitions and instances)
};

}  // namespace wasm::wast
