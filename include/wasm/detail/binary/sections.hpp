#pragma once
// Section ids of the binary format and the order the known sections must come in; shared by
// the decoder and the constexpr shape scanner (env/module_shape.hpp).
#include <cstdint>
#include <iterator>

namespace wasm::detail {

enum class SectionId : uint8_t {
  Custom = 0,
  Type = 1,
  Import = 2,
  Function = 3,
  Table = 4,
  Memory = 5,
  Global = 6,
  Export = 7,
  Start = 8,
  Element = 9,
  Code = 10,
  Data = 11,
  DataCount = 12,
  Tag = 13,
};

// Position of a section in the required order (custom sections: 0, they may appear anywhere);
// -1 for an unknown id. Data count (12) comes before code, tags (13) between memories and
// globals.
constexpr int section_rank(uint8_t id) {
  constexpr int kRank[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
  return id < std::size(kRank) ? kRank[id] : -1;
}

}  // namespace wasm::detail
