#pragma once
// Reads a .wast script into Commands, with the text format's own lexer and number syntax
// (detail/text). Modules in text are not parsed here: a command keeps where the module's fields
// start, and the runner encodes them when it runs the command (module_source.hpp), so that a
// module the encoder refuses costs one command, not the whole script.
//
// A command that cannot be read becomes CommandKind::Bad (its text says why, with line and
// column) and reading goes on after its closing parenthesis. A lexical error (an unclosed string
// or comment) ends the script: what follows cannot be split into commands reliably.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/detail/text/lexer.hpp"
#include "wasm/detail/text/numbers.hpp"
#include "wasm/wast/script.hpp"
#include "wasm/wast/values.hpp"

namespace wasm::wast {

class ScriptParser {
 public:
  explicit ScriptParser(std::string_view source) : lex_(source) {}

  std::vector<Command> parse() {
    std::vector<Command> out;
    bool fields = false;
    try {
      advance();
      fields = starts_with_module_field();
    } catch (const ScriptError& e) {  // an annotation that cannot be skipped, at the start
      out.push_back(bad(tok_.line, e.what()));
      return out;
    }
    if (fields) {
      // A script of module fields only is one module (the spec's "inline module").
      Command c;
      c.kind = CommandKind::Module;
      c.keyword = "module";
      c.line = tok_.line;
      c.module.line = tok_.line;
      c.module.fields = tok_pos_;
      c.module.to_end = true;
      out.push_back(std::move(c));
      return out;
    }
    while (tok_.kind != Tok::Eof) {
      if (tok_.kind == Tok::Error) {
        out.push_back(bad(tok_.line, where(tok_) + lex_.error()));
        break;
      }
      const uint32_t start_line = tok_.line;
      const detail::text::LexPos start_pos = tok_pos_;
      try {
        out.push_back(command());
      } catch (const ScriptError& e) {
        out.push_back(bad(start_line, e.what()));
        if (!recover(start_pos)) break;  // a lexical error: the rest cannot be split
      }
    }
    return out;
  }

 private:
  using Tok = detail::text::Tok;
  using Token = detail::text::Token;

  static Command bad(uint32_t line, std::string why) {
    Command c;
    c.kind = CommandKind::Bad;
    c.line = line;
    c.text = std::move(why);
    return c;
  }

  static std::string where(const Token& t) {
    return std::to_string(t.line) + ":" + std::to_string(t.col) + ": ";
  }

  [[noreturn]] void fail(const std::string& what) const {
    if (tok_.kind == Tok::Error) throw ScriptError(where(tok_) + lex_.error());
    std::string got = tok_.kind == Tok::Eof ? "end of file" : "'" + std::string(tok_.text) + "'";
    throw ScriptError(where(tok_) + "expected " + what + ", got " + got);
  }

  // Whether the script opens with a module field ("(func", "(memory", ...) instead of a command.
  bool starts_with_module_field() {
    if (tok_.kind != Tok::LParen) return false;
    const detail::text::LexPos save = tok_pos_;
    advance();
    const bool field = tok_.kind == Tok::Keyword && is_module_field(tok_.text);
    lex_.set_pos(save);
    advance();
    return field;
  }

  static bool is_module_field(std::string_view k) {
    for (std::string_view f : {"type", "rec", "import", "func", "table", "memory", "global", "export", "start",
                               "elem", "data", "tag"})
      if (k == f) return true;
    return false;
  }

  // The next token, skipping annotations (`(@name ...)` may stand anywhere in a script, as in
  // a module; the module encoder reads the ones inside modules itself).
  void advance() {
    while (true) {
      tok_pos_ = lex_.pos();
      tok_ = lex_.next();
      if (tok_.kind != Tok::Annot) return;
      if (tok_.text.empty()) throw ScriptError(where(tok_) + "empty annotation id");
      const Token open = tok_;
      for (size_t depth = 1; depth > 0;) {
        tok_ = lex_.next();
        if (tok_.kind == Tok::Error) fail("a token");
        if (tok_.kind == Tok::Eof) throw ScriptError(where(open) + "unclosed annotation");
        if (tok_.kind == Tok::LParen || tok_.kind == Tok::Annot) ++depth;
        else if (tok_.kind == Tok::RParen) --depth;
      }
    }
  }

  bool is_keyword(std::string_view k) const { return tok_.kind == Tok::Keyword && tok_.text == k; }
  bool at(Tok k) const { return tok_.kind == k; }

  void expect(Tok k, const char* what) {
    if (tok_.kind != k) fail(what);
    advance();
  }
  void lparen() { expect(Tok::LParen, "'('"); }
  void rparen() { expect(Tok::RParen, "')'"); }

