// Runs a WASI command module under node's built-in WASI (node:wasi), the way `wasmpp run` does:
//   node [V8 flags] bench/node_wasi_runner.mjs FILE.wasm [ARGS...]
// The V8 flags pick the tier: --liftoff --no-wasm-tier-up (baseline only) or --no-liftoff
// (TurboFan only). stdout/stderr are the process's; the exit code is the module's.
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node node_wasi_runner.mjs FILE.wasm [ARGS...]\n');
  process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
