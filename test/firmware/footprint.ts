// The footprint table of docs/firmware.md, measured: code and static data of the wasm2c core
// for ARMv7 (Thumb-2 -Os, ARM -O2), static RAM of a minimal image with and without the unused
// exception buffer, linear memory per board, the wasm files V8 runs, instructions per MiB of
// base64 body in each engine, and the wasm features the module needs. `npm run test:firmware`
// writes it between the footprint markers of docs/firmware.md.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { Core, coreWasmPath } from "../../host/core/core.js";
import { boardNames, resolveBoard } from "../../host/config/board.js";
import { MimeWriter } from "../../host/core/mime.js";
import { ARM_SYSROOT, hasCommand, outDir, replayCommand, replayer, root } from "./toolchain.js";
import { ENCODE_BOARD, recordEncodeTape } from "./encode-tape.js";

const fmt = (n: number | null | undefined) => (n === null || n === undefined ? "—" : Math.round(n).toLocaleString("en-US"));

/** Section sizes of an object or image (binutils `size -A`). */
function sections(file: string): Record<string, number> {
  const r = spawnSync("arm-linux-gnueabihf-size", ["-A", file], { encoding: "utf8" });
  const out: Record<string, number> = {};
  for (const line of r.stdout.split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}
const sum = (s: Record<string, number>, names: string[]) => names.reduce((a, n) => a + (s[n] ?? 0), 0);
const ram = (s: Record<string, number>) => sum(s, [".data", ".bss"]);

function codeTable(): string {
  const thumb = sections(join(outDir, "core-thumb-Os.o"));
  const arm = sections(join(outDir, "core-arm-O2.o"));
  const rt = sections(join(outDir, "rt-thumb-Os.o"));
  const row = (what: string, a: number, b: number | null) => `| ${what} | ${fmt(a)} | ${fmt(b)} |`;
  return [
    "| compiled core (wasm2c output of build/core.nosimd.wasm) | Thumb-2 `-Os` | ARM `-O2` |",
    "| --- | ---: | ---: |",
    row("`.text` (code)", thumb[".text"] ?? 0, arm[".text"] ?? 0),
    row("`.rodata` (data segments, constant tables)", thumb[".rodata"] ?? 0, arm[".rodata"] ?? 0),
    row("static RAM: `.data` + `.bss`", ram(thumb), ram(arm)),
    row("`wasm-rt-impl.c`: `.text`", rt[".text"] ?? 0, null),
    row("`wasm-rt-impl.c`: `.data` + `.bss`", ram(rt), null),
  ].join("\n");
}

function staticRamTable(): string {
  const plain = sections(join(outDir, "fw-min-armv7"));
  const gc = sections(join(outDir, "fw-min-armv7-gc"));
  return [
    "| minimal image (`native/firmware/min.c`, Thumb-2 `-Os`, glibc) | `.data` | `.bss` | static RAM |",
    "| --- | ---: | ---: | ---: |",
    `| linked as is | ${fmt(plain[".data"])} | ${fmt(plain[".bss"])} | ${fmt(ram(plain))} |`,
    `| \`wasm-rt-impl.c\` with \`-ffunction-sections -fdata-sections\`, linked \`--gc-sections\` | ${fmt(gc[".data"])} | ${fmt(gc[".bss"])} | ${fmt(ram(gc))} |`,
    `| saved (the exception buffer and its helpers) | | | ${fmt(ram(plain) - ram(gc))} |`,
  ].join("\n");
}

/** The MIME writer's staging buffer as a session carves it (host/session/driver.ts). */
const stageOf = (outCap: number) => Math.max(4096, Math.min(65536, outCap >> 2));

async function v8Memory(core: { inCap: number; outCap: number; lineMax: number; eventTextCap: number }, simd: boolean): Promise<number> {
  const c = await Core.create({ ...core, simd });
  new MimeWriter(c).configure(stageOf(core.outCap));
  c.start();
  return c.memoryBytes();
}

async function memoryTable(): Promise<string> {
  const rows = ["| board | `core.simd` | V8, SIMD build | V8, no-SIMD build | wasm2c (x86-64 and ARMv7) | `memoryMax` |", "| --- | --- | ---: | ---: | ---: | ---: |"];
  for (const name of boardNames()) {
    const b = resolveBoard(name).core;
    const sizes = [b.inCap, b.outCap, b.lineMax, b.eventTextCap, stageOf(b.outCap)].map(String);
    const native = (["x86_64", "armv7"] as const).map((engine) => {
      const [cmd, args] = replayCommand(engine, ["--memory", ...sizes]);
      return spawnSync(cmd, args, { encoding: "utf8" }).stdout.trim();
    });
    const w2c = native[0] === native[1] ? fmt(Number(native[0])) : `${native[0]} / ${native[1]} (differ)`;
    rows.push(`| ${name} | ${b.simd !== false} | ${fmt(await v8Memory(b, true))} | ${fmt(await v8Memory(b, false))} | ${w2c} | ${fmt(b.memoryMax)} |`);
  }
  return rows.join("\n");
}

function wasmTable(): string {
  const row = (what: string, file: string) => {
    const b = readFileSync(file);
    return `| ${what} | ${fmt(b.length)} | ${fmt(gzipSync(b, { level: 9 }).length)} |`;
  };
  return ["| wasm file | bytes | gzipped (zlib, level 9) |", "| --- | ---: | ---: |",
    row("`build/core.wasm` (SIMD, V8)", coreWasmPath(true)), row("`build/core.nosimd.wasm` (firmware build)", coreWasmPath(false))].join("\n");
}

function featureTable(): string {
  const file = coreWasmPath(false);
  const features: [string, string][] = [
    ["bulk memory (memory.copy, memory.fill)", "bulk-memory"], ["non-trapping float-to-int", "saturating-float-to-int"],
    ["sign-extension operators", "sign-extension"], ["import/export of mutable globals", "mutable-globals"],
    ["multi-value", "multi-value"], ["reference types", "reference-types"], ["SIMD", "simd"],
  ];
  const rows = ["| feature (`wasm-validate --disable-…`) | `core.nosimd.wasm` needs it |", "| --- | --- |"];
  for (const [what, flag] of features) {
    const needed = spawnSync("wasm-validate", [`--disable-${flag}`, file]).status !== 0;
    rows.push(`| ${what} | ${needed ? "**yes**" : "no"} |`);
  }
  return rows.join("\n");
}

/** Instructions callgrind counts for a command (optionally only inside matching functions). */
function callgrind(cmd: string, args: string[], toggle?: string): number | null {
  const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", ...(toggle ? [`--toggle-collect=${toggle}`] : []), cmd, ...args],
    { cwd: root, encoding: "utf8", timeout: 900_000 });
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr ?? "");
  return m ? Number(m[1]) : null;
}

