// Linear memories (mapping, growth, limits, guard pages, unmapping) and the bulk-memory
// helpers (fill, copy, init) with the 2.0 bounds rules.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "wasm/detail/vm/bulk_memory.hpp"
#include "wasm/detail/vm/linear_memory.hpp"

using namespace wasm;
using namespace wasm::detail;

namespace {

MemoryType memory_type(uint64_t min, std::optional<uint64_t> max = std::nullopt, bool is64 = false) {
  MemoryType type;
  type.limits.min = min;
  type.limits.max = max;
  type.is64 = is64;
  return type;
}

MemorySettings settings_for(BoundsChecks mode) {
  MemorySettings settings;
  settings.bounds_checks = mode;
  return settings;
}

std::unique_ptr<LinearMemory> make_memory(const MemoryType& type, const MemorySettings& settings = {}) {
  auto memory = LinearMemory::create(type, settings);
  REQUIRE(memory.has_value());
  return std::move(memory).value();
}

bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// Runs `body` in a forked child with default signal handling (Catch2 installs its own) and
// returns the child's wait status. The child exits with 0 if `body` returns.
int run_in_child(const std::function<void()>& body) {
  std::fflush(nullptr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGSEGV, SIG_DFL);
    std::signal(SIGBUS, SIG_DFL);
    body();
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

bool died_of_segv(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV; }
bool exited_cleanly(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

void touch(uint8_t* address) {
  volatile uint8_t* p = address;
  *p = static_cast<uint8_t>(*p + 1);
}

// Virtual size of this process, from /proc/self/status.
uint64_t virtual_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmSize:") {
      uint64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(4096, '\n');
  }
  FAIL("no VmSize in /proc/self/status");
  return 0;
}

// Records each question and answers yes while the desired size is at most `limit`.
struct RecordingLimiter : ResourceLimiter {
  uint64_t limit;
  std::vector<std::tuple<uint64_t, uint64_t, std::optional<uint64_t>>> memory_calls;
  explicit RecordingLimiter(uint64_t limit_bytes) : limit(limit_bytes) {}
  bool memory_growing(uint64_t current, uint64_t desired, std::optional<uint64_t> maximum) override {
    memory_calls.emplace_back(current, desired, maximum);
    return desired <= limit;
  }
};

}  // namespace

TEST_CASE("a new memory is zeroed, sized by its minimum and published", "[memory]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  auto max = GENERATE(std::optional<uint64_t>{}, std::optional<uint64_t>{4});
  auto memory = make_memory(memory_type(2, max), settings_for(mode));

  CHECK(memory->pages() == 2);
  CHECK(memory->size_bytes() == 2 * kPageSize);
  CHECK(memory->maximum_pages() == max);
  CHECK(memory->data().size() == 2 * kPageSize);
  CHECK(memory->data().data() == memory->base());
  CHECK(all_zero(memory->data()));
  CHECK(memory->definition()->base == memory->base());
  CHECK(memory->definition()->current_length == 2 * kPageSize);
}

TEST_CASE("an empty memory has length 0 and can grow", "[memory]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  auto memory = make_memory(memory_type(0), settings_for(mode));
  CHECK(memory->size_bytes() == 0);
  CHECK(memory->data().empty());
  REQUIRE(memory->grow(1).has_value());
  CHECK(memory->size_bytes() == kPageSize);
  CHECK(memory->definition()->base == memory->base());
  CHECK(memory->base() != nullptr);
  CHECK(all_zero(memory->data()));
}

TEST_CASE("grow within the maximum keeps old bytes and adds zeroed pages", "[memory]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  auto max = GENERATE(std::optional<uint64_t>{3}, std::optional<uint64_t>{});
  auto memory = make_memory(memory_type(1, max), settings_for(mode));
  memory->data()[0] = 0xAB;
  memory->data()[kPageSize - 1] = 0xCD;

  auto old = memory->grow(1);
  REQUIRE(old.has_value());
  CHECK(*old == 1);
  CHECK(memory->pages() == 2);
  CHECK(memory->data()[0] == 0xAB);
  CHECK(memory->data()[kPageSize - 1] == 0xCD);
  CHECK(all_zero(memory->data().subspan(kPageSize)));
  memory->data()[2 * kPageSize - 1] = 1;  // the new page is writable

  old = memory->grow(1);
  REQUIRE(old.has_value());
  CHECK(*old == 2);
  CHECK(memory->pages() == 3);
  CHECK(memory->data()[2 * kPageSize - 1] == 1);
}

