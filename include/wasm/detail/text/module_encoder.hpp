#pragma once
// Encodes the fields of one text-format module to the binary format.
//
// Three passes over the fields: (0) collect the ids of every index space (imports first, as the
// text requires), so that any field can name any other; it skims the rest of each field by its
// parentheses alone (Parser::skip_to_close_unchecked), as the later passes lex it all; (1)
// encode the type definitions (`type`, `rec`); (2) encode every other field in text order.
// Function types written inline (`(func (param i32))`, block types, call_indirect) reuse the
// first identical plain function type or append one at the end of the type section, in text
// order, as the spec prescribes.
// The result is a whole module binary that the decoder and validator take like any other.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "wasm/detail/binary/opcodes.hpp"
#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/text/parser.hpp"
#include "wasm/detail/text/writer.hpp"

namespace wasm::detail::text {

struct EncodeOptions {
  bool names = true;  // emit the "name" custom section for ids (function and local names)
  // 3.0's grammar: limits are u64 whatever the address type (the validator bounds i32 memories
  // and tables). Off, i32 limits are u32, as before memory64 (2.0, the threads proposal).
  bool u64_limits = true;
  // Typed function references: `ref.func`'s type is (ref func), which the index form of an elem
  // segment carries, so a funcref segment keeps its expressions. Off (2.0, where both forms mean
  // the same), a funcref segment of `ref.func`s takes the index form, as wat2wasm writes it.
  bool typed_function_refs = true;
};

// Text name -> opcode, built once from opcodes.def (the first entry of a shared name wins:
// select, ref.test, ref.cast are refined by the encoder).
inline const std::unordered_map<std::string_view, Op>& text_opcodes() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, Op>();
    m->reserve(kOpCount * 2);
    for (size_t i = 0; i < kOpCount; ++i) m->emplace(kOpInfo[i].text, Op(i));
    return m;
  }();
  return *map;
}

class ModuleEncoder {
 public:
  ModuleEncoder(Parser& p, EncodeOptions opts) : p_(p), opts_(opts) {}

  // Reads fields up to (not including) the ')' closing the module or the end of input.
  std::vector<uint8_t> encode_fields(std::optional<Token> module_id) {
    module_id_ = module_id;
    LexPos start = p_.mark();
    collect();
    p_.reset(start);
    for (const Field& f : fields_)
      if (f.kind == FieldKind::Type || f.kind == FieldKind::Rec) {
        p_.reset(f.pos);
        type_field(f.kind == FieldKind::Rec);
      }
    for (const Field& f : fields_)
      if (f.kind != FieldKind::Type && f.kind != FieldKind::Rec) {
        p_.reset(f.pos);
        other_field(f.kind);
      }
    p_.reset(end_);
    return assemble();
  }

 private:
  enum class FieldKind : uint8_t {
    Type, Rec, Func, Table, Memory, Global, Tag, Import, Export, Start, Elem, Data, Custom
  };
  struct Field {
    FieldKind kind;
    LexPos pos;  // at the field's '('
  };
  // One index space: names and count.
  struct Space {
    explicit Space(const char* w) : what(w) {}
    const char* what;
    std::unordered_map<std::string, uint32_t> names;
    uint32_t count = 0;
  };
  struct TypeInfo {
    uint8_t kind = 0x60;     // 0x60 func, 0x5F struct, 0x5E array
    bool plain = false;      // final, no supertypes, alone in its rec group
    std::string sig;         // func: encoded params vec + results vec
    std::vector<std::string> param_names;
    std::unordered_map<std::string, uint32_t> field_names;
  };
  struct Local {
    std::string_view name;
  };
  struct Label {
    std::string_view name;  // empty when unnamed
  };

  // ---- Pass 0: ids ---------------------------------------------------------------------------

  void define(Space& s, const std::optional<Token>& id) {
    if (id) {
      std::string storage;
      std::string key(Parser::id_name(*id, storage));
      if (!s.names.emplace(key, s.count).second)
        Parser::fail(*id, std::string("duplicate ") + s.what);
    }
    ++s.count;
  }

  void skip_exports() {
    while (p_.at_lparen_keyword("export")) {
      p_.next();
      p_.next();
      p_.skip_to_close_unchecked();
    }
  }

  // Whether the rest of the current field has a direct child '(' kw; consumes the field.
  bool field_has_child(std::string_view kw) {
    bool found = false;
    size_t depth = 1;
    while (true) {
      Token t = p_.next();
      if (t.kind == Tok::LParen || t.kind == Tok::Annot) {
        if (depth == 1 && t.kind == Tok::LParen && p_.at_keyword(kw)) found = true;
        ++depth;
      } else if (t.kind == Tok::RParen) {
        if (--depth == 0) return found;
      } else if (t.kind == Tok::Eof) {
        p_.fail_unexpected();
      }
    }
  }

  void note_import(const char* kind) {
    if (first_def_) Parser::fail(p_.peek(), std::string("import after ") + first_def_);
    (void)kind;
  }

  void collect() {
    while (true) {
      const Token& t = p_.peek();
      if (t.kind == Tok::Annot) {
        fields_.push_back({FieldKind::Custom, p_.mark()});
        p_.next();
        p_.skip_to_close_unchecked();
        continue;
      }
      if (t.kind != Tok::LParen) break;
      LexPos pos = p_.mark();
      p_.next();
      const Token kw = p_.peek();
      if (kw.kind != Tok::Keyword) p_.fail_unexpected();
      std::string_view k = kw.text;
      p_.next();
      if (k == "type") {
        fields_.push_back({FieldKind::Type, pos});
        define(types_, p_.opt_id());
        p_.skip_to_close_unchecked();
      } else if (k == "rec") {
        fields_.push_back({FieldKind::Rec, pos});
        while (p_.eat_lparen_keyword("type")) {
          define(types_, p_.opt_id());
          p_.skip_to_close_unchecked();
        }
        p_.skip_to_close_unchecked();
      } else if (k == "func" || k == "table" || k == "memory" || k == "global" || k == "tag") {
        FieldKind fk = k == "func" ? FieldKind::Func : k == "table" ? FieldKind::Table
                     : k == "memory" ? FieldKind::Memory : k == "global" ? FieldKind::Global
                                                             : FieldKind::Tag;
        fields_.push_back({fk, pos});
        Space& s = space_of(k);
        auto id = p_.opt_id();
        skip_exports();
        bool import = p_.at_lparen_keyword("import");
        if (import) note_import(s.what);
        define(s, id);
        if (!import) {
          if (!first_def_) first_def_ = s.what;
          if (fk == FieldKind::Table && field_has_child("elem")) ++elems_.count;
          else if (fk == FieldKind::Memory && field_has_child("data")) ++datas_.count;
          else if (fk != FieldKind::Table && fk != FieldKind::Memory) p_.skip_to_close_unchecked();
        } else {
          p_.skip_to_close_unchecked();
        }
      } else if (k == "import") {
        fields_.push_back({FieldKind::Import, pos});
        p_.name();
        p_.name();
        p_.expect_lparen();
        std::string_view dk = p_.keyword();
        Space& s = space_of(dk);
        note_import(s.what);
        define(s, p_.opt_id());
        p_.skip_to_close_unchecked();
        p_.skip_to_close_unchecked();
      } else if (k == "export") {
        fields_.push_back({FieldKind::Export, pos});
        p_.skip_to_close_unchecked();
      } else if (k == "start") {
        if (has_start_) Parser::fail(kw, "multiple start sections");
        has_start_ = true;
        fields_.push_back({FieldKind::Start, pos});
        p_.skip_to_close_unchecked();
      } else if (k == "elem") {
        fields_.push_back({FieldKind::Elem, pos});
        define(elems_, p_.opt_id());
        p_.skip_to_close_unchecked();
      } else if (k == "data") {
        fields_.push_back({FieldKind::Data, pos});
        define(datas_, p_.opt_id());
        p_.skip_to_close_unchecked();
      } else {
        Parser::fail(kw, "unknown operator");
      }
    }
    end_ = p_.mark();
  }

