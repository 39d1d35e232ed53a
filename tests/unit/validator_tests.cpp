// Tests of the module validator: error kinds and messages (with function index and offset),
// the polymorphic stack, multi-value blocks and the module-level rules.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "test_module_builder.hpp"
#include "wasm/detail/binary/decoder.hpp"
#include "wasm/detail/binary/validator.hpp"

using namespace wasm;
using namespace wasm::detail;
using namespace wasm::test;

namespace {

constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;
constexpr ValType F32 = ValType::F32;
constexpr ValType V128 = ValType::V128;
constexpr ValType FuncRef = ValType::FuncRef;
constexpr ValType ExternRef = ValType::ExternRef;

Result<void> validate(const Bytes& bin, const Features& features = {}) {
  Result<ModuleInfo> m = decode_module(bin, features);
  REQUIRE(m);  // these tests build well-formed section structure
  return validate_module(*m, features);
}

bool valid(const Bytes& bin, const Features& features = {}) {
  Result<void> r = validate(bin, features);
  if (!r) UNSCOPED_INFO(r.error().to_string());
  return bool(r);
}

// The message of an error of the given kind ("<ok>" when the module is valid).
std::string error_of(const Bytes& bin, ErrorKind kind = ErrorKind::Validate,
                     const Features& features = {}) {
  Result<void> r = validate(bin, features);
  if (r) return "<ok>";
  CHECK(r.error().kind() == kind);
  return r.error().message();
}

std::string at(uint32_t func, uint32_t offset) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " (function %u, offset 0x%x)", func, offset);
  return buf;
}

// A module with one function of type [params] -> [results] and the given code.
Bytes one_func(std::vector<ValType> params, std::vector<ValType> results, Bytes code,
               std::vector<std::pair<uint32_t, ValType>> locals = {}) {
  ModuleBuilder b;
  b.func(b.type(std::move(params), std::move(results)), std::move(code), std::move(locals));
  return b.build();
}

Bytes block_type(ValType t) { return {uint8_t(t.kind())}; }
const Bytes kVoid = {0x40};

}  // namespace

TEST_CASE("valid modules pass", "[validator]") {
  CHECK(valid(ModuleBuilder().build()));
  CHECK(valid(one_func({I32, I32}, {I32},
                       cat({op(Op::LocalGet), uleb(0), op(Op::LocalGet), uleb(1), op(Op::I32Add),
                            end()}))));
  // Locals in groups; local.tee and local.set of declared locals.
  CHECK(valid(one_func({I32}, {I64},
                       cat({op(Op::I64Const), sleb(5), op(Op::LocalTee), uleb(3), op(Op::LocalSet),
                            uleb(1), op(Op::LocalGet), uleb(1), end()}),
                       {{2, I64}, {1, I64}})));
  // Memory loads and stores with natural alignment, a table, call_indirect.
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {I32});
  b.memory(limits(1, 2));
  b.table(FuncRef, limits(1));
  b.func(t, cat({op(Op::LocalGet), uleb(0), op(Op::I32Load), memarg(2), op(Op::LocalGet), uleb(0),
                 op(Op::CallIndirect), uleb(t), uleb(0), end()}));
  CHECK(valid(b.build()));
}

TEST_CASE("type mismatch names the instruction, function and offset", "[validator]") {
  ModuleBuilder b;
  uint32_t t = b.type({}, {I32});
  b.import_func("env", "f", t);
  b.func(t, cat({i32_const(1), i64_const(2), op(Op::I32Add), end()}));
  Bytes bin = b.build();
  uint32_t add_offset = b.code_offset(0) + 4;  // after i32.const 1 and i64.const 2
  CHECK(error_of(bin) ==
        "type mismatch: i32.add expected i32 but found i64" + at(1, add_offset));

  // Too few operands, and too many values left at the end.
  CHECK_THAT(error_of(one_func({}, {}, cat({op(Op::I32Eqz), end()}))),
             Catch::StartsWith("type mismatch: i32.eqz expected i32 but the stack is empty"));
  CHECK_THAT(error_of(one_func({}, {}, cat({i32_const(1), end()}))),
             Catch::StartsWith("type mismatch") && Catch::Contains("(function 0, offset"));
  CHECK_THAT(error_of(one_func({}, {I32}, cat({end()}))), Catch::StartsWith("type mismatch"));
}

