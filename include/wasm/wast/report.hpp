#pragma once
// Counts of one script (or of a whole run) and how they are printed.
#include <cstddef>
#include <map>
#include <ostream>
#include <string>

namespace wasm::wast {

struct FileReport {
  size_t passed = 0;
  size_t failed = 0;
  size_t skipped = 0;
  std::map<std::string, size_t> skip_reasons;

  void skip(const std::string& reason) {
    ++skipped;
    ++skip_reasons[reason];
  }

  FileReport& operator+=(const FileReport& o) {
    passed += o.passed;
    failed += o.failed;
    skipped += o.skipped;
    for (const auto& [reason, n] : o.skip_reasons) skip_reasons[reason] += n;
    return *this;
  }
};

// "N passed, N failed, N skipped"
inline std::string summary(const FileReport& r) {
  return std::to_string(r.passed) + " passed, " + std::to_string(r.failed) + " failed, " +
         std::to_string(r.skipped) + " skipped";
}

// The summary line, then one indented line per skip reason.
inline void print_report(std::ostream& os, const std::string& label, const FileReport& r) {
  os << label << ": " << summary(r) << "\n";
  for (const auto& [reason, n] : r.skip_reasons) os << "    " << n << " skipped: " << reason << "\n";
}

}  // namespace wasm::wast