  Space& space_of(std::string_view k) {
    if (k == "func") return funcs_;
    if (k == "table") return tables_;
    if (k == "memory") return mems_;
    if (k == "global") return globals_;
    if (k == "tag") return tags_;
    p_.fail_unexpected();
  }

  // ---- Index references ----------------------------------------------------------------------

  uint32_t index(Space& s) {
    const Token t = p_.peek();
    if (t.kind == Tok::Id) {
      p_.next();
      std::string storage;
      std::string key(Parser::id_name(t, storage));
      auto it = s.names.find(key);
      if (it == s.names.end()) Parser::fail(t, std::string("unknown ") + s.what + " " + std::string(t.text));
      return it->second;
    }
    if (t.kind == Tok::Number) return p_.u32();
    p_.fail_unexpected();
  }
  bool at_index() { return p_.at(Tok::Id) || p_.at_u32(); }
  uint32_t opt_index(Space& s) { return at_index() ? index(s) : 0; }

  // ---- Types ---------------------------------------------------------------------------------

  // A heap type: an abstract type's code (negative, as its s33 encoding reads) or a type index,
  // which the custom-descriptors proposal may mark exact: `(exact x)`, encoded 0x62 x:u32.
  struct HeapType {
    int64_t code = 0;
    bool exact = false;
  };

  // Heap type: abstract keyword, type index or (exact type index).
  HeapType heap_type() {
    const Token t = p_.peek();
    if (p_.eat_lparen_keyword("exact")) {
      HeapType ht{index(types_), true};
      p_.expect_rparen();
      return ht;
    }
    if (t.kind == Tok::Keyword) {
      static const std::pair<std::string_view, int64_t> kAbs[] = {
          {"func", -0x10}, {"extern", -0x11}, {"any", -0x12}, {"eq", -0x13}, {"i31", -0x14},
          {"struct", -0x15}, {"array", -0x16}, {"exn", -0x17}, {"noexn", -0x0C},
          {"none", -0x0F}, {"nofunc", -0x0D}, {"noextern", -0x0E}};
      for (auto& [name, code] : kAbs)
        if (t.text == name) {
          p_.next();
          return {code};
        }
      // `(ref exact x)`: exactness takes parentheses, `(ref (exact x))`.
      Parser::fail(t, t.text == "exact" ? "unexpected token" : "unknown operator");
    }
    return {index(types_)};
  }
  void put_heap_type(Bytes& b, HeapType ht) {
    if (ht.exact) {
      b.u8(0x62);
      b.u32(uint32_t(ht.code));
    } else {
      b.s64(ht.code);
    }
  }

  // Reference type after '(' ref: `null? heaptype )`. Returns nullability.
  bool ref_type_body(Bytes& b) {
    bool null = p_.eat_keyword("null");
    HeapType ht = heap_type();
    p_.expect_rparen();
    if (null && ht.code < 0) b.u8(uint8_t(ht.code & 0x7F));  // shorthand (ref null func) = funcref
    else {
      b.u8(null ? 0x63 : 0x64);
      put_heap_type(b, ht);
    }
    return null;
  }

  static int short_ref_type(std::string_view k) {
    static const std::pair<std::string_view, int> kShort[] = {
        {"funcref", 0x70}, {"externref", 0x6F}, {"anyref", 0x6E}, {"eqref", 0x6D},
        {"i31ref", 0x6C}, {"structref", 0x6B}, {"arrayref", 0x6A}, {"exnref", 0x69},
        {"nullexnref", 0x74}, {"nullref", 0x71}, {"nullfuncref", 0x73}, {"nullexternref", 0x72}};
    for (auto& [name, code] : kShort)
      if (k == name) return code;
    return -1;
  }

  // A reference type; returns nullability and encodes the type.
  bool ref_type(Bytes& b) {
    const Token t = p_.peek();
    if (t.kind == Tok::Keyword) {
      int code = short_ref_type(t.text);
      if (code < 0) Parser::fail(t, "unexpected token");
      p_.next();
      b.u8(uint8_t(code));
      return true;
    }
    if (!p_.eat_lparen_keyword("ref")) p_.fail_unexpected();
    return ref_type_body(b);
  }
  // Reference type as a heap type and nullability (ref.test, ref.cast, br_on_cast).
  HeapType ref_type_heap(bool& nullable) {
    const Token t = p_.peek();
    if (t.kind == Tok::Keyword) {
      int code = short_ref_type(t.text);
      if (code < 0) Parser::fail(t, "unexpected token");
      p_.next();
      nullable = true;
      return {int64_t(code) - 0x80};
    }
    if (!p_.eat_lparen_keyword("ref")) p_.fail_unexpected();
    nullable = p_.eat_keyword("null");
    HeapType ht = heap_type();
    p_.expect_rparen();
    return ht;
  }

  bool at_valtype() {
    const Token& t = p_.peek();
    if (t.kind == Tok::Keyword) {
      std::string_view k = t.text;
      return k == "i32" || k == "i64" || k == "f32" || k == "f64" || k == "v128" ||
             short_ref_type(k) >= 0;
    }
    return p_.at_lparen_keyword("ref");
  }
  void valtype(Bytes& b, bool storage = false) {
    const Token t = p_.peek();
    if (t.kind == Tok::Keyword) {
      std::string_view k = t.text;
      uint8_t code = 0;
      if (k == "i32") code = 0x7F;
      else if (k == "i64") code = 0x7E;
      else if (k == "f32") code = 0x7D;
      else if (k == "f64") code = 0x7C;
      else if (k == "v128") code = 0x7B;
      else if (storage && k == "i8") code = 0x78;
      else if (storage && k == "i16") code = 0x77;
      if (code) {
        p_.next();
        b.u8(code);
        return;
      }
      if (short_ref_type(k) >= 0) {
        ref_type(b);
        return;
      }
      Parser::fail(t, "unexpected token");
    }
    if (p_.at_lparen_keyword("ref")) {
      ref_type(b);
      return;
    }
    p_.fail_unexpected();
  }

  // (param $x? t) or (param t*) and (result t*) lists. Appends encoded types, counts them and
  // records param names (empty for unnamed) when `names` is given.
  // param_ids: whether a (param $x t) may name its parameter (not in block types and
  // call_indirect, where the spec's grammar has no binder: "unexpected token").
  void params_results(Bytes& params, uint32_t& np, Bytes& results, uint32_t& nr,
                      std::vector<std::string>* names, bool param_ids = true) {
    while (p_.eat_lparen_keyword("param")) {
      if (!param_ids && p_.at(Tok::Id)) p_.fail_unexpected();
      if (auto id = p_.opt_id()) {
        std::string storage;
        if (names) names->emplace_back(Parser::id_name(*id, storage));
        valtype(params);
        ++np;
        p_.expect_rparen();
        continue;
      }
      while (!p_.at(Tok::RParen)) {
        valtype(params);
        ++np;
        if (names) names->emplace_back();
      }
      p_.next();
    }
    while (p_.eat_lparen_keyword("result")) {
      while (!p_.at(Tok::RParen)) {
        valtype(results);
        ++nr;
      }
      p_.next();
    }
  }
  static std::string make_sig(const Bytes& params, uint32_t np, const Bytes& results, uint32_t nr) {
    Bytes s;
    s.u32(np);
    s.append(params);
    s.u32(nr);
    s.append(results);
    return std::string(s.v.begin(), s.v.end());
  }

  // The index of the plain function type with signature `sig`, appending one when none.
  uint32_t implicit_type(const std::string& sig) {
    auto it = plain_funcs_.find(sig);
    if (it != plain_funcs_.end()) return it->second;
    uint32_t idx = uint32_t(type_info_.size());
    TypeInfo info;
    info.plain = true;
    info.sig = sig;
    type_info_.push_back(std::move(info));
    type_sec_.u8(0x60);
    type_sec_.bytes(sig.data(), sig.size());
    ++type_groups_;
    plain_funcs_.emplace(sig, idx);
    return idx;
  }