  std::string keyword() {
    if (tok_.kind != Tok::Keyword) fail("a keyword");
    std::string k(tok_.text);
    advance();
    return k;
  }

  std::optional<std::string> opt_id() {
    if (tok_.kind != Tok::Id) return std::nullopt;
    std::string id(tok_.text);
    advance();
    return id;
  }

  std::string string() {
    if (tok_.kind != Tok::String) fail("a string");
    std::string s = detail::text::decode_string(tok_.text);
    advance();
    return s;
  }

  std::string number_text(const char* what) {
    if (tok_.kind != Tok::Number) fail(what);
    std::string s(tok_.text);
    advance();
    return s;
  }

  // Skips the rest of a form whose '(' was consumed, through its ')'.
  void skip_to_close() {
    size_t depth = 1;
    while (depth > 0) {
      switch (tok_.kind) {
        case Tok::LParen: ++depth; break;
        case Tok::RParen: --depth; break;
        case Tok::Eof: fail("')'");
        case Tok::Error: fail("a token");
        default: break;
      }
      advance();
    }
  }

  // After a command that could not be read: back to its start and past its closing ')'.
  // False where the text cannot be split further (a lexical error, also inside an annotation).
  bool recover(detail::text::LexPos start_pos) {
    lex_.set_pos(start_pos);
    try {
      advance();
      if (tok_.kind != Tok::LParen) {
        // Not a form at all: skip the one token (a stray ')' or atom).
        if (tok_.kind == Tok::Error || tok_.kind == Tok::Eof) return false;
        advance();
        return true;
      }
      advance();
      skip_to_close();
    } catch (const ScriptError&) {
      return false;
    }
    return true;
  }

  Command command() {
    Command c;
    c.line = tok_.line;
    lparen();
    c.keyword = keyword();
    const std::string& k = c.keyword;
    if (k == "module") {
      module_after_keyword(c);
      if (c.kind == CommandKind::ModuleInstance) return c;
      c.kind = CommandKind::Module;
      return c;
    }
    if (k == "register") {
      c.kind = CommandKind::Register;
      c.as = string();
      c.name = opt_id();
      rparen();
      return c;
    }
    if (k == "invoke" || k == "get") {
      c.kind = CommandKind::Action;
      c.action = action_after_keyword(k);
      return c;
    }
    if (k == "assert_return") {
      c.kind = CommandKind::AssertReturn;
      c.action = action();
      while (!at(Tok::RParen)) c.expected.push_back(result());
      rparen();
      return c;
    }
    if (k == "assert_trap") {
      lparen();
      const std::string inner = keyword();
      if (inner == "module") {
        c.kind = CommandKind::AssertUninstantiable;
        module_after_keyword(c);
        if (c.kind == CommandKind::ModuleInstance) fail("a module");
        c.kind = CommandKind::AssertUninstantiable;
      } else {
        c.kind = CommandKind::AssertTrap;
        c.action = action_after_keyword(inner);
      }
      c.text = string();
      rparen();
      return c;
    }
    if (k == "assert_exhaustion") {
      c.kind = CommandKind::AssertExhaustion;
      c.action = action();
      c.text = string();
      rparen();
      return c;
    }
    if (k == "assert_exception") {
      c.kind = CommandKind::AssertException;
      c.action = action();
      rparen();
      return c;
    }
    if (k == "assert_malformed" || k == "assert_invalid" || k == "assert_unlinkable" ||
        k == "assert_malformed_custom" || k == "assert_invalid_custom") {
      lparen();
      if (!is_keyword("module")) fail("'module'");
      advance();
      module_after_keyword(c);
      if (c.kind == CommandKind::ModuleInstance) fail("a module");
      c.kind = k == "assert_malformed"    ? CommandKind::AssertMalformed
               : k == "assert_invalid"    ? CommandKind::AssertInvalid
               : k == "assert_unlinkable" ? CommandKind::AssertUnlinkable
                                          : CommandKind::AssertCustom;
      c.text = string();
      rparen();
      return c;
    }
    if (k == "thread") {
      c.kind = CommandKind::Thread;
      c.name = opt_id();
      if (!c.name) fail("a thread name");
      while (at(Tok::LParen)) {
        // (shared (module $M)) comes first; everything else is a command of the thread.
        const detail::text::LexPos save = tok_pos_;
        const Token save_tok = tok_;
        advance();
        if (!is_keyword("shared")) {
          lex_.set_pos(save);
          advance();
          (void)save_tok;
          break;
        }
        advance();
        lparen();
        if (!is_keyword("module")) fail("'module'");
        advance();
        auto id = opt_id();
        if (!id) fail("a module name");
        c.shared.push_back(*id);
        rparen();
        rparen();
      }
      while (at(Tok::LParen)) {
        Command inner = command();
        if (inner.kind == CommandKind::Thread) fail("a command (threads do not nest)");
        c.body.push_back(std::move(inner));
      }
      rparen();
      return c;
    }
    if (k == "wait") {
      c.kind = CommandKind::Wait;
      c.name = opt_id();
      if (!c.name) fail("a thread name");
      rparen();
      return c;
    }
    if (k == "script" || k == "input" || k == "output") {
      c.kind = CommandKind::Meta;
      skip_to_close();
      return c;
    }
    throw ScriptError(where(tok_) + "unknown command '" + k + "'");
  }

