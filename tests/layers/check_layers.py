#!/usr/bin/env python3
"""Fails when a header under include/ includes one from a later layer.

The layers, each using only those before it (issue 20, ARCHITECTURE.md):
  base   wasm/{types,error,result,config,features}.hpp, wasm/detail/base/
  binary wasm/detail/binary/    the binary format: reader, opcodes, decoder, validator, ModuleInfo
  text   wasm/detail/text/      the text format, encoded to binary
  env    wasm/detail/env/       pure data derived from a module: layouts, shapes, offsets
  jit    wasm/detail/jit/       machine code: compiler tiers, calling convention, trampolines
  vm     wasm/detail/vm/        the runtime: instances, memories, tables, traps, builtins
  api    wasm.hpp, wasm/*.hpp, wasm/detail/api/
  wasi   wasm/wasi/             (built on the public API only)
  wast   wasm/wast/             (built on the public API and the text format only)
Files of one layer may include each other. Prints each bad edge as FILE:LINE and exits 1.
"""
import pathlib
import re
import sys

BASE_FILES = {"wasm/types.hpp", "wasm/error.hpp", "wasm/result.hpp", "wasm/config.hpp",
              "wasm/features.hpp", "wasm/pooling_config.hpp"}
# (layer name, rank); wasi and wast share a rank but must not include each other.
FOLDERS = [("wasm/detail/base/", "base", 0), ("wasm/detail/binary/", "binary", 1),
           ("wasm/detail/text/", "text", 2), ("wasm/detail/env/", "env", 3),
           ("wasm/detail/jit/", "jit", 4), ("wasm/detail/vm/", "vm", 5),
           ("wasm/detail/api/", "api", 6), ("wasm/wasi/", "wasi", 7), ("wasm/wast/", "wast", 7)]


def layer_of(rel):
    if rel in BASE_FILES:
        return "base", 0
    for prefix, name, rank in FOLDERS:
        if rel.startswith(prefix):
            return name, rank
    if rel == "wasm.hpp" or rel == "wasm/impl.hpp" or re.fullmatch(r"wasm/[^/]+\.hpp", rel):
        return "api", 6
    return None, None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "include")
    include = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    bad = []
    files = sorted(p for p in root.rglob("*") if p.suffix in (".hpp", ".def", ".h"))
    for path in files:
        rel = path.relative_to(root).as_posix()
        name, rank = layer_of(rel)
        if name is None:
            bad.append(f"{path}: not in any layer (add its folder to tests/layers/check_layers.py)")
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = include.match(line)
            if not m:
                continue
            target = m.group(1)
            tname, trank = layer_of(target)
            if tname is None:
                bad.append(f"{path}:{lineno}: includes {target}, which is in no layer")
            elif trank > rank or (trank == rank and tname != name):
                bad.append(f"{path}:{lineno}: {name} includes {target} ({tname}), a later layer")
    for b in bad:
        print(b)
    print(f"{len(files)} files checked, {len(bad)} bad include edges")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