  // typeuse: (type x)? (param ...)* (result ...)*. Returns the type index; fills param names.
  uint32_t type_use(std::vector<std::string>* names = nullptr, bool param_ids = true) {
    std::optional<uint32_t> explicit_idx;
    Token at = p_.peek();
    if (p_.eat_lparen_keyword("type")) {
      explicit_idx = index(types_);
      p_.expect_rparen();
    }
    Bytes params, results;
    uint32_t np = 0, nr = 0;
    bool inline_sig = p_.at_lparen_keyword("param") || p_.at_lparen_keyword("result");
    params_results(params, np, results, nr, names, param_ids);
    if (explicit_idx) {
      if (inline_sig) {
        if (*explicit_idx >= type_info_.size() ||
            type_info_[*explicit_idx].sig != make_sig(params, np, results, nr))
          Parser::fail(at, "inline function type");
      } else if (names && *explicit_idx < type_info_.size()) {
        const TypeInfo& ti = type_info_[*explicit_idx];
        // Parameters of a type used by index are unnamed; count them for local indices.
        Reader r({reinterpret_cast<const uint8_t*>(ti.sig.data()), ti.sig.size()});
        uint32_t n = r.u32();
        names->assign(n, std::string());
      }
      return *explicit_idx;
    }
    return implicit_type(make_sig(params, np, results, nr));
  }

  // A field type: (mut st) or st. Encodes st then the mutability byte.
  void field_type(Bytes& b) {
    if (p_.eat_lparen_keyword("mut")) {
      valtype(b, true);
      p_.expect_rparen();
      b.u8(1);
    } else {
      valtype(b, true);
      b.u8(0);
    }
  }

  // After '(' type: $id? (sub final? x* comptype) | comptype, then ')'.
  void sub_type(Bytes& b, TypeInfo& info, bool alone) {
    p_.opt_id();
    bool sub = false, final = true;
    std::vector<uint32_t> supers;
    if (p_.eat_lparen_keyword("sub")) {
      sub = true;
      final = p_.eat_keyword("final");
      while (at_index()) supers.push_back(index(types_));
    }
    if (sub) {
      b.u8(final ? 0x4F : 0x50);
      b.u32(supers.size());
      for (uint32_t s : supers) b.u32(s);
    }
    bool described = descriptor_clauses(b);
    p_.expect_lparen();
    const Token k = p_.peek();
    std::string_view kw = p_.keyword();
    if (kw == "func") {
      Bytes params, results;
      uint32_t np = 0, nr = 0;
      params_results(params, np, results, nr, &info.param_names);
      info.kind = 0x60;
      info.sig = make_sig(params, np, results, nr);
      b.u8(0x60);
      b.bytes(info.sig.data(), info.sig.size());
    } else if (kw == "struct") {
      info.kind = 0x5F;
      Bytes fields;
      uint32_t n = 0;
      while (p_.eat_lparen_keyword("field")) {
        if (auto id = p_.opt_id()) {
          std::string storage;
          std::string key(Parser::id_name(*id, storage));
          if (!info.field_names.emplace(key, n).second) Parser::fail(*id, "duplicate field");
          field_type(fields);
          ++n;
        } else {
          while (!p_.at(Tok::RParen)) {
            field_type(fields);
            ++n;
          }
        }
        p_.expect_rparen();
      }
      b.u8(0x5F);
      b.u32(n);
      b.append(fields);
    } else if (kw == "array") {
      info.kind = 0x5E;
      b.u8(0x5E);
      field_type(b);
    } else {
      Parser::fail(k, "unexpected token");
    }
    p_.expect_rparen();
    if (sub) p_.expect_rparen();
    p_.expect_rparen();
    info.plain = alone && (!sub || (final && supers.empty())) && info.kind == 0x60 && !described;
  }

  // Custom descriptors: `(describes x)? (descriptor y)?`, in that order, before the composite
  // type; encoded 0x4C x then 0x4D y. Returns whether there was either.
  bool descriptor_clauses(Bytes& b) {
    bool any = false;
    if (p_.eat_lparen_keyword("describes")) {
      b.u8(0x4C);
      b.u32(index(types_));
      p_.expect_rparen();
      any = true;
    }
    if (p_.eat_lparen_keyword("descriptor")) {
      b.u8(0x4D);
      b.u32(index(types_));
      p_.expect_rparen();
      any = true;
    }
    return any;
  }

  void type_field(bool rec) {
    p_.expect_lparen();
    p_.next();  // type | rec
    if (!rec) {
      TypeInfo info;
      sub_type(type_sec_, info, true);
      register_type(std::move(info));
      ++type_groups_;
      return;
    }
    Bytes group;
    uint32_t n = 0;
    while (p_.eat_lparen_keyword("type")) {
      TypeInfo info;
      sub_type(group, info, false);
      register_type(std::move(info));
      ++n;
    }
    p_.expect_rparen();
    if (n == 1) {
      // A group of one is the same as a plain definition.
      type_info_.back().plain = type_info_.back().kind == 0x60 && group.v[0] == 0x60;
      if (type_info_.back().plain) plain_funcs_.emplace(type_info_.back().sig, uint32_t(type_info_.size() - 1));
    }
    type_sec_.u8(0x4E);
    type_sec_.u32(n);
    type_sec_.append(group);
    ++type_groups_;
  }
  void register_type(TypeInfo info) {
    uint32_t idx = uint32_t(type_info_.size());
    if (info.plain) plain_funcs_.emplace(info.sig, idx);
    type_info_.push_back(std::move(info));
  }

  // ---- Other fields --------------------------------------------------------------------------

  void inline_exports(uint8_t kind, uint32_t idx) {
    while (p_.eat_lparen_keyword("export")) {
      std::string n = p_.name();
      export_sec_.name(n);
      export_sec_.u8(kind);
      export_sec_.u32(idx);
      ++export_count_;
      p_.expect_rparen();
    }
  }
  // Inline (import "m" "n"): writes the import header and returns true.
  bool inline_import() {
    if (!p_.eat_lparen_keyword("import")) return false;
    std::string m = p_.name();
    std::string n = p_.name();
    p_.expect_rparen();
    import_sec_.name(m);
    import_sec_.name(n);
    ++import_count_;
    return true;
  }

  void limits(Bytes& b, bool is64, bool allow_shared, bool memory) {
    uint64_t max_val = is64 || opts_.u64_limits ? UINT64_MAX : 0xFFFFFFFFull;  // see EncodeOptions
    uint64_t min = p_.unsigned_literal(max_val);
    std::optional<uint64_t> max;
    if (p_.at_u32()) max = p_.unsigned_literal(max_val);
    bool shared = allow_shared && p_.eat_keyword("shared");
    std::optional<uint32_t> page_log2;
    if (memory && p_.eat_lparen_keyword("pagesize")) {
      const Token t = p_.peek();
      uint64_t ps = p_.u64();
      if (ps == 0 || (ps & (ps - 1))) Parser::fail(t, "invalid custom page size");
      page_log2 = uint32_t(__builtin_ctzll(ps));
      p_.expect_rparen();
    }
    uint8_t flags = (max ? 1 : 0) | (shared ? 2 : 0) | (is64 ? 4 : 0) | (page_log2 ? 8 : 0);
    b.u8(flags);
    b.u32(min);
    if (max) b.u32(*max);
    if (page_log2) b.u32(*page_log2);
  }

  void other_field(FieldKind kind) {
    if (kind == FieldKind::Custom) return custom_field();
    p_.expect_lparen();
    p_.next();
    switch (kind) {
      case FieldKind::Func: return func_field();
      case FieldKind::Table: return table_field();
      case FieldKind::Memory: return memory_field();
      case FieldKind::Global: return global_field();
      case FieldKind::Tag: return tag_field();
      case FieldKind::Import: return import_field();
      case FieldKind::Export: return export_field();
      case FieldKind::Start: {
        start_ = index(funcs_);
        p_.expect_rparen();
        return;
      }
      case FieldKind::Elem: return elem_field();
      case FieldKind::Data: return data_field();
      default: return;
    }
  }

