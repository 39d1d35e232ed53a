#pragma once
// Pinned counts for scripts that are not expected to pass fully yet.
//
// A pin file is tab-separated: `path  min_passed  max_failed`, one script a line; `#` starts a
// comment. A pin's path matches a script whose path ends with it ("core/binary.wast" matches
// ".../spec/core/binary.wast"). A script without a pin must have no failures.
// Pins only ever move toward all passed: raise min_passed, lower max_failed.
#include <cstddef>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "wasm/wast/report.hpp"
#include "wasm/wast/values.hpp"

namespace wasmpp_spec {

using wasm::wast::FileReport;
using wasm::wast::ScriptError;

// A count of a pin file: decimal digits only.
inline size_t parse_count(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
    throw ScriptError("bad count '" + s + "'");
  return size_t(std::stoull(s));
}

struct Pin {
  std::string path;
  size_t min_passed = 0;
  size_t max_failed = 0;
};

inline std::vector<Pin> parse_pins(std::istream& in) {
  std::vector<Pin> pins;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream fields(line);
    Pin pin;
    std::string min_passed, max_failed, extra;
    if (!(fields >> pin.path)) continue;  // blank or comment
    if (!(fields >> min_passed >> max_failed) || (fields >> extra))
      throw ScriptError("pin file line " + std::to_string(line_no) +
                        ": expected 'path<TAB>min_passed<TAB>max_failed'");
    try {
      pin.min_passed = parse_count(min_passed);
      pin.max_failed = parse_count(max_failed);
    } catch (const ScriptError& e) {
      throw ScriptError("pin file line " + std::to_string(line_no) + ": " + e.what());
    }
    pins.push_back(std::move(pin));
  }
  return pins;
}

inline std::vector<Pin> load_pins(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw ScriptError("cannot read pin file " + file);
  return parse_pins(in);
}

inline bool path_matches(const std::string& script, const std::string& pin_path) {
  if (script == pin_path) return true;
  return script.size() > pin_path.size() && script.ends_with(pin_path) &&
         script[script.size() - pin_path.size() - 1] == '/';
}

// The pin of `script`: the longest pin path it ends with, so that "wasm-3.0/proposals/x.wast"
// wins over "proposals/x.wast" for the 3.0 copy of a file.
inline const Pin* find_pin(const std::vector<Pin>& pins, const std::string& script) {
  const Pin* best = nullptr;
  for (const Pin& p : pins)
    if (path_matches(script, p.path) && (!best || p.path.size() > best->path.size())) best = &p;
  return best;
}

struct PinCheck {
  bool ok = true;
  std::string message;  // one line, without the newline
};

inline PinCheck check_pin(const Pin* pin, const std::string& script, const FileReport& r) {
  PinCheck out;
  if (!pin) {
    out.ok = r.failed == 0;
    out.message = "pin " + script + ": none, so 0 failed expected: " +
                  (out.ok ? "ok" : "FAILED (" + std::to_string(r.failed) + " failed)");
    return out;
  }
  out.ok = r.passed >= pin->min_passed && r.failed <= pin->max_failed;
  out.message = "pin " + pin->path + ": " + std::to_string(r.passed) + " passed (min " +
                std::to_string(pin->min_passed) + "), " + std::to_string(r.failed) + " failed (max " +
                std::to_string(pin->max_failed) + "): " + (out.ok ? "ok" : "FAILED");
  if (out.ok && (r.passed > pin->min_passed || r.failed < pin->max_failed))
    out.message += "; tighten the pin to " + pin->path + "\t" + std::to_string(r.passed) + "\t" +
                   std::to_string(r.failed);
  return out;
}

}  // namespace wasmpp_spec