TEST_CASE("grow past the maximum fails and changes nothing", "[memory]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  auto memory = make_memory(memory_type(1, 3), settings_for(mode));
  uint8_t* base = memory->base();

  auto too_far = memory->grow(3);
  REQUIRE_FALSE(too_far.has_value());
  CHECK(too_far.error().kind() == ErrorKind::Resource);
  CHECK(memory->pages() == 1);
  CHECK(memory->definition()->current_length == kPageSize);
  CHECK(memory->base() == base);

  CHECK(memory->grow(2).has_value());
  CHECK_FALSE(memory->grow(1).has_value());
  CHECK_FALSE(memory->grow(UINT64_MAX).has_value());  // no wrap-around in the page arithmetic
  CHECK(memory->pages() == 3);
}

TEST_CASE("a 32-bit memory stops at 65536 pages", "[memory]") {
  // Guard-page mode only changes protection, so reaching 4 GiB costs no real memory.
  auto memory = make_memory(memory_type(0));
  CHECK_FALSE(memory->grow(kMaxPages32 + 1).has_value());
  CHECK(memory->pages() == 0);
  auto old = memory->grow(kMaxPages32);
  REQUIRE(old.has_value());
  CHECK(*old == 0);
  CHECK(memory->size_bytes() == k32BitAddressSpace);
  CHECK_FALSE(memory->grow(1).has_value());

  auto explicit_memory = make_memory(memory_type(1), settings_for(BoundsChecks::Explicit));
  CHECK_FALSE(explicit_memory->grow(kMaxPages32).has_value());
  CHECK(explicit_memory->pages() == 1);
}

TEST_CASE("grow by 0 succeeds even at the maximum and does not ask the limiter", "[memory]") {
  auto memory = make_memory(memory_type(2, 2));
  RecordingLimiter limiter(0);
  auto old = memory->grow(0, &limiter);
  REQUIRE(old.has_value());
  CHECK(*old == 2);
  CHECK(memory->pages() == 2);
  CHECK(limiter.memory_calls.empty());
}

TEST_CASE("the resource limiter sees creation and growth in bytes and can refuse", "[memory]") {
  RecordingLimiter limiter(3 * kPageSize);
  auto created = LinearMemory::create(memory_type(1, 10), {}, &limiter);
  REQUIRE(created.has_value());
  auto& memory = *created;
  REQUIRE(limiter.memory_calls.size() == 1);
  CHECK(limiter.memory_calls[0] == std::tuple(uint64_t{0}, kPageSize, std::optional(10 * kPageSize)));

  CHECK(memory->grow(2, &limiter).has_value());
  CHECK(limiter.memory_calls.back() == std::tuple(kPageSize, 3 * kPageSize, std::optional(10 * kPageSize)));

  auto refused = memory->grow(1, &limiter);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().kind() == ErrorKind::Resource);
  CHECK(memory->pages() == 3);
  CHECK(memory->definition()->current_length == 3 * kPageSize);

  CHECK(memory->grow(1).has_value());  // the limiter is per call, not remembered

  RecordingLimiter stingy(0);
  auto not_created = LinearMemory::create(memory_type(1), {}, &stingy);
  REQUIRE_FALSE(not_created.has_value());
  CHECK(not_created.error().kind() == ErrorKind::Resource);
}

TEST_CASE("creation rejects minimums beyond the limits", "[memory]") {
  CHECK_FALSE(LinearMemory::create(memory_type(kMaxPages32 + 1)).has_value());
  CHECK_FALSE(LinearMemory::create(memory_type(3, 2)).has_value());
}