  void custom_field() {
    const Token open = p_.next();
    const Token t = p_.peek();
    if (t.kind != Tok::String) Parser::fail(t, "@custom annotation: missing section name");
    std::string name = p_.name();
    Custom c;
    c.name = name;
    c.place = customs_place();
    while (p_.at(Tok::String)) c.data += p_.string();
    p_.expect_rparen();
    (void)open;
    customs_.push_back(std::move(c));
  }
  // (before|after section)? -> section id the custom goes after (0 = start, 255 = end).
  int customs_place() {
    if (!p_.at(Tok::LParen)) return 255;
    p_.next();
    std::string_view where = p_.keyword();
    std::string_view sec = p_.keyword();
    p_.expect_rparen();
    static const std::pair<std::string_view, int> kSec[] = {
        {"type", 1}, {"import", 2}, {"func", 3}, {"table", 4}, {"memory", 5}, {"global", 6},
        {"export", 7}, {"start", 8}, {"elem", 9}, {"code", 10}, {"data", 11}, {"datacount", 12},
        {"tag", 13}};
    int id = -1;
    for (auto& [n, i] : kSec)
      if (sec == n) id = i;
    if (id < 0) p_.fail_here("@custom annotation: malformed section kind");
    if (where == "after") return id;
    if (where == "before") return -id;
    p_.fail_here("@custom annotation: malformed placement");
  }

  void func_field() {
    uint32_t idx = func_index_++;
    auto id = p_.opt_id();
    record_name(func_names_, idx, id);
    inline_exports(0, idx);
    if (inline_import()) {
      func_import_type();
      p_.expect_rparen();
      return;
    }
    std::vector<std::string> names;
    uint32_t type = type_use(&names);
    func_sec_.u32(type);
    ++func_count_;
    function_body(idx, names);
  }

  // The external type of a function import: a typeuse, or `(exact typeuse)` (custom
  // descriptors), whose kind byte is 0x20 instead of 0x00.
  void func_import_type() {
    bool exact = p_.eat_lparen_keyword("exact");
    import_sec_.u8(exact ? 0x20 : 0x00);
    import_sec_.u32(type_use());
    if (exact) p_.expect_rparen();
  }

  void record_name(std::vector<std::pair<uint32_t, std::string>>& out, uint32_t idx,
                   const std::optional<Token>& id) {
    if (!opts_.names || !id) return;
    std::string storage;
    out.emplace_back(idx, std::string(Parser::id_name(*id, storage)));
  }

  void table_field() {
    uint32_t idx = table_index_++;
    p_.opt_id();
    inline_exports(1, idx);
    if (inline_import()) {
      import_sec_.u8(1);
      table_type(import_sec_);
      p_.expect_rparen();
      return;
    }
    bool is64 = p_.eat_keyword("i64");
    if (!is64) p_.eat_keyword("i32");
    if (!p_.at_u32()) {
      // (table i64? reftype (elem ...)): limits from the element count, and an active segment.
      Bytes rt;
      ref_type(rt);
      p_.expect_lparen();
      p_.expect_keyword("elem");
      Bytes items;
      uint32_t n = 0;
      bool exprs = elem_items(items, n, !at_index());
      p_.expect_rparen();
      p_.expect_rparen();
      table_sec_.append(rt);
      table_sec_.u8(is64 ? 5 : 1);
      table_sec_.u32(n);
      table_sec_.u32(n);
      ++table_count_;
      Bytes offset;
      offset.u8(is64 ? 0x42 : 0x41);
      offset.u8(0);
      offset.u8(0x0B);
      write_elem_segment(idx, &offset, false, rt, exprs, items, n);
      return;
    }
    Bytes lim;
    limits(lim, is64, false, false);
    Bytes rt;
    ref_type(rt);
    if (!p_.at(Tok::RParen)) {
      table_sec_.u8(0x40);
      table_sec_.u8(0x00);
      table_sec_.append(rt);
      table_sec_.append(lim);
      const_expr(table_sec_);
    } else {
      table_sec_.append(rt);
      table_sec_.append(lim);
    }
    ++table_count_;
    p_.expect_rparen();
  }
  void table_type(Bytes& b) {
    bool is64 = p_.eat_keyword("i64");
    if (!is64) p_.eat_keyword("i32");
    Bytes lim;
    limits(lim, is64, false, false);
    ref_type(b);
    b.append(lim);
  }

  void memory_field() {
    uint32_t idx = mem_index_++;
    p_.opt_id();
    inline_exports(2, idx);
    if (inline_import()) {
      import_sec_.u8(2);
      memory_type(import_sec_);
      p_.expect_rparen();
      return;
    }
    bool is64 = p_.eat_keyword("i64");
    if (!is64) p_.eat_keyword("i32");
    std::optional<uint32_t> page_log2;
    if (p_.at_lparen_keyword("pagesize") && !p_.at_u32()) {
      p_.next();
      p_.next();
      uint64_t ps = p_.u64();
      if (ps == 0 || (ps & (ps - 1))) p_.fail_here("invalid custom page size");
      page_log2 = uint32_t(__builtin_ctzll(ps));
      p_.expect_rparen();
    }
    if (p_.eat_lparen_keyword("data")) {
      std::string bytes;
      while (p_.at(Tok::String)) bytes += p_.string();
      p_.expect_rparen();
      uint64_t page = page_log2 ? (uint64_t(1) << *page_log2) : 65536;
      uint64_t pages = (bytes.size() + page - 1) / page;
      mem_sec_.u8(uint8_t(1 | (is64 ? 4 : 0) | (page_log2 ? 8 : 0)));
      mem_sec_.u32(pages);
      mem_sec_.u32(pages);
      if (page_log2) mem_sec_.u32(*page_log2);
      ++mem_count_;
      Bytes offset;
      offset.u8(is64 ? 0x42 : 0x41);
      offset.u8(0);
      offset.u8(0x0B);
      write_data_segment(idx, &offset, bytes);
      p_.expect_rparen();
      return;
    }
    limits(mem_sec_, is64, true, true);
    ++mem_count_;
    p_.expect_rparen();
  }
  void memory_type(Bytes& b) {
    bool is64 = p_.eat_keyword("i64");
    if (!is64) p_.eat_keyword("i32");
    limits(b, is64, true, true);
  }

  void global_type(Bytes& b) {
    if (p_.eat_lparen_keyword("mut")) {
      valtype(b);
      p_.expect_rparen();
      b.u8(1);
    } else {
      valtype(b);
      b.u8(0);
    }
  }

  void global_field() {
    uint32_t idx = global_index_++;
    auto id = p_.opt_id();
    record_name(global_names_, idx, id);
    inline_exports(3, idx);
    if (inline_import()) {
      import_sec_.u8(3);
      global_type(import_sec_);
      p_.expect_rparen();
      return;
    }
    global_type(global_sec_);
    const_expr(global_sec_);
    ++global_count_;
    p_.expect_rparen();
  }

  void tag_field() {
    uint32_t idx = tag_index_++;
    p_.opt_id();
    inline_exports(4, idx);
    if (inline_import()) {
      import_sec_.u8(4);
      import_sec_.u8(0);
      import_sec_.u32(type_use());
      p_.expect_rparen();
      return;
    }
    tag_sec_.u8(0);
    tag_sec_.u32(type_use());
    ++tag_count_;
    p_.expect_rparen();
  }

  void import_field() {
    std::string m = p_.name();
    std::string n = p_.name();
    import_sec_.name(m);
    import_sec_.name(n);
    ++import_count_;
    p_.expect_lparen();
    std::string_view k = p_.keyword();
    auto id = p_.opt_id();
    if (k == "func") {
      record_name(func_names_, func_index_, id);
      ++func_index_;
      func_import_type();
    } else if (k == "table") {
      ++table_index_;
      import_sec_.u8(1);
      table_type(import_sec_);
    } else if (k == "memory") {
      ++mem_index_;
      import_sec_.u8(2);
      memory_type(import_sec_);
    } else if (k == "global") {
      record_name(global_names_, global_index_, id);
      ++global_index_;
      import_sec_.u8(3);
      global_type(import_sec_);
    } else {
      ++tag_index_;
      import_sec_.u8(4);
      import_sec_.u8(0);
      import_sec_.u32(type_use());
    }
    p_.expect_rparen();
    p_.expect_rparen();
  }

