// Section-by-section tests of the binary decoder on hand-written bytes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "wasm/detail/binary/decoder.hpp"

using namespace wasm;
using namespace wasm::detail;
using Bytes = std::vector<uint8_t>;

namespace {

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

// A section with a one-byte size (payloads in these tests are short).
// (Sized up front: g++ 12 warns falsely about inserting into a two-byte vector.)
Bytes sec(uint8_t id, Bytes payload) {
  Bytes out(payload.size() + 2);
  out[0] = id;
  out[1] = uint8_t(payload.size());
  std::copy(payload.begin(), payload.end(), out.begin() + 2);
  return out;
}

Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = kHeader;
  for (const Bytes& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

Result<ModuleInfo> decode(const Bytes& bytes, Features features = {}) {
  return decode_module(bytes, features);
}

std::string decode_error(const Bytes& bytes, Features features = {}) {
  auto r = decode(bytes, features);
  if (r) return "<decoded>";
  CHECK(r.error().kind() == ErrorKind::Decode);
  return r.error().message();
}

const Bytes kTypeVoid = sec(1, {0x01, 0x60, 0x00, 0x00});  // one type: [] -> []

}  // namespace

TEST_CASE("header", "[decoder]") {
  CHECK(decode(kHeader));
  CHECK_THAT(decode_error({}), Catch::StartsWith("unexpected end"));
  CHECK_THAT(decode_error({0x00, 0x61, 0x73}), Catch::StartsWith("unexpected end"));
  CHECK_THAT(decode_error({0x00, 0x61, 0x73, 0x6E, 1, 0, 0, 0}), Catch::StartsWith("magic header not detected"));
  CHECK_THAT(decode_error({0x00, 0x61, 0x73, 0x6D, 2, 0, 0, 0}), Catch::StartsWith("unknown binary version"));
  CHECK_THAT(decode_error({0x00, 0x61, 0x73, 0x6D, 1, 0, 0}), Catch::StartsWith("unexpected end"));
}

TEST_CASE("section ids, order and sizes", "[decoder]") {
  CHECK_THAT(decode_error(module({sec(14, {})})), Catch::StartsWith("malformed section id"));
  // Tag sections exist only with the exceptions proposal.
  CHECK_THAT(decode_error(module({sec(13, {0x00})})), Catch::StartsWith("malformed section id"));
  // Type after function, and a duplicated section.
  CHECK_THAT(decode_error(module({sec(3, {0x00}), sec(1, {0x00})})),
             Catch::StartsWith("unexpected content after last section"));
  CHECK_THAT(decode_error(module({sec(1, {0x00}), sec(1, {0x00})})),
             Catch::StartsWith("unexpected content after last section"));
  // The data count section goes between element and code.
  CHECK(decode(module({sec(12, {0x00}), sec(11, {0x00})})));
  CHECK_THAT(decode_error(module({sec(11, {0x00}), sec(12, {0x00})})),
             Catch::StartsWith("unexpected content after last section"));
  // Declared size larger than the content left, and content left over in a section.
  CHECK_THAT(decode_error(module({{0x01, 0x05, 0x00}})), Catch::StartsWith("length out of bounds"));
  CHECK_THAT(decode_error(module({sec(1, {0x00, 0x00})})), Catch::StartsWith("section size mismatch"));
  // Custom sections may appear anywhere, also between ordered sections.
  CHECK(decode(module({sec(0, {0x01, 'x'}), kTypeVoid, sec(0, {0x01, 'y', 1, 2, 3})})));
}

TEST_CASE("errors carry the byte offset", "[decoder]") {
  // The bad value type byte 0x55 sits at offset 8 + 2 + 3 = 13.
  std::string msg = decode_error(module({sec(1, {0x01, 0x60, 0x01, 0x55, 0x00})}));
  CHECK_THAT(msg, Catch::StartsWith("malformed value type"));
  CHECK_THAT(msg, Catch::Contains("offset 13"));
}

TEST_CASE("type section", "[decoder]") {
  auto m = decode(module({sec(1, {0x02, 0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7B, 0x60, 0x00, 0x02, 0x70, 0x6F})}));
  REQUIRE(m);
  REQUIRE(m->types.size() == 2);
  CHECK(m->types[0].params == std::vector<ValType>{ValType::I32, ValType::I64});
  CHECK(m->types[0].results == std::vector<ValType>{ValType::V128});
  CHECK(m->types[1].results == std::vector<ValType>{ValType::FuncRef, ValType::ExternRef});
  CHECK_THAT(decode_error(module({sec(1, {0x01, 0x61, 0x00, 0x00})})), !Catch::Equals("<decoded>"));
  // A count larger than the section is rejected before anything is allocated.
  CHECK_THAT(decode_error(module({sec(1, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F})})), Catch::StartsWith("length out of bounds"));
}

