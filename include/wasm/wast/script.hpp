#pragma once
// The commands of a .wast script, as script_parser.hpp reads them (the script format of the
// WebAssembly reference interpreter: modules, register, actions, assertions, threads).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wasm/detail/text/lexer.hpp"
#include "wasm/wast/values.hpp"

namespace wasm::wast {

enum class ModuleFormat : uint8_t {
  Text,    // (module <field>*): encoded from the script's own text when the command runs
  Binary,  // (module binary "..."*): the bytes of the strings
  Quote,   // (module quote "..."*): the strings are the text of a module
};

struct ScriptModule {
  ModuleFormat format = ModuleFormat::Text;
  std::optional<std::string> id;  // $name
  bool definition = false;        // (module definition ...): compiled, not instantiated
  uint32_t line = 0;
  std::string bytes;                // Binary: the module; Quote: its text
  detail::text::LexPos fields;      // Text: where its fields start in the script source
  bool to_end = false;              // Text: the fields run to the end of the source, not to a ')'
};

struct Action {
  enum class Kind : uint8_t { Invoke, Get } kind = Kind::Invoke;
  std::optional<std::string> module;  // a module name ("$M"); none means the latest module
  std::string field;
  std::vector<Value> args;
};

enum class CommandKind : uint8_t {
  Module,                // (module ...)
  ModuleInstance,        // (module instance $I? $M?)
  Register,              // (register "name" $M?)
  Action,                // (invoke ...) or (get ...) on its own
  AssertReturn,
  AssertTrap,            // of an action
  AssertExhaustion,
  AssertException,
  AssertMalformed,
  AssertInvalid,
  AssertUnlinkable,
  AssertUninstantiable,  // (assert_trap (module ...) "...")
  AssertCustom,          // assert_malformed_custom / assert_invalid_custom (custom annotations)
  Thread,                // (thread $T (shared (module $M))* cmd*)
  Wait,                  // (wait $T)
  Meta,                  // (script ...), (input ...), (output ...)
  Bad,                   // could not be read; `text` says why
};

struct Command {
  CommandKind kind = CommandKind::Bad;
  std::string keyword;  // as written ("assert_return", ...), for messages
  uint32_t line = 0;
  ScriptModule module;                 // Module and the assertions on modules
  std::optional<std::string> name;     // ModuleInstance: instance; Register: module; Thread/Wait
  std::optional<std::string> of;       // ModuleInstance: the definition instantiated
  std::string as;                      // Register: the name to register under
  Action action;                       // Action and the assertions on actions
  std::vector<ExpectedValue> expected;  // AssertReturn
  std::string text;                    // the expected failure message; Bad: what is wrong
  std::vector<std::string> shared;     // Thread: modules shared with the thread
  std::vector<Command> body;           // Thread: its commands
};

}  // namespace wasm::wast