  void export_field() {
    std::string n = p_.name();
    p_.expect_lparen();
    std::string_view k = p_.keyword();
    uint8_t kind = k == "func" ? 0 : k == "table" ? 1 : k == "memory" ? 2 : k == "global" ? 3
                 : k == "tag" ? 4 : 0xFF;
    if (kind == 0xFF) p_.fail_unexpected();
    uint32_t idx = index(space_of(k));
    p_.expect_rparen();
    p_.expect_rparen();
    export_sec_.name(n);
    export_sec_.u8(kind);
    export_sec_.u32(idx);
    ++export_count_;
  }

  // Element list items: `func? funcidx*` (exprs=false) or `(item expr)`/`(instr)` exprs.
  // Returns whether the items are expressions; `items` holds indices or expressions.
  bool elem_items(Bytes& items, uint32_t& n, bool exprs) {
    if (!exprs) {
      while (at_index()) {
        items.u32(index(funcs_));
        ++n;
      }
      return false;
    }
    while (p_.at(Tok::LParen)) {
      if (p_.eat_lparen_keyword("item")) {
        instr_seq_const(items);
        p_.expect_rparen();
      } else {
        folded_const(items);
      }
      items.u8(0x0B);
      ++n;
    }
    return true;
  }

  void elem_field() {
    uint32_t idx = elem_index_++;
    p_.opt_id();
    bool declare = p_.eat_keyword("declare");
    std::optional<uint32_t> table;
    Bytes offset;
    bool active = false;
    if (!declare) {
      if (p_.eat_lparen_keyword("table")) {
        table = index(tables_);
        p_.expect_rparen();
      } else if (at_index()) {
        table = index(tables_);  // legacy: (elem 0 (offset) ...)
      }
      if (p_.eat_lparen_keyword("offset")) {
        instr_seq_const(offset);
        p_.expect_rparen();
        active = true;
      } else if (p_.at(Tok::LParen) && !p_.at_lparen_keyword("item") &&
                 !p_.at_lparen_keyword("ref")) {
        folded_const(offset);
        active = true;
      }
      offset.u8(0x0B);
    }
    (void)idx;
    Bytes rt;
    Bytes items;
    uint32_t n = 0;
    bool exprs;
    if (p_.eat_keyword("func")) {
      rt.u8(0x70);
      exprs = elem_items(items, n, false);
    } else if (at_valtype() && !p_.at(Tok::Number)) {
      ref_type(rt);
      exprs = elem_items(items, n, true);
    } else {
      // Legacy abbreviation: (elem (offset) funcidx*).
      rt.u8(0x70);
      exprs = elem_items(items, n, false);
    }
    p_.expect_rparen();
    write_elem_segment(table.value_or(0), active ? &offset : nullptr, declare, rt, exprs, items,
                       n, table.has_value());
  }

  void write_elem_segment(uint32_t table, const Bytes* offset, bool declare, const Bytes& rt,
                          bool exprs, const Bytes& items, uint32_t n, bool explicit_table = false) {
    bool funcref = rt.v.size() == 1 && rt.v[0] == 0x70;
    // (ref func) items that are all `ref.func x` use the index form, as the reference
    // interpreter writes them: that form's type is (ref func) in 3.0, so a funcref segment
    // keeps its expressions (it must not fit a table of (ref func)).
    bool ref_func = rt.v.size() == 2 && rt.v[0] == 0x64 && rt.v[1] == 0x70;
    bool index_form = ref_func || (funcref && !opts_.typed_function_refs);
    Bytes indices;
    if (exprs && index_form && only_ref_funcs(items, indices)) return write_elem_segment(
        table, offset, declare, Bytes{{0x70}}, false, indices, n, explicit_table);
    // Function indices for a table of a typed reference ((table (ref null $t) (elem $f))):
    // only expressions carry that type.
    if (!exprs && !funcref && !ref_func) return write_elem_segment(
        table, offset, declare, rt, true, indices_to_exprs(items), n, explicit_table);
    uint8_t flags = exprs ? 4 : 0;
    if (!offset) flags |= declare ? 3 : 1;
    else if (table != 0 || !funcref) flags |= 2;
    (void)explicit_table;
    elem_sec_.u32(flags);
    if (offset && (flags & 2)) elem_sec_.u32(table);
    if (offset) elem_sec_.append(*offset);
    if (flags & 3) {
      if (exprs) elem_sec_.append(rt);
      else elem_sec_.u8(0x00);
    }
    elem_sec_.u32(n);
    elem_sec_.append(items);
    ++elem_count_;
  }

  static Bytes indices_to_exprs(const Bytes& indices) {
    Bytes exprs;
    for (size_t i = 0; i < indices.v.size();) {
      exprs.u8(0xD2);
      do exprs.u8(indices.v[i]);
      while (indices.v[i++] & 0x80 && i < indices.v.size());
      exprs.u8(0x0B);
    }
    return exprs;
  }

  static bool only_ref_funcs(const Bytes& items, Bytes& indices) {
    size_t i = 0;
    while (i < items.v.size()) {
      if (items.v[i++] != 0xD2) return false;
      size_t start = i;
      while (i < items.v.size() && (items.v[i] & 0x80)) ++i;
      if (++i >= items.v.size() || items.v[i] != 0x0B) return false;
      indices.bytes(items.v.data() + start, i - start);
      ++i;
    }
    return true;
  }

  void data_field() {
    p_.opt_id();
    std::optional<uint32_t> mem;
    Bytes offset;
    bool active = false;
    if (p_.eat_lparen_keyword("memory")) {
      mem = index(mems_);
      p_.expect_rparen();
    } else if (at_index()) {
      mem = index(mems_);  // legacy: (data 0 (offset) ...)
    }
    if (p_.eat_lparen_keyword("offset")) {
      instr_seq_const(offset);
      p_.expect_rparen();
      active = true;
    } else if (p_.at(Tok::LParen)) {
      folded_const(offset);
      active = true;
    }
    offset.u8(0x0B);
    std::string bytes;
    while (p_.at(Tok::String)) bytes += p_.string();
    p_.expect_rparen();
    write_data_segment(mem.value_or(0), active ? &offset : nullptr, bytes);
  }
  void write_data_segment(uint32_t mem, const Bytes* offset, const std::string& bytes) {
    if (!offset) data_sec_.u8(1);
    else if (mem == 0) data_sec_.u8(0);
    else {
      data_sec_.u8(2);
      data_sec_.u32(mem);
    }
    if (offset) data_sec_.append(*offset);
    data_sec_.name(bytes);
    ++data_count_;
  }

  // ---- Function bodies and instructions ------------------------------------------------------

  void function_body(uint32_t func_idx, const std::vector<std::string>& param_names) {
    locals_.clear();
    local_storage_.clear();
    for (const std::string& n : param_names) {
      local_storage_.push_back(n);
      locals_.push_back({local_storage_.back()});
    }
    Bytes decls;
    uint32_t runs = 0;
    Bytes last;
    uint32_t run = 0;
    auto flush = [&] {
      if (run) {
        decls.u32(run);
        decls.append(last);
        ++runs;
      }
    };
    while (p_.eat_lparen_keyword("local")) {
      auto add = [&](std::string_view name) {
        Bytes t;
        valtype(t);
        if (run && t.v == last.v) {
          ++run;
        } else {
          flush();
          last = std::move(t);
          run = 1;
        }
        local_storage_.emplace_back(name);
        locals_.push_back({local_storage_.back()});
      };
      if (auto id = p_.opt_id()) {
        std::string storage;
        add(Parser::id_name(*id, storage));
      } else {
        while (!p_.at(Tok::RParen)) add({});
      }
      p_.expect_rparen();
    }
    flush();
    check_duplicate_locals();
    body_.clear();
    body_.u32(runs);
    body_.append(decls);
    labels_.clear();
    instr_seq(body_);
    body_.u8(0x0B);
    p_.expect_rparen();
    code_sec_.sized(body_);
    if (opts_.names) {
      std::vector<std::pair<uint32_t, std::string>> names;
      for (uint32_t i = 0; i < locals_.size(); ++i)
        if (!locals_[i].name.empty()) names.emplace_back(i, std::string(locals_[i].name));
      if (!names.empty()) local_names_.emplace_back(func_idx, std::move(names));
    }
  }
  void check_duplicate_locals() {
    for (size_t i = 0; i < locals_.size(); ++i)
      for (size_t j = 0; j < i && !locals_[i].name.empty(); ++j)
        if (locals_[j].name == locals_[i].name) p_.fail_here("duplicate local");
  }

