// Tables: lazy funcref initialisation, tagged slots, externref slots, and the bounds and
// growth rules of get/set/fill/copy/init/grow.
#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <vector>

#include "wasm/detail/vm/table.hpp"

using namespace wasm;
using namespace wasm::detail;

namespace {

TableType table_type(ValType element, uint64_t min, std::optional<uint64_t> max = std::nullopt) {
  TableType type;
  type.element = element;
  type.limits.min = min;
  type.limits.max = max;
  return type;
}

std::unique_ptr<Table> make_table(const TableType& type, const TableSettings& settings = {}) {
  auto table = Table::create(type, settings);
  REQUIRE(table.has_value());
  return std::move(table).value();
}

std::unique_ptr<Table> funcref_table(uint64_t min, std::optional<uint64_t> max = std::nullopt) {
  return make_table(table_type(ValType::FuncRef, min, max));
}

// The slot word as JIT code sees it through the definition.
uintptr_t raw_slot(Table& table, uint64_t index) {
  REQUIRE(index < table.definition()->current_elements);
  return static_cast<const uintptr_t*>(table.definition()->base)[index];
}

uintptr_t tagged(const VMFuncRef* f) { return reinterpret_cast<uintptr_t>(f) | kFuncRefInitBit; }

// A lazy-init callback that hands out funcs[i] for i < funcs.size() and counts its calls.
struct LazySource {
  std::vector<VMFuncRef> funcs;
  std::map<uint64_t, int> calls;
  explicit LazySource(size_t count) : funcs(count) {}
  Table::LazyInit callback() {
    return [this](uint64_t index) -> VMFuncRef* {
      ++calls[index];
      return index < funcs.size() ? &funcs[index] : nullptr;
    };
  }
  int total_calls() const {
    int total = 0;
    for (auto& [index, count] : calls) total += count;
    return total;
  }
};

struct RefusingLimiter : ResourceLimiter {
  uint64_t limit;
  std::vector<std::pair<uint64_t, uint64_t>> table_calls;
  explicit RefusingLimiter(uint64_t limit_elements) : limit(limit_elements) {}
  bool table_growing(uint64_t current, uint64_t desired, std::optional<uint64_t>) override {
    table_calls.emplace_back(current, desired);
    return desired <= limit;
  }
};

}  // namespace

TEST_CASE("a new funcref table starts uninitialised and reads as null without a callback", "[table]") {
  auto table = funcref_table(3, 10);
  CHECK(table->size() == 3);
  CHECK(table->element_type() == ValType::FuncRef);
  CHECK(table->maximum() == 10);
  CHECK(table->definition()->current_elements == 3);
  CHECK(raw_slot(*table, 1) == 0);

  auto value = table->get(1);
  REQUIRE(value.has_value());
  CHECK(*value == nullptr);
  CHECK(raw_slot(*table, 1) == kFuncRefInitBit);  // an initialised null
  CHECK(raw_slot(*table, 0) == 0);                // neighbours untouched
}

TEST_CASE("lazy init calls the callback once per slot and stores the result tagged", "[table]") {
  LazySource source(2);
  auto table = funcref_table(4);
  table->set_lazy_init(source.callback());

  CHECK(*table->get(0) == &source.funcs[0]);
  CHECK(*table->get(0) == &source.funcs[0]);
  CHECK(source.calls[0] == 1);
  CHECK(raw_slot(*table, 0) == tagged(&source.funcs[0]));

  CHECK(*table->get(3) == nullptr);  // the callback says null: remembered as an initialised null
  CHECK(*table->get(3) == nullptr);
  CHECK(source.calls[3] == 1);
  CHECK(raw_slot(*table, 3) == kFuncRefInitBit);

  CHECK(raw_slot(*table, 1) == 0);
  CHECK(source.total_calls() == 2);
}