TEST_CASE("polymorphic stack after unreachable, br, br_table and return", "[validator]") {
  // Missing operands are of the unknown type after unreachable.
  CHECK(valid(one_func({}, {I32}, cat({op(Op::Unreachable), op(Op::I32Add), end()}))));
  CHECK(valid(one_func({}, {}, cat({op(Op::Return), op(Op::Drop), op(Op::Drop), end()}))));
  CHECK(valid(one_func({}, {I32},
                       cat({op(Op::Block), block_type(I32), i32_const(1), op(Op::Br), uleb(0),
                            op(Op::I64Add),
                            op(Op::Drop), op(Op::Unreachable), end(), end()}))));
  // ... but known operands must still match.
  CHECK_THAT(error_of(one_func({}, {I32},
                               cat({op(Op::Unreachable), i64_const(0), op(Op::I32Add), end()}))),
             Catch::StartsWith("type mismatch: i32.add expected i32 but found i64"));
  // Untyped select of two unknowns is fine; with a known reference it is not.
  CHECK(valid(one_func({}, {}, cat({op(Op::Unreachable), op(Op::Select), op(Op::Drop), end()}))));
  CHECK_THAT(error_of(one_func({}, {},
                               cat({op(Op::Unreachable), op(Op::RefNull), byte(FuncRef),
                                    i32_const(1), op(Op::Select), op(Op::Drop), end()}))),
             Catch::StartsWith("type mismatch"));
  // The unknown type only exists until the end of the frame.
  CHECK_THAT(error_of(one_func({}, {I32},
                               cat({op(Op::Block), kVoid, op(Op::Unreachable), end(),
                                    op(Op::I32Eqz), end()}))),
             Catch::StartsWith("type mismatch"));
}

TEST_CASE("br_table label arities and types", "[validator]") {
  // Both labels take an i32.
  CHECK(valid(one_func({}, {I32},
                       cat({op(Op::Block), block_type(I32), i32_const(7), i32_const(0),
                            op(Op::BrTable), uleb(1), uleb(0), uleb(1), end(), end()}))));
  // Labels of different arity.
  CHECK_THAT(error_of(one_func({}, {I32},
                               cat({op(Op::Block), kVoid, i32_const(7), i32_const(0),
                                    op(Op::BrTable), uleb(1), uleb(0), uleb(1), end(),
                                    i32_const(0), end()}))),
             Catch::StartsWith("type mismatch"));
  // On the polymorphic stack, labels of equal arity but different types are allowed.
  CHECK(valid(one_func({}, {I32},
                       cat({op(Op::Block), block_type(F32), op(Op::Unreachable), op(Op::BrTable),
                            uleb(1), uleb(0), uleb(1), end(), op(Op::Drop), i32_const(0), end()}))));
  // An unknown label.
  Bytes bin = one_func({}, {}, cat({i32_const(0), op(Op::BrTable), uleb(0), uleb(2), end()}));
  CHECK_THAT(error_of(bin), Catch::StartsWith("unknown label 2 (function 0, offset"));
}

TEST_CASE("multi-value blocks with type-index block types", "[validator]") {
  ModuleBuilder b;
  uint32_t f = b.type({}, {I32});
  uint32_t pair_to_one = b.type({I32, I32}, {I32});
  uint32_t one_to_pair = b.type({I32}, {I32, I32});
  b.func(f, cat({i32_const(1), i32_const(2), op(Op::Block), sleb(pair_to_one), op(Op::I32Add),
                 end(), op(Op::Loop), sleb(one_to_pair), op(Op::I32Const), sleb(3), end(),
                 op(Op::I32Sub), end()}));
  CHECK(valid(b.build()));

  // A block whose parameters are missing.
  ModuleBuilder c;
  f = c.type({}, {I32});
  pair_to_one = c.type({I32, I32}, {I32});
  c.func(f, cat({i32_const(1), op(Op::Block), sleb(pair_to_one), op(Op::I32Add), end(), end()}));
  CHECK_THAT(error_of(c.build()), Catch::StartsWith("type mismatch"));

  // A block type naming a missing type.
  CHECK_THAT(error_of(one_func({}, {}, cat({op(Op::Block), sleb(9), end(), end()}))),
             Catch::StartsWith("unknown type 9"));
}