  uint32_t local_index() {
    const Token t = p_.peek();
    if (t.kind == Tok::Id) {
      p_.next();
      std::string storage;
      std::string_view name = Parser::id_name(t, storage);
      for (size_t i = 0; i < locals_.size(); ++i)
        if (locals_[i].name == name) return uint32_t(i);
      Parser::fail(t, "unknown local " + std::string(t.text));
    }
    return p_.u32();
  }
  uint32_t label_index() {
    const Token t = p_.peek();
    if (t.kind == Tok::Id) {
      p_.next();
      std::string storage;
      std::string_view name = Parser::id_name(t, storage);
      for (size_t i = labels_.size(); i-- > 0;)
        if (labels_[i].name == name) return uint32_t(labels_.size() - 1 - i);
      Parser::fail(t, "unknown label");
    }
    return p_.u32();
  }
  std::string_view opt_label() {
    if (auto id = p_.opt_id()) {
      std::string storage;
      std::string_view name = Parser::id_name(*id, storage);
      if (storage.empty()) return name;
      label_storage_.push_back(std::move(storage));
      return label_storage_.back();
    }
    return {};
  }
  void end_label(std::string_view label) {
    if (auto id = p_.opt_id()) {
      std::string storage;
      if (Parser::id_name(*id, storage) != label) Parser::fail(*id, "mismatching label");
    }
  }

  // Block type: (type x)? (param)* (result)*; a single result or none encodes as a value type.
  void block_type(Bytes& b) {
    bool has_type = p_.at_lparen_keyword("type");
    bool has_param = p_.at_lparen_keyword("param");
    if (!has_type && !has_param) {
      Bytes results;
      uint32_t nr = 0;
      LexPos m = p_.mark();
      while (p_.eat_lparen_keyword("result")) {
        while (!p_.at(Tok::RParen)) {
          valtype(results);
          ++nr;
        }
        p_.next();
      }
      if (nr == 0) return b.u8(0x40);
      if (nr == 1) return b.append(results);
      p_.reset(m);
    }
    uint32_t idx = type_use(nullptr, false);
    // A type without parameters and with at most one result takes the short form, as
    // wat2wasm writes it.
    if (idx < type_info_.size() && type_info_[idx].kind == 0x60) {
      const std::string& sig = type_info_[idx].sig;
      if (sig.size() >= 2 && sig[0] == 0 && sig[1] == 0) return b.u8(0x40);
      if (sig.size() >= 2 && sig[0] == 0 && sig[1] == 1)
        return b.bytes(sig.data() + 2, sig.size() - 2);
    }
    b.s64(idx);
  }

  bool at_block_end() {
    const Token& t = p_.peek();
    if (t.kind == Tok::RParen || t.kind == Tok::Eof) return true;
    if (t.kind != Tok::Keyword) return false;
    std::string_view k = t.text;
    return k == "end" || k == "else" || k == "catch" || k == "catch_all" || k == "delegate";
  }

  // Instructions until a block end, ')' or end of input.
  void instr_seq(Bytes& b) {
    while (!at_block_end()) {
      if (p_.at(Tok::LParen)) folded(b);
      else plain(b);
    }
  }
  void instr_seq_const(Bytes& b) {
    labels_.clear();
    locals_.clear();
    instr_seq(b);
  }
  void folded_const(Bytes& b) {
    labels_.clear();
    locals_.clear();
    folded(b);
  }
  void const_expr(Bytes& b) {
    instr_seq_const(b);
    b.u8(0x0B);
  }

  Op lookup(const Token& t) {
    if (t.kind != Tok::Keyword) p_.fail_unexpected();
    const auto& m = text_opcodes();
    auto it = m.find(t.text);
    if (it == m.end()) Parser::fail(t, "unknown operator");
    // Keywords that only delimit blocks are opcodes in the binary format, not instructions.
    switch (it->second) {
      case Op::Else: case Op::End: case Op::Catch: case Op::CatchAll: case Op::Delegate:
        Parser::fail(t, "unexpected token");
      default: return it->second;
    }
  }
  static void put_op(Bytes& b, Op op) {
    const OpInfo& info = op_info(op);
    if (info.prefix) {
      b.u8(info.prefix);
      b.u32(info.code);
    } else {
      b.u8(uint8_t(info.code));
    }
  }

  void folded(Bytes& b) {
    Parser::DepthGuard guard(p_);
    p_.expect_lparen();
    const Token t = p_.peek();
    if (t.kind != Tok::Keyword) p_.fail_unexpected();
    std::string_view k = t.text;
    if (k == "block" || k == "loop") {
      p_.next();
      std::string_view label = opt_label();
      b.u8(k == "block" ? 0x02 : 0x03);
      block_type(b);
      labels_.push_back({label});
      instr_seq(b);
      labels_.pop_back();
      b.u8(0x0B);
      p_.expect_rparen();
      return;
    }
    if (k == "if") {
      p_.next();
      std::string_view label = opt_label();
      Bytes bt;
      block_type(bt);
      while (!p_.at_lparen_keyword("then")) {
        if (!p_.at(Tok::LParen)) p_.fail_unexpected();
        folded(b);
      }
      b.u8(0x04);
      b.append(bt);
      labels_.push_back({label});
      p_.next();
      p_.next();
      instr_seq(b);
      p_.expect_rparen();
      if (p_.eat_lparen_keyword("else")) {
        else_branch(b);
        p_.expect_rparen();
      }
      labels_.pop_back();
      b.u8(0x0B);
      p_.expect_rparen();
      return;
    }
    if (k == "try") {
      p_.next();
      std::string_view label = opt_label();
      b.u8(0x06);
      block_type(b);
      labels_.push_back({label});
      if (!p_.eat_lparen_keyword("do")) p_.fail_unexpected();
      instr_seq(b);
      p_.expect_rparen();
      bool any_catch = false;  // delegate only right after do; catch_all only last
      while (true) {
        if (p_.eat_lparen_keyword("catch")) {
          b.u8(0x07);
          b.u32(index(tags_));
          any_catch = true;
        } else if (p_.eat_lparen_keyword("catch_all")) {
          b.u8(0x19);
          instr_seq(b);
          p_.expect_rparen();
          break;
        } else if (!any_catch && p_.eat_lparen_keyword("delegate")) {
          labels_.pop_back();
          b.u8(0x18);
          b.u32(label_index());
          p_.expect_rparen();
          p_.expect_rparen();
          return;
        } else {
          break;
        }
        instr_seq(b);
        p_.expect_rparen();
      }
      labels_.pop_back();
      b.u8(0x0B);
      p_.expect_rparen();
      return;
    }
    if (k == "try_table") {
      p_.next();
      std::string_view label = opt_label();
      b.u8(0x1F);
      block_type(b);
      catch_clauses(b);
      labels_.push_back({label});
      instr_seq(b);
      labels_.pop_back();
      b.u8(0x0B);
      p_.expect_rparen();
      return;
    }
    // (op immediates folded*): operands first, then the operator.
    p_.next();
    Op op = lookup(t);
    Bytes imm;
    op = immediates(op, imm, t);
    while (p_.at(Tok::LParen)) folded(b);
    put_op(b, op);
    b.append(imm);
    p_.expect_rparen();
  }

