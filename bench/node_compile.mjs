// Compile throughput of V8 on one module, in process:
//   node [V8 flags] bench/node_compile.mjs FILE.wasm [REPS]
// Times `new WebAssembly.Module(bytes)` (decode + validate + compile of every function, eagerly:
// run it with --no-wasm-lazy-compilation) REPS times and prints one JSON object with the median
// and MB of code section per second, by wall clock and by process CPU time (all threads). Each repetition appends a different custom section, so V8's
// per-process module cache never answers from an earlier compilation.
import { readFileSync } from 'node:fs';
import process from 'node:process';

function readUleb(bytes, pos) {
  let result = 0, shift = 0, b;
  do {
    b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, pos];
}

function codeSectionBytes(bytes) {
  // The sum of the function bodies' sizes (what wasmpp's compile_bench counts).
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, start] = readUleb(bytes, pos + 1);
    if (id === 10) {
      let [count, p] = readUleb(bytes, start);
      let total = 0;
      for (let i = 0; i < count; ++i) {
        const [len, body] = readUleb(bytes, p);
        total += len;
        p = body + len;
      }
      return total;
    }
    pos = start + size;
  }
  return 0;
}

const [file, repsArg] = process.argv.slice(2);
const reps = Math.max(1, Number(repsArg ?? 5));
const base = readFileSync(file);
const codeBytes = codeSectionBytes(base);
const times = [], cpu = [];
for (let i = 0; i < reps; ++i) {
  // Custom section "bench-<i>": id 0, size, name length, name.
  const name = Buffer.from(`bench-${i}`);
  const section = Buffer.concat([Buffer.from([0, name.length + 1, name.length]), name]);
  const bytes = Buffer.concat([base, section]);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  new WebAssembly.Module(bytes);
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  times.push(Number(t1 - t0) / 1e9);
  cpu.push((c1.user + c1.system) / 1e6);
}
const median = (v) => {
  v.sort((a, b) => a - b);
  return reps % 2 ? v[(reps - 1) / 2] : (v[reps / 2 - 1] + v[reps / 2]) / 2;
};
const wall = median(times), cpuSeconds = median(cpu);
console.log(JSON.stringify({ file, code_section_bytes: codeBytes, reps, seconds: wall,
                             mb_per_s: codeBytes / 1e6 / wall, cpu_seconds: cpuSeconds,
                             mb_per_cpu_s: codeBytes / 1e6 / cpuSeconds }));