TEST_CASE("a bound definition is filled in and kept current by grow", "[memory]") {
  auto mode = GENERATE(BoundsChecks::GuardPages, BoundsChecks::Explicit);
  auto memory = make_memory(memory_type(1), settings_for(mode));
  VMMemoryDefinition slot;
  memory->bind_definition(&slot);
  CHECK(memory->definition() == &slot);
  CHECK(slot.base == memory->base());
  CHECK(slot.current_length == kPageSize);

  memory->data()[10] = 42;
  REQUIRE(memory->grow(5).has_value());
  CHECK(slot.base == memory->base());
  CHECK(slot.current_length == 6 * kPageSize);
  CHECK(slot.base[10] == 42);

  memory->bind_definition(nullptr);  // back to the memory's own definition
  CHECK(memory->definition() != &slot);
  CHECK(memory->definition()->current_length == 6 * kPageSize);
}

TEST_CASE("a memory's type reports its current size as the minimum", "[memory]") {
  auto memory = make_memory(memory_type(1, 5));
  REQUIRE(memory->grow(2).has_value());
  CHECK(memory->type() == memory_type(3, 5));
}

TEST_CASE("the layout chosen decides bounds checks and whether the base moves", "[memory]") {
  auto guarded = make_memory(memory_type(1));
  CHECK_FALSE(guarded->needs_bounds_checks());
  CHECK_FALSE(guarded->base_can_move());
  CHECK(guarded->guard_bytes() == kDefaultGuardBytes);

  auto reserved = make_memory(memory_type(1, 16), settings_for(BoundsChecks::Explicit));
  CHECK(reserved->needs_bounds_checks());
  CHECK_FALSE(reserved->base_can_move());
  uint8_t* base = reserved->base();
  REQUIRE(reserved->grow(15).has_value());
  CHECK(reserved->base() == base);

  auto moving = make_memory(memory_type(1), settings_for(BoundsChecks::Explicit));
  CHECK(moving->needs_bounds_checks());
  CHECK(moving->base_can_move());

  auto memory64 = make_memory(memory_type(1, std::nullopt, true));  // GuardPages asked for
  CHECK(memory64->needs_bounds_checks());
  CHECK(memory64->guard_bytes() == 0);
}

TEST_CASE("a moving memory keeps its contents across many grows", "[memory]") {
  auto memory = make_memory(memory_type(1), settings_for(BoundsChecks::Explicit));
  for (uint64_t page = 0; page < 40; ++page) {
    memory->data()[page * kPageSize] = static_cast<uint8_t>(page + 1);
    REQUIRE(memory->grow(1).has_value());
    CHECK(memory->definition()->base == memory->base());
  }
  for (uint64_t page = 0; page < 40; ++page)
    CHECK(memory->data()[page * kPageSize] == static_cast<uint8_t>(page + 1));
  CHECK(memory->data()[40 * kPageSize] == 0);
}

TEST_CASE("memory64 memories grow up to the configured page cap", "[memory]") {
  MemorySettings settings;
  settings.memory64_max_pages = 4;
  auto memory = make_memory(memory_type(1, std::nullopt, true), settings);
  CHECK(memory->type().is64);
  CHECK(memory->grow(3).has_value());
  CHECK_FALSE(memory->grow(1).has_value());
  CHECK(memory->pages() == 4);
  CHECK_FALSE(LinearMemory::create(memory_type(5, std::nullopt, true), settings).has_value());
}

TEST_CASE("guard pages: the last byte is accessible and the next one faults", "[memory][signals]") {
  auto memory = make_memory(memory_type(1, 2));
  uint8_t* base = memory->base();
  const uint64_t size = memory->size_bytes();

  touch(base + size - 1);
  CHECK(base[size - 1] == 1);
  CHECK(exited_cleanly(run_in_child([&] { touch(base + size - 1); })));
  CHECK(died_of_segv(run_in_child([&] { touch(base + size); })));
  // The furthest a 32-bit index plus a 32-bit offset plus a 16-byte access can reach.
  CHECK(died_of_segv(run_in_child([&] { touch(base + 0xFFFFFFFFull + 0xFFFFFFFFull + 15); })));

  REQUIRE(memory->grow(1).has_value());
  CHECK(base[size] == 0);
  touch(base + size);  // accessible in this process now
  CHECK(died_of_segv(run_in_child([&] { touch(base + 2 * size); })));
}