  // After "(module": the rest of a module form, through its ')'. Sets c.kind to
  // ModuleInstance for (module instance ...).
  void module_after_keyword(Command& c) {
    ScriptModule& m = c.module;
    m.line = c.line;
    if (is_keyword("instance")) {
      advance();
      c.kind = CommandKind::ModuleInstance;
      c.name = opt_id();
      c.of = opt_id();
      rparen();
      return;
    }
    if (is_keyword("definition")) {
      m.definition = true;
      advance();
    }
    m.id = opt_id();
    if (is_keyword("binary") || is_keyword("quote")) {
      m.format = is_keyword("binary") ? ModuleFormat::Binary : ModuleFormat::Quote;
      advance();
      while (at(Tok::String)) detail::text::decode_string(tok_.text, m.bytes), advance();
      rparen();
      return;
    }
    m.format = ModuleFormat::Text;
    m.fields = tok_pos_;
    skip_to_close();
  }

  Action action() {
    lparen();
    return action_after_keyword(keyword());
  }

  Action action_after_keyword(const std::string& k) {
    Action a;
    if (k == "invoke") a.kind = Action::Kind::Invoke;
    else if (k == "get") a.kind = Action::Kind::Get;
    else throw ScriptError(where(tok_) + "expected an action (invoke or get), got '" + k + "'");
    a.module = opt_id();
    a.field = string();
    if (a.kind == Action::Kind::Invoke)
      while (at(Tok::LParen)) a.args.push_back(argument());
    rparen();
    return a;
  }

  // --- values ---------------------------------------------------------------------------

  uint64_t int_lit(unsigned bits) {
    const Token t = tok_;
    const std::string s = number_text("an integer");
    uint64_t v = 0;
    bool range = false;
    if (!detail::text::parse_int(s, bits, &v, &range)) throw ScriptError(where(t) + "malformed integer '" + s + "'");
    if (range) throw ScriptError(where(t) + "constant out of range: '" + s + "'");
    return v;
  }

  uint64_t float_lit(unsigned bits) {
    const Token t = tok_;
    const std::string s = number_text("a float");
    uint64_t v = 0;
    bool range = false;
    if (!detail::text::parse_float(s, bits, &v, &range)) throw ScriptError(where(t) + "malformed float '" + s + "'");
    if (range) throw ScriptError(where(t) + "constant out of range: '" + s + "'");
    return v;
  }

  // nan:canonical / nan:arithmetic at the current token, or None.
  NanClass nan_class() const {
    if (tok_.kind != Tok::Number) return NanClass::None;
    std::string_view s = tok_.text;
    if (s == "nan:canonical") return NanClass::Canonical;
    if (s == "nan:arithmetic") return NanClass::Arithmetic;
    return NanClass::None;
  }

  LaneType shape() {
    const Token t = tok_;
    const std::string s = keyword();
    if (s == "i8x16") return LaneType::I8;
    if (s == "i16x8") return LaneType::I16;
    if (s == "i32x4") return LaneType::I32;
    if (s == "i64x2") return LaneType::I64;
    if (s == "f32x4") return LaneType::F32;
    if (s == "f64x2") return LaneType::F64;
    throw ScriptError(where(t) + "unknown v128 shape '" + s + "'");
  }

  uint64_t lane(LaneType lt) {
    return is_float_lane(lt) ? float_lit(lane_bytes(lt) * 8) : int_lit(lane_bytes(lt) * 8);
  }

  // The hierarchy of a heap type of ref.null, as the value type that carries it.
  ValueType heap_type() {
    const Token t = tok_;
    if (at(Tok::Id) || at(Tok::Number)) {  // a defined type: only GC modules have those
      advance();
      return ValueType::AnyRef;
    }
    const std::string h = keyword();
    if (h == "func" || h == "nofunc") return ValueType::FuncRef;
    if (h == "extern" || h == "noextern") return ValueType::ExternRef;
    if (h == "exn" || h == "noexn") return ValueType::ExnRef;
    if (h == "any" || h == "eq" || h == "i31" || h == "struct" || h == "array" || h == "none")
      return ValueType::AnyRef;
    throw ScriptError(where(t) + "unknown heap type '" + h + "'");
  }

