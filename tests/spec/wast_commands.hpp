#pragma once
// The commands of a spec script, read from wast2json's JSON output.
// Include this from one translation unit only (spec_runner.cpp): nlohmann-json is costly to compile.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "spec_values.hpp"

namespace wasmpp_spec {

enum class CommandKind : uint8_t {
  Module,
  Register,
  Action,
  AssertReturn,
  AssertTrap,
  AssertExhaustion,
  AssertInvalid,
  AssertMalformed,
  AssertUnlinkable,
  AssertUninstantiable,
  AssertException,
  Bad,  // could not be read; `error` says why
};

struct Action {
  enum class Kind : uint8_t { Invoke, Get } kind = Kind::Invoke;
  std::optional<std::string> module;  // a module name ("$M"); none means the latest module
  std::string field;
  std::vector<Value> args;
};

struct Command {
  CommandKind kind = CommandKind::Bad;
  std::string type;  // the JSON "type", for messages
  uint32_t line = 0;
  std::optional<std::string> name;  // module: its name; register: the module registered
  std::string filename;             // module files, relative to the JSON file
  bool text_module = false;         // "module_type": "text"
  std::string text;                 // expected failure message
  std::string as;                   // register: the name to register under
  std::optional<Action> action;
  // Accepted result lists: one normally, one per alternative for `either`.
  std::vector<std::vector<ExpectedValue>> expected;
  std::string error;  // Bad only
};

namespace detail {

inline std::vector<std::string> string_list(const nlohmann::json& j) {
  if (!j.is_array()) throw ScriptError("v128 value is not a list of lanes");
  std::vector<std::string> out;
  for (const auto& x : j) out.push_back(x.get<std::string>());
  return out;
}

inline Value json_value(const nlohmann::json& j) {
  const ValueType type = parse_value_type(j.at("type").get<std::string>());
  if (type == ValueType::V128)
    return parse_v128(parse_lane_type(j.at("lane_type").get<std::string>()), string_list(j.at("value")));
  return parse_value(type, j.at("value").get<std::string>());
}

inline ExpectedValue json_expected(const nlohmann::json& j) {
  const ValueType type = parse_value_type(j.at("type").get<std::string>());
  if (!j.contains("value")) return expected_any(type);
  if (type == ValueType::V128)
    return parse_expected_v128(parse_lane_type(j.at("lane_type").get<std::string>()),
                               string_list(j.at("value")));
  return parse_expected(type, j.at("value").get<std::string>());
}

inline Action json_action(const nlohmann::json& j) {
  Action a;
  const std::string type = j.at("type").get<std::string>();
  if (type == "invoke") a.kind = Action::Kind::Invoke;
  else if (type == "get") a.kind = Action::Kind::Get;
  else throw ScriptError("unknown action type '" + type + "'");
  if (j.contains("module")) a.module = j.at("module").get<std::string>();
  a.field = j.at("field").get<std::string>();
  if (j.contains("args"))
    for (const auto& arg : j.at("args")) a.args.push_back(json_value(arg));
  return a;
}

inline CommandKind command_kind(const std::string& type) {
  if (type == "module") return CommandKind::Module;
  if (type == "register") return CommandKind::Register;
  if (type == "action") return CommandKind::Action;
  if (type == "assert_return") return CommandKind::AssertReturn;
  if (type == "assert_trap") return CommandKind::AssertTrap;
  if (type == "assert_exhaustion") return CommandKind::AssertExhaustion;
  if (type == "assert_invalid") return CommandKind::AssertInvalid;
  if (type == "assert_malformed") return CommandKind::AssertMalformed;
  if (type == "assert_unlinkable") return CommandKind::AssertUnlinkable;
  if (type == "assert_uninstantiable") return CommandKind::AssertUninstantiable;
  if (type == "assert_exception") return CommandKind::AssertException;
  throw ScriptError("unknown command type '" + type + "'");
}

}  // namespace detail

// Never throws: a command that cannot be read comes back as CommandKind::Bad.
inline Command parse_command(const nlohmann::json& j) {
  Command c;
  try {
    c.line = j.value("line", 0u);
    c.type = j.at("type").get<std::string>();
    c.kind = detail::command_kind(c.type);
    if (j.contains("name")) c.name = j.at("name").get<std::string>();
    c.filename = j.value("filename", std::string());
    c.text_module = j.value("module_type", std::string("binary")) == "text";
    c.text = j.value("text", std::string());
    c.as = j.value("as", std::string());
    if (j.contains("action")) c.action = detail::json_action(j.at("action"));
    if (j.contains("expected")) {
      std::vector<ExpectedValue> results;
      for (const auto& e : j.at("expected")) results.push_back(detail::json_expected(e));
      c.expected.push_back(std::move(results));
    }
    if (j.contains("either"))
      for (const auto& e : j.at("either")) c.expected.push_back({detail::json_expected(e)});
  } catch (const std::exception& e) {
    c.kind = CommandKind::Bad;
    c.error = e.what();
  }
  return c;
}

// Reads the whole script. Throws nlohmann::json::exception when the document is not a script.
inline std::vector<Command> parse_script(const nlohmann::json& doc) {
  std::vector<Command> out;
  for (const auto& j : doc.at("commands")) out.push_back(parse_command(j));
  return out;
}

}  // namespace wasmpp_spec