TEST_CASE("set, fill, init and grow initialise slots without asking the callback", "[table]") {
  LazySource source(8);
  std::array<VMFuncRef, 2> other{};
  auto table = funcref_table(8);
  table->set_lazy_init(source.callback());

  REQUIRE(table->set(0, &other[0]));
  REQUIRE(table->set(1, nullptr));
  REQUIRE(table->fill(2, &other[1], 2));
  std::array<void*, 2> segment{&other[0], nullptr};
  REQUIRE(table->init(4, segment, 0, 2));
  REQUIRE(table->grow(1, &other[1]).has_value());

  CHECK(raw_slot(*table, 0) == tagged(&other[0]));
  CHECK(raw_slot(*table, 1) == kFuncRefInitBit);
  CHECK(raw_slot(*table, 3) == tagged(&other[1]));
  CHECK(raw_slot(*table, 5) == kFuncRefInitBit);
  CHECK(raw_slot(*table, 8) == tagged(&other[1]));

  CHECK(*table->get(0) == &other[0]);
  CHECK(*table->get(1) == nullptr);
  CHECK(*table->get(2) == &other[1]);
  CHECK(*table->get(4) == &other[0]);
  CHECK(*table->get(5) == nullptr);
  CHECK(*table->get(8) == &other[1]);
  CHECK(source.total_calls() == 0);
  CHECK(*table->get(6) == &source.funcs[6]);  // never written: still lazy
  CHECK(source.total_calls() == 1);
}

TEST_CASE("get and set are bounds-checked", "[table]") {
  auto table = funcref_table(2);
  VMFuncRef f;
  CHECK_FALSE(table->get(2).has_value());
  CHECK_FALSE(table->get(UINT64_MAX).has_value());
  CHECK_FALSE(table->set(2, &f));

  void* out = &f;
  CHECK(table_get(*table, 2, out) == TrapCode::TableOutOfBounds);
  CHECK(out == &f);  // untouched on a trap
  CHECK_FALSE(table_get(*table, 1, out));
  CHECK(out == nullptr);
  CHECK(table_set(*table, 5, &f) == TrapCode::TableOutOfBounds);
  CHECK_FALSE(table_set(*table, 1, &f));
  CHECK(*table->get(1) == &f);
}

TEST_CASE("fill bounds: len 0 at the end is fine, past it traps before writing", "[table]") {
  VMFuncRef f;
  auto table = funcref_table(4);
  CHECK_FALSE(table_fill(*table, 4, &f, 0));
  CHECK(table_fill(*table, 5, &f, 0) == TrapCode::TableOutOfBounds);
  CHECK(table_fill(*table, 3, &f, 2) == TrapCode::TableOutOfBounds);
  CHECK(table_fill(*table, 1, &f, UINT64_MAX) == TrapCode::TableOutOfBounds);
  for (uint64_t i = 0; i < 4; ++i) CHECK(raw_slot(*table, i) == 0);
  CHECK_FALSE(table_fill(*table, 2, &f, 2));
  CHECK(raw_slot(*table, 1) == 0);
  CHECK(raw_slot(*table, 2) == tagged(&f));
  CHECK(raw_slot(*table, 3) == tagged(&f));
}

TEST_CASE("copy within a table is overlap-safe in both directions", "[table]") {
  std::array<VMFuncRef, 6> funcs{};
  auto fresh = [&] {
    auto table = funcref_table(6);
    for (uint64_t i = 0; i < 6; ++i) REQUIRE(table->set(i, &funcs[i]));
    return table;
  };
  auto contents = [&](Table& table) {
    std::vector<VMFuncRef*> out;
    for (uint64_t i = 0; i < table.size(); ++i) out.push_back(static_cast<VMFuncRef*>(*table.get(i)));
    return out;
  };
  auto f = [&](int i) { return &funcs[i]; };

  auto up = fresh();
  REQUIRE(Table::copy(*up, *up, 2, 0, 4));
  CHECK(contents(*up) == std::vector<VMFuncRef*>{f(0), f(1), f(0), f(1), f(2), f(3)});

  auto down = fresh();
  REQUIRE(Table::copy(*down, *down, 0, 2, 4));
  CHECK(contents(*down) == std::vector<VMFuncRef*>{f(2), f(3), f(4), f(5), f(4), f(5)});
}