TEST_CASE("import section with every kind", "[decoder]") {
  Bytes imports = {0x04,
                   0x01, 'm', 0x01, 'f', 0x00, 0x00,                    // func type 0
                   0x01, 'm', 0x01, 't', 0x01, 0x70, 0x01, 0x01, 0x02,  // table funcref 1..2
                   0x01, 'm', 0x01, 'M', 0x02, 0x00, 0x03,              // memory 3..
                   0x01, 'm', 0x01, 'g', 0x03, 0x7E, 0x01};             // global mut i64
  auto m = decode(module({kTypeVoid, sec(2, imports)}));
  REQUIRE(m);
  REQUIRE(m->imports.size() == 4);
  CHECK(m->num_imported_funcs == 1);
  CHECK(m->func_types == std::vector<uint32_t>{0});
  CHECK(m->num_imported_tables == 1);
  CHECK(m->tables[0].limits.min == 1);
  CHECK(m->tables[0].limits.max == 2u);
  CHECK(m->num_imported_memories == 1);
  CHECK(m->memories[0].limits.min == 3);
  CHECK_FALSE(m->memories[0].limits.max);
  CHECK(m->num_imported_globals == 1);
  CHECK(m->globals[0] == GlobalType{ValType::I64, true});
  CHECK(m->imports[3].module == "m");
  CHECK(m->imports[3].name == "g");

  CHECK_THAT(decode_error(module({sec(2, {0x01, 0x01, 'm', 0x01, 'x', 0x05, 0x00})})),
             Catch::StartsWith("malformed import kind"));
  CHECK_THAT(decode_error(module({sec(2, {0x01, 0x01, 'm', 0x01, 'g', 0x03, 0x7F, 0x02})})),
             Catch::StartsWith("malformed mutability"));
  CHECK_THAT(decode_error(module({sec(2, {0x01, 0x01, 0xFF, 0x01, 'g', 0x03, 0x7F, 0x00})})),
             Catch::StartsWith("malformed UTF-8 encoding"));
}

TEST_CASE("memory limits flags depend on features", "[decoder]") {
  Bytes shared = module({sec(5, {0x01, 0x03, 0x01, 0x02})});
  CHECK_FALSE(decode(shared));
  Features threads;
  threads.threads = true;
  auto m = decode(shared, threads);
  REQUIRE(m);
  CHECK(m->memories[0].limits.shared);
  Bytes wide = module({sec(5, {0x01, 0x04, 0x01})});
  CHECK_FALSE(decode(wide));
  Features mem64;
  mem64.memory64 = true;
  auto w = decode(wide, mem64);
  REQUIRE(w);
  CHECK(w->memories[0].is64);
}

TEST_CASE("function and code sections must agree", "[decoder]") {
  Bytes func = sec(3, {0x01, 0x00});
  Bytes code = sec(10, {0x01, 0x02, 0x00, 0x0B});
  auto m = decode(module({kTypeVoid, func, code}));
  REQUIRE(m);
  REQUIRE(m->bodies.size() == 1);
  CHECK(m->body_code(m->bodies[0]).size() == 1);  // just `end`
  CHECK_THAT(decode_error(module({kTypeVoid, func})),
             Catch::StartsWith("function and code section have inconsistent lengths"));
  CHECK_THAT(decode_error(module({kTypeVoid, code})),
             Catch::StartsWith("function and code section have inconsistent lengths"));
  // Both sections present with zero entries is fine, as is neither.
  CHECK(decode(module({sec(3, {0x00}), sec(10, {0x00})})));
}