  // An empty else branch is left out, as wat2wasm does (the same module either way).
  void else_branch(Bytes& b) {
    size_t at = b.size();
    b.u8(0x05);
    instr_seq(b);
    if (b.size() == at + 1) b.v.pop_back();
  }

  void catch_clauses(Bytes& b) {
    Bytes clauses;
    uint32_t n = 0;
    while (true) {
      if (p_.eat_lparen_keyword("catch")) {
        clauses.u8(0);
        clauses.u32(index(tags_));
      } else if (p_.eat_lparen_keyword("catch_ref")) {
        clauses.u8(1);
        clauses.u32(index(tags_));
      } else if (p_.eat_lparen_keyword("catch_all")) {
        clauses.u8(2);
      } else if (p_.eat_lparen_keyword("catch_all_ref")) {
        clauses.u8(3);
      } else {
        break;
      }
      clauses.u32(label_index());
      p_.expect_rparen();
      ++n;
    }
    b.u32(n);
    b.append(clauses);
  }

  void plain(Bytes& b) {
    const Token t = p_.peek();
    if (t.kind != Tok::Keyword) p_.fail_unexpected();
    std::string_view k = t.text;
    if (k == "block" || k == "loop" || k == "if" || k == "try" || k == "try_table") {
      Parser::DepthGuard guard(p_);
      p_.next();
      std::string_view label = opt_label();
      b.u8(k == "block" ? 0x02 : k == "loop" ? 0x03 : k == "if" ? 0x04 : k == "try" ? 0x06 : 0x1F);
      block_type(b);
      if (k == "try_table") catch_clauses(b);
      labels_.push_back({label});
      instr_seq(b);
      if (k == "if" && p_.eat_keyword("else")) {
        end_label(label);
        else_branch(b);
      }
      if (k == "try") {
        while (true) {
          if (p_.eat_keyword("catch")) {
            end_label(label);
            b.u8(0x07);
            b.u32(index(tags_));
          } else if (p_.eat_keyword("catch_all")) {
            end_label(label);
            b.u8(0x19);
          } else {
            break;
          }
          instr_seq(b);
        }
        if (p_.eat_keyword("delegate")) {
          labels_.pop_back();
          b.u8(0x18);
          b.u32(label_index());
          return;
        }
      }
      labels_.pop_back();
      p_.expect_keyword("end");
      end_label(label);
      b.u8(0x0B);
      return;
    }
    p_.next();
    Op op = lookup(t);
    Bytes imm;
    op = immediates(op, imm, t);
    put_op(b, op);
    b.append(imm);
  }

  static uint32_t natural_align_log2(Op op) {
    uint8_t bytes = op_info(op).extra;
    uint32_t l = 0;
    while ((1u << l) < bytes) ++l;
    return l;
  }

  void memarg(Bytes& b, Op op, bool lane) {
    uint32_t mem = 0;
    if (p_.at(Tok::Id)) {
      mem = index(mems_);
    } else if (p_.at_u32()) {
      // With a lane index to follow, a number is the memory only when more follows it.
      const Token& after = p_.peek2();
      bool more = after.kind == Tok::Number ||
                  (after.kind == Tok::Keyword && (after.text.substr(0, 7) == "offset=" ||
                                                  after.text.substr(0, 6) == "align="));
      if (!lane || more) mem = index(mems_);
    }
    uint64_t offset = 0;
    uint32_t align = natural_align_log2(op);
    if (p_.at(Tok::Keyword) && p_.peek().text.substr(0, 7) == "offset=") {
      const Token t = p_.next();
      bool range = false;
      if (!parse_unsigned(t.text.substr(7), UINT64_MAX, &offset, &range)) Parser::fail(t, "unknown operator");
      if (range) Parser::fail(t, "constant out of range");
    }
    if (p_.at(Tok::Keyword) && p_.peek().text.substr(0, 6) == "align=") {
      const Token t = p_.next();
      uint64_t a = 0;
      bool range = false;
      if (!parse_unsigned(t.text.substr(6), UINT64_MAX, &a, &range) || range)
        Parser::fail(t, "unknown operator");
      if (a == 0 || (a & (a - 1))) Parser::fail(t, "alignment must be a power of two");
      align = uint32_t(__builtin_ctzll(a));
    }
    if (mem != 0) {
      b.u32(align | 0x40);
      b.u32(mem);
    } else {
      b.u32(align);
    }
    b.u32(offset);
  }

  uint8_t lane_index() {
    const Token t = p_.peek();
    uint64_t v = 0;
    bool range = false;
    if (t.kind != Tok::Number || !parse_unsigned(t.text, 255, &v, &range) || range)
      Parser::fail(t, "malformed lane index");
    p_.next();
    return uint8_t(v);
  }

  uint32_t field_index(uint32_t type) {
    const Token t = p_.peek();
    if (t.kind == Tok::Id) {
      p_.next();
      std::string storage;
      std::string key(Parser::id_name(t, storage));
      if (type < type_info_.size()) {
        auto it = type_info_[type].field_names.find(key);
        if (it != type_info_[type].field_names.end()) return it->second;
      }
      Parser::fail(t, "unknown field " + std::string(t.text));
    }
    return p_.u32();
  }