TEST_CASE("copy resolves lazy source slots with the source table's callback", "[table]") {
  LazySource src_source(4), dst_source(4);
  auto src = funcref_table(4);
  auto dst = funcref_table(4);
  src->set_lazy_init(src_source.callback());
  dst->set_lazy_init(dst_source.callback());

  REQUIRE(table_copy(*dst, *src, 0, 1, 3) == std::nullopt);
  CHECK(src_source.total_calls() == 3);
  CHECK(raw_slot(*dst, 0) == tagged(&src_source.funcs[1]));
  CHECK(*dst->get(2) == &src_source.funcs[3]);
  CHECK(*dst->get(3) == &dst_source.funcs[3]);  // not copied over: still dst's lazy element
  CHECK(dst_source.total_calls() == 1);
}

TEST_CASE("copy bounds on either table trap before writing", "[table]") {
  VMFuncRef f;
  auto src = funcref_table(4);
  auto dst = funcref_table(2);
  REQUIRE(src->fill(0, &f, 4));
  CHECK_FALSE(table_copy(*dst, *src, 2, 4, 0));
  CHECK(table_copy(*dst, *src, 3, 0, 0) == TrapCode::TableOutOfBounds);
  CHECK(table_copy(*dst, *src, 0, 5, 0) == TrapCode::TableOutOfBounds);
  CHECK(table_copy(*dst, *src, 0, 0, 3) == TrapCode::TableOutOfBounds);  // dst too small
  CHECK(table_copy(*dst, *src, 0, 3, 2) == TrapCode::TableOutOfBounds);  // src end = 5
  CHECK(table_copy(*dst, *src, 1, 1, UINT64_MAX) == TrapCode::TableOutOfBounds);
  CHECK(raw_slot(*dst, 0) == 0);
  CHECK(raw_slot(*dst, 1) == 0);
}

TEST_CASE("init copies segment elements with both ranges checked", "[table]") {
  std::array<VMFuncRef, 3> funcs{};
  std::array<void*, 3> segment{&funcs[0], &funcs[1], &funcs[2]};
  auto table = funcref_table(4);

  CHECK_FALSE(table_init(*table, segment, 2, 1, 2));
  CHECK(*table->get(2) == &funcs[1]);
  CHECK(*table->get(3) == &funcs[2]);

  auto untouched = funcref_table(4);
  CHECK_FALSE(table_init(*untouched, segment, 4, 3, 0));  // both ends exactly
  CHECK(table_init(*untouched, segment, 5, 0, 0) == TrapCode::TableOutOfBounds);
  CHECK(table_init(*untouched, segment, 0, 4, 0) == TrapCode::TableOutOfBounds);
  CHECK(table_init(*untouched, segment, 3, 0, 2) == TrapCode::TableOutOfBounds);
  CHECK(table_init(*untouched, segment, 0, 2, 2) == TrapCode::TableOutOfBounds);
  for (uint64_t i = 0; i < 4; ++i) CHECK(raw_slot(*untouched, i) == 0);

  const std::span<void* const> dropped;
  CHECK_FALSE(table_init(*untouched, dropped, 1, 0, 0));
  CHECK(table_init(*untouched, dropped, 1, 0, 1) == TrapCode::TableOutOfBounds);
}

TEST_CASE("grow returns the old size, respects the maximum and updates the definition", "[table]") {
  VMFuncRef f;
  auto table = funcref_table(1, 1000);
  REQUIRE(table->set(0, &f));
  VMTableDefinition slot;
  table->bind_definition(&slot);
  CHECK(slot.base == table->definition()->base);
  CHECK(slot.current_elements == 1);

  auto old = table->grow(999, nullptr);  // large enough to reallocate the slots
  REQUIRE(old.has_value());
  CHECK(*old == 1);
  CHECK(table->size() == 1000);
  CHECK(slot.current_elements == 1000);
  CHECK(static_cast<uintptr_t*>(slot.base)[0] == tagged(&f));
  CHECK(static_cast<uintptr_t*>(slot.base)[999] == kFuncRefInitBit);
  CHECK(*table->get(0) == &f);

  auto too_far = table->grow(1, nullptr);
  REQUIRE_FALSE(too_far.has_value());
  CHECK(too_far.error().kind() == ErrorKind::Resource);
  CHECK(table->size() == 1000);
  CHECK(slot.current_elements == 1000);
  CHECK_FALSE(table->grow(UINT64_MAX, nullptr).has_value());

  old = table->grow(0, nullptr);
  REQUIRE(old.has_value());
  CHECK(*old == 1000);
}

