#!/usr/bin/env python3
"""Generate single_include/wasm.hpp (include/wasm.hpp with every header of ours inlined) and
single_include/wasm_wasi.hpp (include/wasm/wasi/wasi.hpp the same way, on top of wasm.hpp).

Python 3 standard library only. Usage (from anywhere):

    python3 single_include/amalgamate.py [--output FILE] [--output-wasi FILE]
        # defaults: single_include/wasm.hpp, single_include/wasm_wasi.hpp

Rules:
  * `#include "wasm/..."` (or "wasm.hpp") lines are followed depth-first from include/wasm.hpp and
    resolved against include/ (or the including file's own folder first, as the preprocessor does).
  * A header with `#pragma once` is inlined the first time only; files without it (the X-macro
    tables `*.def`) are inlined at every include site, exactly as the preprocessor would expand them.
  * Each inlined file is wrapped in `// ---- begin include/<path> ----` / `// ---- end ... ----`.
  * `#include <...>` lines (standard library, xbyak, range-v3) stay where they are; one that
    already appeared at file scope outside any #if is dropped as a duplicate.
  * `#pragma once` lines of inlined files are dropped; the output has one at the top.
  * Headers that include/wasm.hpp does not reach are not part of the output. CMake's
    WASMPP_USE_SINGLE_INCLUDE mode reads the begin markers to know which headers the single header
    holds (it writes forwarding headers for those), so keep the marker format.
  * The definitions that separate compilation keeps out of most translation units (the
    `*_impl.hpp` files, see include/wasm/detail/base/inline.hpp) are not inlined where they are
    included but once, at the end, inside one `#if !defined(WASMPP_SEPARATE_COMPILATION) ||
    defined(WASMPP_IMPLEMENTATION)` block: header-only by default, and with
    WASMPP_SEPARATE_COMPILATION the one translation unit that defines WASMPP_IMPLEMENTATION
    before including the header gets them. (Inlined at their first include site, the headers
    they pull in would sit inside that #if, missing for a later include outside it.)
  * wasm_wasi.hpp includes "wasm.hpp" (expected beside it) and holds only the headers wasm.hpp
    does not: WASI is a separate header as in include/, so users without WASI do not pay for it.
  * The output depends only on the contents of include/: no dates, no absolute paths.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE_DIR = os.path.join(ROOT, "include")
ENTRY = "wasm.hpp"
WASI_ENTRY = "wasm/wasi/wasi.hpp"
IMPL_GUARD = "#if !defined(WASMPP_SEPARATE_COMPILATION) || defined(WASMPP_IMPLEMENTATION)"

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
PRAGMA_ONCE_RE = re.compile(r"^\s*#\s*pragma\s+once\b")
COND_OPEN_RE = re.compile(r"^\s*#\s*if(n?def)?\b")
COND_CLOSE_RE = re.compile(r"^\s*#\s*endif\b")

HEADER = """\
#pragma once
// wasmpp: a header-only WebAssembly runtime, as a single header.
//
// GENERATED FILE, do not edit: it is include/wasm.hpp with every wasmpp header inlined.
// Regenerate with `python3 single_include/amalgamate.py` after changing anything under include/.
// Needs on the include path: xbyak (<xbyak/...>) and range-v3 (<range/v3/...>); C++20.
//
// Header-only by default. Separately compiled: define WASMPP_SEPARATE_COMPILATION in every
// translation unit, and WASMPP_IMPLEMENTATION too in exactly one, before including this header.
// WASI: single_include/wasm_wasi.hpp, beside this file.
"""

WASI_HEADER = """\
#pragma once
// wasmpp's WASI (preview 1) support, as a single header beside single_include/wasm.hpp.
//
// GENERATED FILE, do not edit: it is include/wasm/wasi/wasi.hpp with every wasmpp header that
// wasm.hpp does not hold inlined. Regenerate with `python3 single_include/amalgamate.py`.
#include "wasm.hpp"
"""


class Amalgamator:
    def __init__(self):
        self.once_done = set()      # rel paths of `#pragma once` files already inlined
        self.system_seen = set()    # `#include <...>` already emitted at file scope
        self.out = []
        self.stack = []             # rel paths being inlined (cycle detection)
        self.deferred = []          # *_impl.hpp files, inlined at the end (see the docstring)
        self.in_deferred = False    # inside that block: includes are inlined where they are

    def resolve(self, name, including_dir):
        """Where `#include "name"` from a file in including_dir (relative to include/) points."""
        for base in (including_dir, ""):
            rel = os.path.normpath(os.path.join(base, name)).replace(os.sep, "/")
            if not rel.startswith("../") and os.path.isfile(os.path.join(INCLUDE_DIR, rel)):
                return rel
        return None

    def inline(self, rel, outer_cond=False):
        path = os.path.join(INCLUDE_DIR, rel)
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        has_once = any(PRAGMA_ONCE_RE.match(line) for line in lines)
        if has_once:
            if rel in self.once_done:
                return
            self.once_done.add(rel)
        if rel in self.stack:
            sys.exit("amalgamate.py: include cycle: " + " -> ".join(self.stack + [rel]))
        self.stack.append(rel)
        self.out.append(f"// ---- begin include/{rel} ----")
        depth = 0  # #if nesting inside this file
        including_dir = os.path.dirname(rel)
        for lineno, line in enumerate(lines, 1):
            if PRAGMA_ONCE_RE.match(line):
                continue
            if COND_OPEN_RE.match(line):
                depth += 1
            elif COND_CLOSE_RE.match(line):
                depth -= 1
            m = INCLUDE_RE.match(line)
            if m and m.group(1) == '"':
                target = self.resolve(m.group(2), including_dir)
                if target is None:
                    sys.exit(f"amalgamate.py: include/{rel}:{lineno}: cannot find "
                             f'"{m.group(2)}" under include/')
                if target.endswith("_impl.hpp") and not self.in_deferred:
                    if target not in self.deferred:
                        self.deferred.append(target)
                    continue
                self.inline(target, outer_cond or depth > 0)
                continue
            if m and m.group(1) == "<":
                key = m.group(2).strip()
                # Only unconditional includes are deduplicated: one inside #if may not have
                # happened, so a later one must stay.
                if depth == 0 and not outer_cond:
                    if key in self.system_seen:
                        continue
                    self.system_seen.add(key)
                self.out.append(f"#include <{key}>")
                continue
            self.out.append(line.rstrip())
        self.out.append(f"// ---- end include/{rel} ----")
        self.stack.pop()


    def inline_deferred(self):
        """The *_impl.hpp files, in one block at the end."""
        if not self.deferred:
            return
        self.out.append(IMPL_GUARD)
        self.in_deferred = True
        for rel in self.deferred:
            self.inline(rel, True)
        self.in_deferred = False
        self.out.append("#endif")

    def text(self):
        # The include sites of deferred files leave an empty guard: drop it.
        lines = []
        for line in self.out:
            if line.strip() == "#endif" and lines and lines[-1] == IMPL_GUARD:
                lines.pop()
                continue
            lines.append(line)
        return "\n".join(lines) + "\n"


def generate():
    """(wasm.hpp, wasm_wasi.hpp) as text."""
    a = Amalgamator()
    a.inline(ENTRY)
    a.inline_deferred()
    w = Amalgamator()
    w.once_done = set(a.once_done)
    w.system_seen = set(a.system_seen)
    w.inline(WASI_ENTRY)
    if w.deferred:
        sys.exit("amalgamate.py: WASI headers have *_impl.hpp files: " + ", ".join(w.deferred))
    return HEADER + a.text(), WASI_HEADER + w.text()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=os.path.join(ROOT, "single_include", "wasm.hpp"),
                        help="where to write the header (default: single_include/wasm.hpp)")
    parser.add_argument("--output-wasi", default=os.path.join(ROOT, "single_include", "wasm_wasi.hpp"),
                        help="where to write the WASI header (default: single_include/wasm_wasi.hpp)")
    args = parser.parse_args()
    for path, text in zip((args.output, args.output_wasi), generate()):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main()