  // Encodes the immediates of `op` into `b`; returns the opcode (refined for select,
  // ref.test and ref.cast, whose binary form depends on their immediates).
  Op immediates(Op op, Bytes& b, const Token& t) {
    Imm kind = op_info(op).imm;
    if (kind == Imm::MemoryInit || kind == Imm::Data || kind == Imm::TypeData) data_refs_ = true;
    switch (kind) {
      case Imm::None: break;
      case Imm::BlockType: block_type(b); break;
      case Imm::Label: b.u32(label_index()); break;
      case Imm::BrTable: {
        std::vector<uint32_t> ls;
        while (p_.at(Tok::Id) || p_.at_u32()) ls.push_back(label_index());
        if (ls.empty()) p_.fail_unexpected();
        b.u32(ls.size() - 1);
        for (uint32_t l : ls) b.u32(l);
        break;
      }
      case Imm::Func: b.u32(index(funcs_)); break;
      case Imm::CallIndirect: {
        uint32_t table = opt_index(tables_);
        b.u32(type_use(nullptr, false));
        b.u32(table);
        break;
      }
      case Imm::Local: b.u32(local_index()); break;
      case Imm::Global: b.u32(index(globals_)); break;
      case Imm::Table: b.u32(opt_index(tables_)); break;
      case Imm::Memory: b.u32(opt_index(mems_)); break;
      case Imm::MemArg: memarg(b, op, false); break;
      case Imm::MemArgLane:
        memarg(b, op, true);
        b.u8(lane_index());
        break;
      case Imm::I32: b.s64(int32_t(p_.i32())); break;
      case Imm::I64: b.s64(int64_t(p_.i64())); break;
      case Imm::F32: b.fixed(p_.f32(), 4); break;
      case Imm::F64: b.fixed(p_.f64(), 8); break;
      case Imm::V128: {
        auto v = p_.v128();
        b.bytes(v.data(), 16);
        break;
      }
      case Imm::Shuffle:
        for (int i = 0; i < 16; ++i) {
          if (!p_.at(Tok::Number)) p_.fail_here("invalid lane length");
          b.u8(lane_index());
        }
        if (p_.at(Tok::Number)) p_.fail_here("invalid lane length");
        break;
      case Imm::Lane: b.u8(lane_index()); break;
      case Imm::SelectTypes: break;
      case Imm::RefType: put_heap_type(b, heap_type()); break;
      case Imm::MemoryInit: {
        uint32_t first = index(datas_is_next() ? datas_ : mems_);
        if (at_index()) {
          uint32_t data = index(datas_);
          b.u32(data);
          b.u32(first);
        } else {
          b.u32(first);
          b.u32(0);
        }
        break;
      }
      case Imm::Data: b.u32(index(datas_)); break;
      case Imm::Elem: b.u32(index(elems_)); break;
      case Imm::MemoryCopy: {
        uint32_t d = opt_index(mems_);
        uint32_t s = opt_index(mems_);
        b.u32(d);
        b.u32(s);
        break;
      }
      case Imm::TableInit: {
        // table.init x? y: with two indices the first is the table.
        LexPos m = p_.mark();
        p_.next();
        bool two = at_index();
        p_.reset(m);
        uint32_t table = two ? index(tables_) : 0;
        b.u32(index(elems_));
        b.u32(table);
        break;
      }
      case Imm::TableCopy: {
        uint32_t d = opt_index(tables_);
        uint32_t s = opt_index(tables_);
        b.u32(d);
        b.u32(s);
        break;
      }
      case Imm::Tag: b.u32(index(tags_)); break;
      case Imm::TryTable: break;  // handled with the blocks
      case Imm::TypeIdx: b.u32(index(types_)); break;
      case Imm::TypeField: {
        uint32_t type = index(types_);
        b.u32(type);
        b.u32(field_index(type));
        break;
      }
      case Imm::TypeCount:
        b.u32(index(types_));
        b.u32(p_.u32());
        break;
      case Imm::TypeData:
        b.u32(index(types_));
        b.u32(index(datas_));
        break;
      case Imm::TypeElem:
        b.u32(index(types_));
        b.u32(index(elems_));
        break;
      case Imm::TypeType:
        b.u32(index(types_));
        b.u32(index(types_));
        break;
      case Imm::HeapType: {
        bool nullable = false;
        HeapType ht = ref_type_heap(nullable);
        // RefTestNull / RefCastNull / RefCastDescEqNull follow their non-null forms
        if (nullable) op = Op(uint16_t(op) + 1);
        put_heap_type(b, ht);
        break;
      }
      case Imm::BrOnCast: {
        uint32_t label = label_index();
        bool n1 = false, n2 = false;
        HeapType h1 = ref_type_heap(n1);
        HeapType h2 = ref_type_heap(n2);
        b.u8(uint8_t((n1 ? 1 : 0) | (n2 ? 2 : 0)));
        b.u32(label);
        put_heap_type(b, h1);
        put_heap_type(b, h2);
        break;
      }
      case Imm::ZeroByte: b.u8(0); break;
    }
    if (op == Op::Select && p_.at_lparen_keyword("result")) {
      Bytes types;
      uint32_t n = 0;
      while (p_.eat_lparen_keyword("result")) {
        while (!p_.at(Tok::RParen)) {
          valtype(types);
          ++n;
        }
        p_.next();
      }
      b.u32(n);
      b.append(types);
      op = Op::SelectT;
    }
    (void)t;
    return op;
  }
  // memory.init: `memory.init mem? data`; the first index is the memory only when two follow.
  bool datas_is_next() {
    LexPos m = p_.mark();
    p_.next();
    bool two = at_index();
    p_.reset(m);
    return !two;
  }

  // ---- Assembly ------------------------------------------------------------------------------

  void section(Bytes& out, uint8_t id, const Bytes& body, uint32_t count) {
    place_customs(out, -int(id));
    Bytes content;
    content.u32(count);
    content.append(body);
    out.u8(id);
    out.sized(content);
    place_customs(out, int(id));
  }
  void place_customs(Bytes& out, int place) {
    for (const Custom& c : customs_)
      if (c.place == place) {
        Bytes content;
        content.name(c.name);
        content.bytes(c.data.data(), c.data.size());
        out.u8(0);
        out.sized(content);
      }
  }

  std::vector<uint8_t> assemble() {
    Bytes out;
    out.bytes("\0asm\1\0\0\0", 8);
    if (type_groups_) section(out, 1, type_sec_, type_groups_);
    if (import_count_) section(out, 2, import_sec_, import_count_);
    if (func_count_) section(out, 3, func_sec_, func_count_);
    if (table_count_) section(out, 4, table_sec_, table_count_);
    if (mem_count_) section(out, 5, mem_sec_, mem_count_);
    if (tag_count_) section(out, 13, tag_sec_, tag_count_);
    if (global_count_) section(out, 6, global_sec_, global_count_);
    if (export_count_) section(out, 7, export_sec_, export_count_);
    if (start_) {
      Bytes s;
      s.u32(*start_);
      place_customs(out, -8);
      out.u8(8);
      out.sized(s);
      place_customs(out, 8);
    }
    if (elem_count_) section(out, 9, elem_sec_, elem_count_);
    if (data_count_ && uses_data_count()) {
      Bytes s;
      s.u32(data_count_);
      out.u8(12);
      out.sized(s);
    }
    if (func_count_) section(out, 10, code_sec_, func_count_);
    if (data_count_) section(out, 11, data_sec_, data_count_);
    place_customs(out, 255);
    if (opts_.names) name_section(out);
    return std::move(out.v);
  }
  // The data count section is needed when code refers to data segments (memory.init,
  // data.drop, array.new_data, array.init_data); wat2wasm emits it in that case only.
  bool uses_data_count() const { return data_refs_; }

  void name_section(Bytes& out) {
    Bytes content;
    content.name("name");
    bool any = false;
    if (module_id_) {
      std::string storage;
      Bytes sub;
      sub.name(Parser::id_name(*module_id_, storage));
      content.u8(0);
      content.sized(sub);
      any = true;
    }
    if (!func_names_.empty()) {
      Bytes sub;
      sub.u32(func_names_.size());
      for (auto& [i, n] : func_names_) {
        sub.u32(i);
        sub.name(n);
      }
      content.u8(1);
      content.sized(sub);
      any = true;
    }
    if (!local_names_.empty()) {
      Bytes sub;
      sub.u32(local_names_.size());
      for (auto& [f, names] : local_names_) {
        sub.u32(f);
        sub.u32(names.size());
        for (auto& [i, n] : names) {
          sub.u32(i);
          sub.name(n);
        }
      }
      content.u8(2);
      content.sized(sub);
      any = true;
    }
    if (!global_names_.empty()) {
      Bytes sub;
      sub.u32(global_names_.size());
      for (auto& [i, n] : global_names_) {
        sub.u32(i);
        sub.name(n);
      }
      content.u8(7);
      content.sized(sub);
      any = true;
    }
    if (!any) return;
    out.u8(0);
    out.sized(content);
  }

  struct Custom {
    std::string name;
    std::string data;
    int place = 255;
  };

  Parser& p_;
  EncodeOptions opts_;
  std::optional<Token> module_id_;
  std::vector<Field> fields_;
  LexPos end_;
  bool has_start_ = false;
  bool data_refs_ = false;  // code names a data segment: emit the data count section
  const char* first_def_ = nullptr;

  Space types_{"type"}, funcs_{"func"}, tables_{"table"}, mems_{"memory"}, globals_{"global"},
      tags_{"tag"}, elems_{"elem"}, datas_{"data"};
  std::vector<TypeInfo> type_info_;
  std::unordered_map<std::string, uint32_t> plain_funcs_;
  uint32_t func_index_ = 0, table_index_ = 0, mem_index_ = 0, global_index_ = 0, tag_index_ = 0,
           elem_index_ = 0;

  Bytes type_sec_, import_sec_, func_sec_, table_sec_, mem_sec_, tag_sec_, global_sec_,
      export_sec_, elem_sec_, code_sec_, data_sec_, body_;
  uint32_t type_groups_ = 0, import_count_ = 0, func_count_ = 0, table_count_ = 0, mem_count_ = 0,
           tag_count_ = 0, global_count_ = 0, export_count_ = 0, elem_count_ = 0, data_count_ = 0;
  std::optional<uint32_t> start_;
  std::vector<Custom> customs_;

  std::vector<Local> locals_;
  std::deque<std::string> local_storage_;
  std::vector<Label> labels_;
  std::deque<std::string> label_storage_;
  std::vector<std::pair<uint32_t, std::string>> func_names_, global_names_;
  std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, std::string>>>> local_names_;
};

}  // namespace wasm::detail::text