TEST_CASE("locals are grouped and counted with a limit", "[decoder]") {
  Bytes func = sec(3, {0x01, 0x00});
  auto m = decode(module({kTypeVoid, func, sec(10, {0x01, 0x06, 0x02, 0x02, 0x7F, 0x01, 0x7C, 0x0B})}));
  REQUIRE(m);
  const FunctionBody& body = m->bodies[0];
  CHECK(body.local_count == 3);
  REQUIRE(body.locals.size() == 2);
  CHECK(body.locals[0].count == 2);
  CHECK(body.locals[0].type == ValType::I32);
  CHECK(body.locals[1].type == ValType::F64);
  // 0xFFFFFFFF + 2 locals: the sum overflows 32 bits.
  CHECK_THAT(decode_error(module({kTypeVoid, func,
                                  sec(10, {0x01, 0x0A, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x02, 0x7E, 0x0B})})),
             Catch::StartsWith("too many locals"));
}

TEST_CASE("globals and exports", "[decoder]") {
  auto m = decode(module({kTypeVoid, sec(3, {0x01, 0x00}),
                          sec(6, {0x01, 0x7F, 0x00, 0x41, 0x2A, 0x0B}),
                          sec(7, {0x02, 0x01, 'f', 0x00, 0x00, 0x01, 'g', 0x03, 0x00}),
                          sec(10, {0x01, 0x02, 0x00, 0x0B})}));
  REQUIRE(m);
  REQUIRE(m->global_inits.size() == 1);
  REQUIRE(m->global_inits[0].code.size() == 1);
  CHECK(m->global_inits[0].code[0].op == Op::I32Const);
  CHECK(m->global_inits[0].code[0].i32() == 42);
  REQUIRE(m->exports.size() == 2);
  CHECK(m->exports[1].name == "g");
  CHECK(m->exports[1].kind == ExternKind::Global);
  CHECK_THAT(decode_error(module({sec(7, {0x01, 0x01, 'f', 0x07, 0x00})})),
             Catch::StartsWith("malformed export kind"));
  // A constant expression that never ends.
  CHECK_THAT(decode_error(module({sec(6, {0x01, 0x7F, 0x00, 0x41, 0x2A})})), !Catch::Equals("<decoded>"));
}

TEST_CASE("element segments in all eight encodings", "[decoder]") {
  Bytes elems = {0x08,
                 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00,                   // 0: active, table 0, indices
                 0x01, 0x00, 0x01, 0x00,                               // 1: passive, indices
                 0x02, 0x00, 0x41, 0x01, 0x0B, 0x00, 0x01, 0x00,       // 2: active, table 0, elemkind
                 0x03, 0x00, 0x01, 0x00,                               // 3: declarative, indices
                 0x04, 0x41, 0x00, 0x0B, 0x01, 0xD2, 0x00, 0x0B,       // 4: active, exprs
                 0x05, 0x6F, 0x01, 0xD0, 0x6F, 0x0B,                   // 5: passive externref exprs
                 0x06, 0x00, 0x41, 0x00, 0x0B, 0x70, 0x00,             // 6: active, table 0, no items
                 0x07, 0x70, 0x01, 0xD2, 0x00, 0x0B};                  // 7: declarative exprs
  Bytes payload = elems;
  Bytes section = {0x09, uint8_t(payload.size())};
  section.insert(section.end(), payload.begin(), payload.end());
  auto m = decode(module({kTypeVoid, sec(3, {0x01, 0x00}), sec(4, {0x01, 0x70, 0x00, 0x01}), section,
                          sec(10, {0x01, 0x02, 0x00, 0x0B})}));
  REQUIRE(m);
  REQUIRE(m->elements.size() == 8);
  CHECK(m->elements[0].mode == SegmentMode::Active);
  CHECK(m->elements[0].func_indices == std::vector<uint32_t>{0});
  CHECK(m->elements[1].mode == SegmentMode::Passive);
  CHECK(m->elements[3].mode == SegmentMode::Declarative);
  CHECK(m->elements[4].uses_exprs);
  CHECK(m->elements[4].exprs.size() == 1);
  CHECK(m->elements[5].type == ValType::ExternRef);
  CHECK(m->elements[6].size() == 0);
  CHECK(m->elements[7].mode == SegmentMode::Declarative);
  CHECK_THAT(decode_error(module({sec(9, {0x01, 0x08})})), Catch::StartsWith("malformed elements segment kind"));
  CHECK_THAT(decode_error(module({sec(9, {0x01, 0x01, 0x01, 0x00})})), Catch::StartsWith("malformed element kind"));
}