TEST_CASE("explicit mode with a reserved maximum faults past the end too", "[memory][signals]") {
  auto memory = make_memory(memory_type(1, 4), settings_for(BoundsChecks::Explicit));
  uint8_t* base = memory->base();
  CHECK(exited_cleanly(run_in_child([&] { touch(base + kPageSize - 1); })));
  CHECK(died_of_segv(run_in_child([&] { touch(base + kPageSize); })));
}

TEST_CASE("guard_covers_access matches the reservation's arithmetic", "[memory]") {
  CHECK(guard_covers_access(kDefaultGuardBytes, 0xFFFFFFFFull, 16));
  CHECK(guard_covers_access(2 * kGiB, 2 * kGiB - 7, 8));
  CHECK_FALSE(guard_covers_access(2 * kGiB, 2 * kGiB - 6, 8));
  CHECK(guard_covers_access(0, 0, 1));  // one byte at the index itself never passes 4 GiB
  CHECK_FALSE(guard_covers_access(0, 0, 2));
  CHECK_FALSE(guard_covers_access(kDefaultGuardBytes, UINT64_MAX, 1));
  CHECK_FALSE(guard_covers_access(kDefaultGuardBytes, 0, 0));
}

TEST_CASE("memories are unmapped when destroyed", "[memory]") {
  const uint64_t before = virtual_bytes();
  auto guarded = make_memory(memory_type(1));
  CHECK(virtual_bytes() >= before + k32BitAddressSpace + kDefaultGuardBytes);
  guarded.reset();
  CHECK(virtual_bytes() < before + kPageSize * 16);

  auto moving = make_memory(memory_type(1024), settings_for(BoundsChecks::Explicit));  // 64 MiB
  CHECK(virtual_bytes() >= before + 1024 * kPageSize);
  moving.reset();
  CHECK(virtual_bytes() < before + kPageSize * 16);
}

TEST_CASE("memories never share bytes", "[memory]") {
  auto a = make_memory(memory_type(1));
  auto b = make_memory(memory_type(1));
  a->data()[0] = 7;
  CHECK(b->data()[0] == 0);
  CHECK(a->base() != b->base());
}

// ---- bulk memory ---------------------------------------------------------------------------

namespace {

// A 16-byte "memory" holding 0, 1, ..., 15.
struct SmallMemory {
  std::vector<uint8_t> bytes;
  VMMemoryDefinition def;
  SmallMemory() : bytes(16) {
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i);
    def.base = bytes.data();
    def.current_length = bytes.size();
  }
  std::vector<uint8_t> original() const { return SmallMemory().bytes; }
};

}  // namespace

