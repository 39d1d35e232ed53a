#pragma once
// Engine-wide function type ids. Two functions have the same id exactly when their types are
// equal, so call_indirect compares one u32 instead of two signatures. Id 0 is never used.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "wasm/types.hpp"

namespace wasm::detail {

class TypeRegistry {
 public:
  uint32_t intern(const FuncType& type) {
    std::string key = encode(type);
    std::lock_guard lock(mutex_);
    auto [it, inserted] = ids_.try_emplace(std::move(key), uint32_t(types_.size() + 1));
    if (inserted) types_.push_back(type);
    return it->second;
  }
  // The type of an id returned by intern(); references stay valid for the registry's life.
  const FuncType& lookup(uint32_t id) const {
    std::lock_guard lock(mutex_);
    return types_[id - 1];
  }

 private:
  static std::string encode(const FuncType& type) {
    std::string key;
    key.reserve(type.params.size() + type.results.size() + 1);
    for (ValType t : type.params) key.push_back(char(t));
    key.push_back('\x01');  // not a value type byte (0x7C, f64, is '|')
    for (ValType t : type.results) key.push_back(char(t));
    return key;
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::deque<FuncType> types_;
};

}  // namespace wasm::detail