TEST_CASE("data segments and the data count", "[decoder]") {
  Bytes data = sec(11, {0x03,
                        0x00, 0x41, 0x08, 0x0B, 0x02, 'h', 'i',  // active, memory 0
                        0x01, 0x01, 'x',                         // passive
                        0x02, 0x00, 0x41, 0x00, 0x0B, 0x00});    // active, explicit memory
  Bytes memory = sec(5, {0x01, 0x00, 0x01});
  auto m = decode(module({memory, sec(12, {0x03}), data}));
  REQUIRE(m);
  REQUIRE(m->data.size() == 3);
  CHECK(m->data_count == 3u);
  auto hi = m->segment_bytes(m->data[0]);
  CHECK(std::string(hi.begin(), hi.end()) == "hi");
  CHECK(m->data[1].mode == SegmentMode::Passive);
  CHECK(m->data[2].data_size == 0);
  CHECK_THAT(decode_error(module({memory, sec(12, {0x02}), data})),
             Catch::StartsWith("data count and data section have inconsistent lengths"));
  CHECK_THAT(decode_error(module({memory, sec(12, {0x01})})),
             Catch::StartsWith("data count and data section have inconsistent lengths"));
  CHECK_THAT(decode_error(module({sec(11, {0x01, 0x03, 0x00})})), Catch::StartsWith("malformed data segment kind"));
  CHECK_THAT(decode_error(module({sec(11, {0x01, 0x01, 0x09, 'x'})})), !Catch::Equals("<decoded>"));
}

TEST_CASE("start section", "[decoder]") {
  auto m = decode(module({kTypeVoid, sec(3, {0x01, 0x00}), sec(8, {0x00}), sec(10, {0x01, 0x02, 0x00, 0x0B})}));
  REQUIRE(m);
  CHECK(m->start == 0u);
}

TEST_CASE("custom sections and the name section", "[decoder]") {
  // name section: module name "mod"; function 0 named "main"; local 0 of function 0 named "x".
  Bytes names = {0x04, 'n', 'a', 'm', 'e',
                 0x00, 0x04, 0x03, 'm', 'o', 'd',
                 0x01, 0x07, 0x01, 0x00, 0x04, 'm', 'a', 'i', 'n',
                 0x02, 0x06, 0x01, 0x00, 0x01, 0x00, 0x01, 'x'};
  auto m = decode(module({kTypeVoid, sec(3, {0x01, 0x00}), sec(10, {0x01, 0x02, 0x00, 0x0B}), sec(0, names),
                          sec(0, {0x03, 'a', 'b', 'c', 0xDE, 0xAD})}));
  REQUIRE(m);
  CHECK(m->names.module == "mod");
  CHECK(m->func_name(0) == "main");
  CHECK(m->names.locals[0][0] == "x");
  REQUIRE(m->custom_sections.size() == 2);
  CHECK(m->custom_sections[1].name == "abc");
  CHECK(m->custom_sections[1].size == 2);

  // A broken name section is ignored, not an error.
  auto broken = decode(module({sec(0, {0x04, 'n', 'a', 'm', 'e', 0x01, 0x09, 0x01})}));
  REQUIRE(broken);
  CHECK(broken->names.functions.empty());
  // But a custom section's own name must be well-formed.
  CHECK_THAT(decode_error(module({sec(0, {0x02, 0xC0, 0x80})})), Catch::StartsWith("malformed UTF-8 encoding"));
  CHECK_THAT(decode_error(module({sec(0, {0x05, 'a'})})), !Catch::Equals("<decoded>"));
}

TEST_CASE("hostile counts never allocate or crash", "[decoder]") {
  // Every vector count in every section set to 2^32-1 with nothing behind it.
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}) {
    CHECK_THAT(decode_error(module({sec(id, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F})})), !Catch::Equals("<decoded>"));
  }
  // Truncating a valid module at every length gives an error each time.
  Bytes full = module({kTypeVoid, sec(3, {0x01, 0x00}), sec(7, {0x01, 0x01, 'f', 0x00, 0x00}),
                       sec(10, {0x01, 0x02, 0x00, 0x0B})});
  REQUIRE(decode(full));
  for (size_t n = 0; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + n);
    // Cuts at a section boundary before the function section leave a valid module.
    if (n == kHeader.size() || n == kHeader.size() + kTypeVoid.size()) continue;
    CHECK_FALSE(decode(cut));
  }
}