TEST_CASE("memory.fill writes the low byte over the range", "[bulk]") {
  SmallMemory m;
  CHECK_FALSE(memory_fill(m.def, 2, 0xEE, 3));
  CHECK(m.bytes == std::vector<uint8_t>{0, 1, 0xEE, 0xEE, 0xEE, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  CHECK_FALSE(memory_fill(m.def, 0, 0xAA, 16));
  CHECK(std::all_of(m.bytes.begin(), m.bytes.end(), [](uint8_t b) { return b == 0xAA; }));
}

TEST_CASE("memory.fill bounds: len 0 at the end is fine, anything further traps untouched", "[bulk]") {
  SmallMemory m;
  CHECK_FALSE(memory_fill(m.def, 16, 0xFF, 0));
  CHECK(memory_fill(m.def, 17, 0xFF, 0) == TrapCode::MemoryOutOfBounds);
  CHECK(memory_fill(m.def, 15, 0xFF, 2) == TrapCode::MemoryOutOfBounds);
  CHECK(memory_fill(m.def, 1, 0xFF, UINT64_MAX) == TrapCode::MemoryOutOfBounds);  // would wrap
  CHECK(memory_fill(m.def, UINT64_MAX, 0xFF, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(m.bytes == m.original());  // no partial write
}

TEST_CASE("memory.copy handles overlap in both directions", "[bulk]") {
  SmallMemory forward;
  CHECK_FALSE(memory_copy(forward.def, forward.def, 2, 0, 6));  // dst above src
  CHECK(forward.bytes == std::vector<uint8_t>{0, 1, 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15});

  SmallMemory backward;
  CHECK_FALSE(memory_copy(backward.def, backward.def, 0, 2, 6));  // dst below src
  CHECK(backward.bytes == std::vector<uint8_t>{2, 3, 4, 5, 6, 7, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
}

TEST_CASE("memory.copy between two memories", "[bulk]") {
  SmallMemory src;
  auto dst = make_memory(memory_type(1));
  VMMemoryDefinition& dst_def = *dst->definition();
  CHECK_FALSE(memory_copy(dst_def, src.def, kPageSize - 4, 12, 4));
  CHECK(dst->data()[kPageSize - 4] == 12);
  CHECK(dst->data()[kPageSize - 1] == 15);
  CHECK(dst->data()[kPageSize - 5] == 0);
}

TEST_CASE("memory.copy bounds on either side trap before writing", "[bulk]") {
  SmallMemory m;
  CHECK_FALSE(memory_copy(m.def, m.def, 16, 0, 0));
  CHECK_FALSE(memory_copy(m.def, m.def, 0, 16, 0));
  CHECK(memory_copy(m.def, m.def, 17, 0, 0) == TrapCode::MemoryOutOfBounds);
  CHECK(memory_copy(m.def, m.def, 0, 17, 0) == TrapCode::MemoryOutOfBounds);
  CHECK(memory_copy(m.def, m.def, 0, 9, 8) == TrapCode::MemoryOutOfBounds);   // src end = 17
  CHECK(memory_copy(m.def, m.def, 9, 0, 8) == TrapCode::MemoryOutOfBounds);   // dst end = 17
  CHECK(memory_copy(m.def, m.def, 8, 8, UINT64_MAX) == TrapCode::MemoryOutOfBounds);
  CHECK(m.bytes == m.original());
  CHECK_FALSE(memory_copy(m.def, m.def, 8, 0, 8));  // exactly to the end
  CHECK(m.bytes[15] == 7);
}

TEST_CASE("memory.init copies from the segment with both ranges checked", "[bulk]") {
  SmallMemory m;
  const std::vector<uint8_t> segment{0xA0, 0xA1, 0xA2, 0xA3};
  CHECK_FALSE(memory_init(m.def, segment, 14, 1, 2));
  CHECK(m.bytes[13] == 13);
  CHECK(m.bytes[14] == 0xA1);
  CHECK(m.bytes[15] == 0xA2);

  SmallMemory n;
  CHECK_FALSE(memory_init(n.def, segment, 16, 4, 0));  // both ends exactly
  CHECK(memory_init(n.def, segment, 0, 5, 0) == TrapCode::MemoryOutOfBounds);
  CHECK(memory_init(n.def, segment, 17, 0, 0) == TrapCode::MemoryOutOfBounds);
  CHECK(memory_init(n.def, segment, 0, 1, 4) == TrapCode::MemoryOutOfBounds);
  CHECK(memory_init(n.def, segment, 13, 0, 4) == TrapCode::MemoryOutOfBounds);
  CHECK(n.bytes == n.original());

  const std::span<const uint8_t> dropped;
  CHECK_FALSE(memory_init(n.def, dropped, 3, 0, 0));
  CHECK(memory_init(n.def, dropped, 3, 0, 1) == TrapCode::MemoryOutOfBounds);
  CHECK(memory_init(n.def, dropped, 3, 1, 0) == TrapCode::MemoryOutOfBounds);
}

TEST_CASE("bulk operations on an empty memory", "[bulk]") {
  auto memory = make_memory(memory_type(0), settings_for(BoundsChecks::Explicit));
  const VMMemoryDefinition& def = *memory->definition();
  CHECK_FALSE(memory_fill(def, 0, 1, 0));
  CHECK(memory_fill(def, 0, 1, 1) == TrapCode::MemoryOutOfBounds);
  CHECK_FALSE(memory_copy(def, def, 0, 0, 0));
  CHECK(memory_copy(def, def, 1, 0, 0) == TrapCode::MemoryOutOfBounds);
}