TEST_CASE("if without else must pass its parameters through", "[validator]") {
  ModuleBuilder b;
  uint32_t f = b.type({}, {I32});
  uint32_t same = b.type({I32}, {I32});
  b.func(f, cat({i32_const(1), i32_const(0), op(Op::If), sleb(same), end(), end()}));
  CHECK(valid(b.build()));

  CHECK_THAT(error_of(one_func({}, {I32}, cat({i32_const(0), op(Op::If), block_type(I32),
                                               i32_const(1), end(), end()}))),
             Catch::StartsWith("type mismatch"));
  // With an else both arms must produce the results.
  CHECK(valid(one_func({}, {I32}, cat({i32_const(0), op(Op::If), block_type(I32), i32_const(1),
                                       op(Op::Else), i32_const(2), end(), end()}))));
  CHECK_THAT(error_of(one_func({}, {I32}, cat({i32_const(0), op(Op::If), block_type(I32),
                                               i32_const(1), op(Op::Else), i64_const(2), end(),
                                               end()}))),
             Catch::StartsWith("type mismatch"));
}

TEST_CASE("select rules", "[validator]") {
  auto select_of = [](Bytes a, Bytes b, Bytes select) {
    return one_func({}, {}, cat({a, b, i32_const(1), select, op(Op::Drop), end()}));
  };
  Bytes null_func = cat({op(Op::RefNull), byte(FuncRef)});
  CHECK(valid(select_of(i32_const(1), i32_const(2), op(Op::Select))));
  CHECK_THAT(error_of(select_of(i32_const(1), i64_const(2), op(Op::Select))),
             Catch::StartsWith("type mismatch"));
  // Untyped select is only for numeric and vector types.
  CHECK_THAT(error_of(select_of(null_func, null_func, op(Op::Select))),
             Catch::StartsWith("type mismatch"));
  CHECK(valid(select_of(null_func, null_func, cat({op(Op::SelectT), uleb(1), byte(FuncRef)}))));
  // Typed select takes exactly one type.
  CHECK_THAT(error_of(select_of(i32_const(1), i32_const(2),
                                cat({op(Op::SelectT), uleb(2), byte(I32), byte(I32)}))),
             Catch::StartsWith("invalid result arity"));
}

TEST_CASE("locals and globals", "[validator]") {
  CHECK_THAT(error_of(one_func({I32}, {I32}, cat({op(Op::LocalGet), uleb(2), end()}), {{1, I32}})),
             Catch::StartsWith("unknown local 2 (function 0, offset"));
  CHECK(valid(one_func({I32}, {I64}, cat({op(Op::LocalGet), uleb(1), end()}), {{1, I64}})));

  ModuleBuilder b;
  uint32_t t = b.type({}, {});
  b.import_global("env", "g", I32, false);
  b.global(I32, true, cat({i32_const(0), end()}));
  b.func(t, cat({i32_const(1), op(Op::GlobalSet), uleb(1), i32_const(1), op(Op::GlobalSet),
                 uleb(0), end()}));
  Bytes bin = b.build();
  CHECK(error_of(bin) == "global is immutable: global 0" + at(0, b.code_offset(0) + 6));
  CHECK_THAT(error_of(one_func({}, {I32}, cat({op(Op::GlobalGet), uleb(0), end()}))),
             Catch::StartsWith("unknown global 0"));
}

TEST_CASE("memory instructions: memory, alignment, lanes", "[validator]") {
  auto with_memory = [](Bytes code, std::vector<ValType> results = {}) {
    ModuleBuilder b;
    b.memory(limits(1));
    b.func(b.type({}, std::move(results)), std::move(code));
    return b.build();
  };
  Bytes load = cat({i32_const(0), op(Op::I64Load), memarg(3), op(Op::Drop), end()});
  CHECK(valid(with_memory(load)));
  CHECK_THAT(error_of(one_func({}, {}, load)), Catch::StartsWith("unknown memory 0"));
  CHECK_THAT(error_of(with_memory(cat({i32_const(0), op(Op::I64Load), memarg(4), op(Op::Drop),
                                       end()}))),
             Catch::StartsWith("alignment must not be larger than natural"));
  CHECK_THAT(error_of(with_memory(cat({i32_const(0), op(Op::I32Load16U), memarg(2), op(Op::Drop),
                                       end()}))),
             Catch::StartsWith("alignment must not be larger than natural"));

  // SIMD lanes: 16 byte lanes, 2 i64 lanes, 32 shuffle inputs.
  Bytes v = cat({op(Op::V128Const), Bytes(16, 0)});
  CHECK(valid(one_func({}, {I32}, cat({v, op(Op::I8x16ExtractLaneU), {15}, end()}))));
  CHECK_THAT(error_of(one_func({}, {I32}, cat({v, op(Op::I8x16ExtractLaneU), {16}, end()}))),
             Catch::StartsWith("invalid lane index"));
  CHECK_THAT(error_of(one_func({}, {V128}, cat({v, i64_const(0), op(Op::I64x2ReplaceLane), {2},
                                                end()}))),
             Catch::StartsWith("invalid lane index"));
  Bytes lanes(16, 31);
  CHECK(valid(one_func({}, {V128}, cat({v, v, op(Op::I8x16Shuffle), lanes, end()}))));
  lanes[7] = 32;
  CHECK_THAT(error_of(one_func({}, {V128}, cat({v, v, op(Op::I8x16Shuffle), lanes, end()}))),
             Catch::StartsWith("invalid lane index"));
  // Load-lane: memarg alignment and lane index both checked.
  CHECK_THAT(error_of(with_memory(cat({i32_const(0), v, op(Op::V128Load32Lane), memarg(2), {4},
                                       end()}),
                                  {V128})),
             Catch::StartsWith("invalid lane index"));
}