  // A constant argument: (i32.const N) ... (v128.const shape N*), (ref.null ht),
  // (ref.extern N), (ref.host N).
  Value argument() {
    lparen();
    const Token t = tok_;
    const std::string k = keyword();
    Value v;
    if (k == "i32.const") v = Value::i32(uint32_t(int_lit(32)));
    else if (k == "i64.const") v = Value::i64(int_lit(64));
    else if (k == "f32.const") v = Value::f32_bits(uint32_t(float_lit(32)));
    else if (k == "f64.const") v = Value::f64_bits(float_lit(64));
    else if (k == "v128.const") {
      const LaneType lt = shape();
      V128Bytes b{};
      for (unsigned i = 0; i < lane_count(lt); ++i) set_lane(b, lt, i, lane(lt));
      v = Value::v128_bytes(b);
    } else if (k == "ref.null") v = Value::null_ref(heap_type());
    else if (k == "ref.extern") v = Value::ref(ValueType::ExternRef, int_lit(32));
    else if (k == "ref.host") v = Value::ref(ValueType::AnyRef, int_lit(32));
    else throw ScriptError(where(t) + "unknown constant '" + k + "'");
    rparen();
    return v;
  }

  // An expected result: a constant, a NaN class (also per lane), or a reference pattern.
  ExpectedValue result() {
    lparen();
    const Token t = tok_;
    const std::string k = keyword();
    ExpectedValue e;
    if (k == "i32.const") e = ExpectedValue::exact(Value::i32(uint32_t(int_lit(32))));
    else if (k == "i64.const") e = ExpectedValue::exact(Value::i64(int_lit(64)));
    else if (k == "f32.const" || k == "f64.const") {
      const bool is64 = k == "f64.const";
      const ValueType type = is64 ? ValueType::F64 : ValueType::F32;
      if (NanClass c = nan_class(); c != NanClass::None) {
        advance();
        e = ExpectedValue::nan_scalar(type, c);
      } else {
        const uint64_t bits = float_lit(is64 ? 64 : 32);
        e = ExpectedValue::exact(is64 ? Value::f64_bits(bits) : Value::f32_bits(uint32_t(bits)));
      }
    } else if (k == "v128.const") {
      const LaneType lt = shape();
      V128Bytes b{};
      std::array<NanClass, 16> nans{};
      for (unsigned i = 0; i < lane_count(lt); ++i) {
        if (NanClass c = nan_class(); c != NanClass::None && is_float_lane(lt)) {
          advance();
          nans[i] = c;
        } else {
          set_lane(b, lt, i, lane(lt));
        }
      }
      e = ExpectedValue::v128(lt, b, nans);
    } else if (k == "ref.null") {
      e = ExpectedValue::ref(Pattern::RefNull);
      if (at(Tok::RParen)) e.any_type = true;
      else e.type = heap_type();
    } else if (k == "ref.extern") {
      e = ExpectedValue::ref(Pattern::RefExtern, ValueType::ExternRef);
      if (at(Tok::RParen)) e.any_number = true;
      else e.value.bits = int_lit(32);
    } else if (k == "ref.host") {
      e = ExpectedValue::ref(Pattern::RefHost);
      e.value.bits = int_lit(32);
    } else if (k == "either") {
      e.pattern = Pattern::Either;
      while (!at(Tok::RParen)) e.either.push_back(result());
      if (e.either.empty()) fail("a result");
    } else {
      static constexpr std::pair<std::string_view, Pattern> kRefs[] = {
          {"ref.func", Pattern::RefFunc},   {"ref.struct", Pattern::RefStruct}, {"ref.array", Pattern::RefArray},
          {"ref.i31", Pattern::RefI31},     {"ref.eq", Pattern::RefEq},         {"ref.any", Pattern::RefAny},
          {"ref.exn", Pattern::RefExn}};
      bool found = false;
      for (const auto& [name, p] : kRefs) {
        if (k != name) continue;
        e = ExpectedValue::ref(p, p == Pattern::RefFunc ? ValueType::FuncRef
                                  : p == Pattern::RefExn ? ValueType::ExnRef
                                                         : ValueType::AnyRef);
        found = true;
      }
      if (!found) throw ScriptError(where(t) + "unknown result '" + k + "'");
    }
    rparen();
    return e;
  }

  detail::text::Lexer lex_;
  Token tok_;
  detail::text::LexPos tok_pos_;  // where tok_ starts (before the white space ahead of it)
};

// Reads a whole script (never throws).
inline std::vector<Command> parse_script(std::string_view source) { return ScriptParser(source).parse(); }

}  // namespace wasm::wast
