#pragma once
// --invoke: command-line words to wasm values and results back to text, as wasmtime prints
// them (integers in signed decimal, floats in the shortest form that reads back exactly).
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdlib>
#include <string>

#include <wasm.hpp>

#include "options.hpp"

namespace wasmpp_cli {

inline wasm::Val parse_value(wasm::ValType type, const std::string& word) {
  char* end = nullptr;
  errno = 0;
  auto bad = [&] { return UsageError{"cannot read \"" + word + "\" as " + std::string(wasm::valtype_name(type))}; };
  switch (type) {
    case wasm::ValType::I32: {
      long long v = word.size() && word[0] == '-' ? std::strtoll(word.c_str(), &end, 0)
                                                  : (long long)std::strtoull(word.c_str(), &end, 0);
      if (word.empty() || *end || errno || v < INT32_MIN || v > int64_t(UINT32_MAX)) throw bad();
      return wasm::Val(int32_t(uint32_t(v)));
    }
    case wasm::ValType::I64: {
      int64_t v = word.size() && word[0] == '-' ? std::strtoll(word.c_str(), &end, 0)
                                                : int64_t(std::strtoull(word.c_str(), &end, 0));
      if (word.empty() || *end || errno) throw bad();
      return wasm::Val(v);
    }
    case wasm::ValType::F32: {
      float v = std::strtof(word.c_str(), &end);
      if (word.empty() || *end) throw bad();
      return wasm::Val(v);
    }
    case wasm::ValType::F64: {
      double v = std::strtod(word.c_str(), &end);
      if (word.empty() || *end) throw bad();
      return wasm::Val(v);
    }
    default: throw UsageError{"--invoke cannot pass a " + std::string(wasm::valtype_name(type)) + " parameter"};
  }
}

inline std::string format_value(const wasm::Val& v) {
  char buf[64];
  switch (v.type()) {
    case wasm::ValType::I32: return std::to_string(v.i32());
    case wasm::ValType::I64: return std::to_string(v.i64());
    case wasm::ValType::F32: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.f32());
      return std::string(buf, r.ptr);
    }
    case wasm::ValType::F64: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.f64());
      return std::string(buf, r.ptr);
    }
    case wasm::ValType::V128: {
      std::string s = "0x";
      wasm::V128 x = v.v128();
      for (int i = 15; i >= 0; --i) {
        std::snprintf(buf, sizeof buf, "%02x", x.bytes[size_t(i)]);
        s += buf;
      }
      return s;
    }
    default: return v.is_null_ref() ? "null" : "<ref>";
  }
}

}  // namespace wasmpp_cli