TEST_CASE("data count rule and segment indices", "[validator]") {
  Bytes code = cat({op(Op::DataDrop), uleb(0), end()});
  // With data segments but no data count section the binary is malformed.
  ModuleBuilder b;
  b.memory(limits(1));
  b.func(b.type({}, {}), code);
  b.data_active(0, {1, 2});
  CHECK_THAT(error_of(b.build(), ErrorKind::Decode), Catch::StartsWith("data count section required"));

  ModuleBuilder c;
  c.memory(limits(1));
  c.func(c.type({}, {}), cat({op(Op::DataDrop), uleb(1), end()}));
  c.data_count(1);
  c.data_active(0, {1, 2});
  CHECK_THAT(error_of(c.build()), Catch::StartsWith("unknown data segment 1"));

  ModuleBuilder d;
  d.memory(limits(1));
  d.func(d.type({}, {}), cat({i32_const(0), i32_const(0), i32_const(1), op(Op::MemoryInit), uleb(0),
                              {0x00}, op(Op::DataDrop), uleb(0), end()}));
  d.data_count(1);
  d.data_active(0, {1, 2});
  CHECK(valid(d.build()));

  CHECK_THAT(error_of(one_func({}, {}, cat({op(Op::ElemDrop), uleb(0), end()}))),
             Catch::StartsWith("unknown elem segment 0"));
}

TEST_CASE("tables and calls", "[validator]") {
  ModuleBuilder b;
  uint32_t t = b.type({}, {});
  b.table(ExternRef, limits(1));
  b.func(t, cat({i32_const(0), op(Op::CallIndirect), uleb(t), uleb(0), end()}));
  CHECK_THAT(error_of(b.build()), Catch::StartsWith("type mismatch"));

  CHECK_THAT(error_of(one_func({}, {}, cat({i32_const(0), op(Op::CallIndirect), uleb(0), uleb(0),
                                            end()}))),
             Catch::StartsWith("unknown table 0"));
  CHECK_THAT(error_of(one_func({}, {}, cat({op(Op::Call), uleb(5), end()}))),
             Catch::StartsWith("unknown function 5"));

  // table.copy between tables of different element types.
  ModuleBuilder c;
  c.table(FuncRef, limits(1));
  c.table(ExternRef, limits(1));
  c.func(c.type({}, {}), cat({i32_const(0), i32_const(0), i32_const(0), op(Op::TableCopy),
                              uleb(0), uleb(1), end()}));
  CHECK_THAT(error_of(c.build()), Catch::StartsWith("type mismatch"));

  // table.set of an externref into a funcref table.
  ModuleBuilder d;
  d.table(FuncRef, limits(1));
  d.func(d.type({}, {}), cat({i32_const(0), op(Op::RefNull), byte(ExternRef), op(Op::TableSet),
                              uleb(0), end()}));
  CHECK_THAT(error_of(d.build()), Catch::StartsWith("type mismatch"));
}

