#pragma once
// Parses the `name` custom section (module, function and local names) for backtraces.
// Custom sections never make a module malformed: a broken name section is ignored as a whole.
#include <span>
#include <string>

#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/binary/utf8.hpp"
#include "wasm/detail/binary/module_info.hpp"

namespace wasm::detail {

namespace name_section_detail {

inline bool read_name(Reader& r, std::string& out) {
  uint32_t len = r.u32();
  auto bytes = r.bytes(len);
  if (!r.ok() || !is_valid_utf8(bytes)) return false;
  out.assign(bytes.begin(), bytes.end());
  return true;
}

template <typename Map>
bool read_name_map(Reader& r, Map& out) {
  uint32_t count = r.u32();
  if (count > r.remaining()) return false;
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    uint32_t index = r.u32();
    std::string name;
    if (!read_name(r, name)) return false;
    out[index] = std::move(name);
  }
  return r.ok();
}

}  // namespace name_section_detail

// Returns the parsed names, or an empty NameSection when the payload is malformed.
inline NameSection parse_name_section(std::span<const uint8_t> payload, size_t base_offset) {
  using namespace name_section_detail;
  NameSection names;
  Reader r(payload, base_offset);
  int last_id = -1;
  while (r.ok() && !r.at_end()) {
    uint8_t id = r.u8();
    uint32_t size = r.u32();
    Reader sub = r.sub(size);
    if (!r.ok() || id <= last_id) return {};
    last_id = id;
    bool ok = true;
    switch (id) {
      case 0: {
        std::string module_name;
        ok = read_name(sub, module_name);
        if (ok) names.module = std::move(module_name);
        break;
      }
      case 1: ok = read_name_map(sub, names.functions); break;
      case 2: {
        uint32_t count = sub.u32();
        if (count > sub.remaining()) return {};
        for (uint32_t i = 0; i < count && ok && sub.ok(); ++i) {
          uint32_t func = sub.u32();
          ok = read_name_map(sub, names.locals[func]);
        }
        break;
      }
      default: continue;  // other subsections (labels, types, ...) are not needed
    }
    if (!ok || !sub.ok() || !sub.at_end()) return {};
  }
  return r.ok() ? names : NameSection{};
}

}  // namespace wasm::detail