/** Address ranges of the core's own code in the ARM replayer (wasm2c functions and runtime). */
function coreRanges(): [number, number][] {
  const r = spawnSync("arm-linux-gnueabihf-nm", ["-S", "--defined-only", replayer.armv7], { encoding: "utf8" });
  const out: [number, number][] = [];
  for (const line of r.stdout.split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) [tT] (w2c_\S+|Z_core\S+|wasm_rt_\S+)$/.exec(line);
    if (m) out.push([parseInt(m[1]!, 16), parseInt(m[1]!, 16) + parseInt(m[2]!, 16)]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Guest instructions qemu-arm executes replaying a tape: translated blocks from `-d in_asm`
 *  (their instruction count), executions from `-d exec,nochain` (every block entry logged). */
async function qemuInstructions(tape: string, ranges: [number, number][]): Promise<{ total: number; core: number }> {
  const child = spawn("qemu-arm", ["-L", ARM_SYSROOT, "-d", "in_asm,exec,nochain", replayer.armv7, tape], { stdio: ["ignore", "ignore", "pipe"] });
  const size = new Map<number, number>();
  const inCore = (pc: number) => ranges.some(([a, b]) => pc >= a && pc < b);
  const coreAt = new Map<number, boolean>();
  let blockPc = -1;
  let blockLen = 0;
  let total = 0;
  let core = 0;
  for await (const line of createInterface({ input: child.stderr })) {
    if (line.startsWith("0x")) {
      if (blockLen++ === 0) blockPc = parseInt(line.slice(2, line.indexOf(":")), 16);
    } else if (line.startsWith("Trace ")) {
      if (blockLen > 0) { size.set(blockPc, blockLen); blockLen = 0; }
      const pc = parseInt(line.slice(line.indexOf("/") + 1, line.indexOf("/", line.indexOf("/") + 1)), 16);
      const n = size.get(pc) ?? 0;
      total += n;
      let c = coreAt.get(pc);
      if (c === undefined) coreAt.set(pc, (c = inCore(pc)));
      if (c) core += n;
    } else if (line.startsWith("IN:")) blockLen = 0;
  }
  return { total, core };
}

async function instructionsTable(work: string, log: (s: string) => void): Promise<string> {
  const tapes: Record<number, string> = {};
  for (const mib of [0, 1, 8]) {
    tapes[mib] = join(work, `encode-${mib}mib.tape`);
    await recordEncodeTape(tapes[mib]!, mib);
  }
  const perMib = (a: number | null, b: number | null, mib: number) => (a === null || b === null ? null : (b - a) / mib);
  const rows = ["| engine (the same tapes) | how counted | whole replay | in the core's code |", "| --- | --- | ---: | ---: |"];
  const valgrind = hasCommand("valgrind");
  for (const simd of [true, false]) {
    if (!valgrind) { rows.push(`| V8, ${simd ? "SIMD" : "no-SIMD"} build | valgrind not installed | — | — |`); continue; }
    log(`footprint: callgrind, V8 ${simd ? "SIMD" : "no-SIMD"} (0 and 8 MiB)`);
    // one thread, TurboFan only, no tier-up: V8 decides by wall time, which valgrind slows ~50×
    const run = (t: string) => callgrind(process.execPath, ["--single-threaded", "--no-liftoff", "--no-wasm-tier-up",
      join(root, "test/firmware/replay-one.mjs"), simd ? "simd" : "nosimd", t]);
    rows.push(`| V8, ${simd ? "SIMD" : "no-SIMD"} build | callgrind, x86-64, (8 MiB − 0 MiB) / 8 | ${fmt(perMib(run(tapes[0]!), run(tapes[8]!), 8))} | — |`);
  }
  if (valgrind) {
    log("footprint: callgrind, wasm2c x86-64 (0 and 1 MiB)");
    const all = perMib(callgrind(replayer.x86_64, [tapes[0]!]), callgrind(replayer.x86_64, [tapes[1]!]), 1);
    const own = perMib(callgrind(replayer.x86_64, [tapes[0]!], "Z_coreZ_*"), callgrind(replayer.x86_64, [tapes[1]!], "Z_coreZ_*"), 1);
    rows.push(`| wasm2c x86-64, gcc \`-O2\` | callgrind, 1 MiB − 0 MiB | ${fmt(all)} | ${fmt(own)} |`);
  } else rows.push("| wasm2c x86-64, gcc `-O2` | valgrind not installed | — | — |");
  log("footprint: qemu-arm block trace, wasm2c ARMv7 (0 and 1 MiB)");
  const ranges = coreRanges();
  const q0 = await qemuInstructions(tapes[0]!, ranges);
  const q1 = await qemuInstructions(tapes[1]!, ranges);
  rows.push(`| wasm2c ARMv7, gcc \`-O2 -marm\` | qemu-arm \`-d in_asm,exec,nochain\`, 1 MiB − 0 MiB | ${fmt(q1.total - q0.total)} | ${fmt(q1.core - q0.core)} |`);
  for (const t of Object.values(tapes)) rmSync(t, { force: true }); // ~22 MB, re-recorded each run
  return rows.join("\n");
}

export async function measureFootprint(work: string, log: (s: string) => void): Promise<string> {
  const gcc = spawnSync("arm-linux-gnueabihf-gcc", ["-dumpfullversion"], { encoding: "utf8" }).stdout.trim();
  return [
    `Measured by \`npm run test:firmware\` (test/firmware/footprint.ts); arm-linux-gnueabihf-gcc ${gcc}, \`-march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard\`.`,
    "", codeTable(), "", staticRamTable(), "",
    `Linear memory after \`configure\`, \`setInt(FieldMimeStage)\` (the session's staging size) and \`start\`, with each board's sizes:`,
    "", await memoryTable(), "", wasmTable(), "",
    `Instructions per MiB of base64 body: the MIME writer encoding a scan with the ${ENCODE_BOARD} board's buffers ` +
      "(test/firmware/encode-tape.ts), replayed from a tape. \"Whole replay\" includes the replayer copying the scan in and " +
      "comparing the wire bytes with the tape; \"in the core's code\" counts only the core's functions " +
      "(wasm2c's `w2c_*`, the `Z_coreZ_*` exports, `wasm_rt_*`; for ARM calls into libc such as `memcpy` are outside).",
    "", await instructionsTable(work, log), "", featureTable(),
  ].join("\n");
}

const BEGIN = "<!-- footprint:begin (written by npm run test:firmware) -->";
const END = "<!-- footprint:end -->";

/** Replace the text between the footprint markers of docs/firmware.md. */
export function writeFootprint(markdown: string): void {
  const file = join(root, "docs", "firmware.md");
  const doc = readFileSync(file, "utf8");
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/firmware.md has no footprint markers (${BEGIN} … ${END})`);
  writeFileSync(file, doc.slice(0, a + BEGIN.length) + "\n" + markdown + "\n" + doc.slice(b));
}