TEST_CASE("ref.func needs a declared function", "[validator]") {
  Bytes take_ref = cat({op(Op::RefFunc), uleb(0), op(Op::Drop), end()});
  CHECK_THAT(error_of(one_func({}, {}, take_ref)),
             Catch::StartsWith("undeclared function reference"));

  // Declared by an export.
  ModuleBuilder b;
  b.func(b.type({}, {}), take_ref);
  b.export_("f", ExternKind::Func, 0);
  CHECK(valid(b.build()));

  // Declared by a declarative element segment (flags 3, elemkind 0, one function).
  ModuleBuilder c;
  c.func(c.type({}, {}), take_ref);
  c.elem(cat({{0x03, 0x00}, uleb(1), uleb(0)}));
  CHECK(valid(c.build()));

  // Declared by a global initialiser.
  ModuleBuilder d;
  d.func(d.type({}, {}), take_ref);
  d.global(FuncRef, false, cat({op(Op::RefFunc), uleb(0), end()}));
  CHECK(valid(d.build()));

  // A ref.func in another function body does not declare.
  ModuleBuilder e;
  uint32_t t = e.type({}, {});
  e.func(t, take_ref);
  e.func(t, take_ref);
  CHECK_THAT(error_of(e.build()), Catch::StartsWith("undeclared function reference"));
}

TEST_CASE("constant expressions", "[validator]") {
  auto global_init = [](ValType type, Bytes init, bool import_mutable = false) {
    ModuleBuilder b;
    b.import_global("env", "g", I32, import_mutable);
    b.global(type, false, std::move(init));
    return b.build();
  };
  CHECK(valid(global_init(I32, cat({op(Op::GlobalGet), uleb(0), end()}))));
  CHECK(valid(global_init(FuncRef, cat({op(Op::RefNull), byte(FuncRef), end()}))));
  CHECK_THAT(error_of(global_init(I64, cat({i32_const(0), end()}))),
             Catch::StartsWith("type mismatch") && Catch::Contains("(global 1, offset"));
  CHECK_THAT(error_of(global_init(I32, cat({i32_const(0), i32_const(0), end()}))),
             Catch::StartsWith("type mismatch"));
  CHECK_THAT(error_of(global_init(I32, cat({end()}))), Catch::StartsWith("type mismatch"));
  CHECK_THAT(error_of(global_init(I32, cat({i32_const(0), op(Op::I32Eqz), end()}))),
             Catch::StartsWith("constant expression required"));
  CHECK_THAT(error_of(global_init(I32, cat({op(Op::GlobalGet), uleb(0), end()}), true)),
             Catch::StartsWith("constant expression required"));
  // Only imported globals may be read: global 1 is the one being defined.
  CHECK_THAT(error_of(global_init(I32, cat({op(Op::GlobalGet), uleb(1), end()}))),
             Catch::StartsWith("unknown global 1"));

  // Extended constant expressions.
  Bytes sum = cat({i32_const(1), op(Op::GlobalGet), uleb(0), op(Op::I32Add), end()});
  CHECK_THAT(error_of(global_init(I32, sum)), Catch::StartsWith("constant expression required"));
  Features ext;
  ext.extended_const = true;
  CHECK(valid(global_init(I32, sum), ext));

  // Segment offsets are i32 constant expressions.
  ModuleBuilder b;
  b.table(FuncRef, limits(1));
  b.func(b.type({}, {}), cat({end()}));
  b.elem(cat({{0x00}, i64_const(0), end(), uleb(1), uleb(0)}));
  CHECK_THAT(error_of(b.build()), Catch::StartsWith("type mismatch"));
}

TEST_CASE("module-level rules", "[validator]") {
  ModuleBuilder min_max;
  min_max.memory(limits(2, 1));
  CHECK_THAT(error_of(min_max.build()),
             Catch::StartsWith("size minimum must not be greater than maximum"));
  ModuleBuilder big;
  big.memory(limits(65537));
  CHECK_THAT(error_of(big.build()),
             Catch::StartsWith("memory size must be at most 65536 pages (4GiB)"));
  ModuleBuilder table_limits;
  table_limits.table(FuncRef, limits(3, 2));
  CHECK_THAT(error_of(table_limits.build()),
             Catch::StartsWith("size minimum must not be greater than maximum"));

  ModuleBuilder two;
  two.import_memory("env", "m", limits(1));
  two.memory(limits(1));
  CHECK_THAT(error_of(two.build()), Catch::StartsWith("multiple memories"));
  Features multi;
  multi.multi_memory = true;
  CHECK(valid(two.build(), multi));

  ModuleBuilder start;
  start.func(start.type({I32}, {}), cat({end()}));
  start.start(0);
  CHECK_THAT(error_of(start.build()), Catch::StartsWith("start function"));

  ModuleBuilder exports;
  exports.func(exports.type({}, {}), cat({end()}));
  exports.export_("a", ExternKind::Func, 0);
  exports.export_("a", ExternKind::Func, 0);
  CHECK_THAT(error_of(exports.build()), Catch::StartsWith("duplicate export name"));

  ModuleBuilder unknown_export;
  unknown_export.export_("g", ExternKind::Global, 0);
  CHECK_THAT(error_of(unknown_export.build()), Catch::StartsWith("unknown global 0"));

  ModuleBuilder data;
  data.data_active(0, {1});
  CHECK_THAT(error_of(data.build()), Catch::StartsWith("unknown memory 0"));

  ModuleBuilder elem_type;
  elem_type.table(ExternRef, limits(1));
  elem_type.func(elem_type.type({}, {}), cat({end()}));
  elem_type.elem_active(0, {0});
  CHECK_THAT(error_of(elem_type.build()), Catch::StartsWith("type mismatch"));
}