TEST_CASE("grow respects the hard cap and the resource limiter", "[table]") {
  TableSettings settings;
  settings.max_elements = 5;
  auto table = make_table(table_type(ValType::FuncRef, 2), settings);
  CHECK_FALSE(table->grow(4, nullptr).has_value());
  CHECK(table->grow(3, nullptr).has_value());
  CHECK(table->size() == 5);
  CHECK_FALSE(Table::create(table_type(ValType::FuncRef, 6), settings).has_value());
  CHECK_FALSE(Table::create(table_type(ValType::FuncRef, 10'000'001)).has_value());  // default cap

  RefusingLimiter limiter(4);
  auto created = Table::create(table_type(ValType::ExternRef, 2), {}, &limiter);
  REQUIRE(created.has_value());
  auto& limited = *created;
  CHECK(limiter.table_calls.back() == std::pair<uint64_t, uint64_t>{0, 2});
  CHECK(limited->grow(2, nullptr, &limiter).has_value());
  CHECK(limiter.table_calls.back() == std::pair<uint64_t, uint64_t>{2, 4});
  CHECK_FALSE(limited->grow(1, nullptr, &limiter).has_value());
  CHECK(limited->size() == 4);
  CHECK(limited->definition()->current_elements == 4);

  const size_t calls = limiter.table_calls.size();
  CHECK(limited->grow(0, nullptr, &limiter).has_value());
  CHECK(limiter.table_calls.size() == calls);  // a grow by 0 asks nobody

  RefusingLimiter none(0);
  CHECK_FALSE(Table::create(table_type(ValType::FuncRef, 1), {}, &none).has_value());
}

TEST_CASE("creation rejects a minimum above the maximum", "[table]") {
  auto result = Table::create(table_type(ValType::FuncRef, 3, 2));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().kind() == ErrorKind::Resource);
}

TEST_CASE("a table's type reports its current size as the minimum", "[table]") {
  auto table = funcref_table(1, 9);
  REQUIRE(table->grow(3, nullptr).has_value());
  CHECK(table->type() == table_type(ValType::FuncRef, 4, 9));
}

TEST_CASE("externref tables hold untagged opaque references", "[table]") {
  int a = 0, b = 0;
  auto table = make_table(table_type(ValType::ExternRef, 3));
  CHECK(table->element_type() == ValType::ExternRef);
  CHECK(raw_slot(*table, 0) == 0);
  CHECK(*table->get(0) == nullptr);
  CHECK(raw_slot(*table, 0) == 0);  // reading a null changes nothing

  REQUIRE(table->set(1, &a));
  CHECK(raw_slot(*table, 1) == reinterpret_cast<uintptr_t>(&a));
  CHECK(*table->get(1) == &a);

  REQUIRE(table->fill(0, &b, 1));
  REQUIRE(Table::copy(*table, *table, 2, 0, 1));
  CHECK(*table->get(2) == &b);

  REQUIRE(table->grow(2, &a).has_value());
  CHECK(raw_slot(*table, 4) == reinterpret_cast<uintptr_t>(&a));
  REQUIRE(table->grow(1, nullptr).has_value());
  CHECK(raw_slot(*table, 5) == 0);

  std::array<void*, 1> segment{&b};
  CHECK_FALSE(table_init(*table, segment, 5, 0, 1));
  CHECK(*table->get(5) == &b);
}