TEST_CASE("bodies end exactly at their final end", "[validator]") {
  // Missing end in the last body: the code runs out.
  CHECK_THAT(error_of(one_func({}, {}, cat({i32_const(1), op(Op::Drop)})), ErrorKind::Decode),
             Catch::StartsWith("unexpected end of section or function"));
  // Missing end in a body followed by another: its size byte is read as an instruction.
  ModuleBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, cat({i32_const(1), op(Op::Drop)}));
  b.func(t, cat({i32_const(1), op(Op::Drop), end()}));
  CHECK_THAT(error_of(b.build(), ErrorKind::Decode), Catch::StartsWith("END opcode expected"));
  // Instructions after the final end.
  CHECK_THAT(error_of(one_func({}, {}, cat({end(), op(Op::Nop)})), ErrorKind::Decode),
             Catch::StartsWith("section size mismatch"));
  // else outside an if.
  CHECK_THAT(error_of(one_func({}, {}, cat({op(Op::Else), end()})), ErrorKind::Decode),
             Catch::StartsWith("END opcode expected"));
}

TEST_CASE("malformed code after a validation error is still a decode error", "[validator]") {
  ModuleBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, cat({op(Op::I32Add), end()}));  // invalid
  b.func(t, cat({{0xFF}, end()}));            // malformed: no opcode 0xFF
  CHECK_THAT(error_of(b.build(), ErrorKind::Decode), Catch::StartsWith("illegal opcode"));

  // The same within one body, and after a module-level validation error.
  CHECK_THAT(error_of(one_func({}, {}, cat({op(Op::I32Add), {0xFF}, end()})), ErrorKind::Decode),
             Catch::StartsWith("illegal opcode (function 0"));
  ModuleBuilder c;
  c.memory(limits(2, 1));
  c.func(c.type({}, {}), cat({op(Op::MemorySize), {0x01}, op(Op::Drop), end()}));
  CHECK_THAT(error_of(c.build(), ErrorKind::Decode), Catch::StartsWith("zero byte expected"));

  // Without malformed code the first validation error is reported.
  ModuleBuilder d;
  d.func(d.type({}, {}), cat({op(Op::I32Add), end()}));
  d.func(d.type({}, {}), cat({op(Op::LocalGet), uleb(0), end()}));
  CHECK_THAT(error_of(d.build()), Catch::StartsWith("type mismatch") &&
                                      Catch::Contains("(function 0,"));
}

TEST_CASE("tail calls need the feature and matching results", "[validator]") {
  Features tail;
  tail.tail_call = true;
  ModuleBuilder b;
  uint32_t t = b.type({}, {I32});
  b.func(t, cat({op(Op::ReturnCall), uleb(0), end()}));
  Bytes ok = b.build();
  CHECK(valid(ok, tail));
  Result<ModuleInfo> without = decode_module(ok);
  if (without) {
    Result<void> r = validate_module(*without);
    REQUIRE(!r);
    CHECK(r.error().kind() == ErrorKind::Decode);
    CHECK_THAT(r.error().message(), Catch::StartsWith("illegal opcode"));
  }

  ModuleBuilder c;
  uint32_t ti = c.type({}, {I32});
  uint32_t tl = c.type({}, {I64});
  c.func(tl, cat({i64_const(0), end()}));
  c.func(ti, cat({op(Op::ReturnCall), uleb(0), end()}));
  CHECK_THAT(error_of(c.build(), ErrorKind::Validate, tail), Catch::StartsWith("type mismatch"));
}
