// The typed host wrapper over build/core.wasm (the sans-I/O SMTP core + MIME writer).
//
// Loading: plain WebAssembly instantiation, not @assemblyscript/loader. The core exports only
// numbers (the ABI is i32/u32 and byte ranges in linear memory), so the loader's managed-object
// helpers have nothing to do; its one useful feature, a decoded abort() message, is ten lines
// here (readAsString) and works with `--runtime stub`, where the loader's __getString would need
// exported runtime functions the release build does not have. One compiled WebAssembly.Module
// per process; one instance per Core (= one SMTP session).
//
// Contract with callers (host/session/driver.ts, the MIME writer's host side):
//   - after every call that can queue events, Core drains them into its own queue: callers
//     read them with nextEvent() and never lose one, however the wasm queue is sized;
//   - feed() and writeIn() accept any length: slices of inCap are handed over in a loop;
//   - takeOut() returns (a copy of) every byte the core wants written and consumes it.
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { recordingExports, tapeFromEnv, type TapeTarget } from "../tape/recorder.js";
import { K } from "./abi.js";
import { failureText } from "./failure-text.js";
import type { MimeExports } from "./mime-types.js";

export interface CoreSizes {
  inCap: number;        // host → core staging area (bytes)
  outCap: number;       // core → host wire bytes
  lineMax: number;      // longest reply line accepted (≥ 512, RFC 5321 §4.5.3.1.5)
  eventTextCap: number; // reply text an event carries
  /** The runtime has WebAssembly SIMD (board core.simd): false loads the firmware build,
   *  build/core.nosimd.wasm (docs/firmware.md). Default true. */
  simd?: boolean;
}

export interface CoreEvent {
  kind: number;       // Event* constant (core.k.EventFailed …)
  name: string;       // "Failed", "ReplyReceived" …
  code: number;       // SMTP reply code, 0 when none
  enhanced: string;   // RFC 3463 code such as "5.7.139", "" when none
  text: string;       // reply text (last line), the redacted command, or a plain-words message
  index: number;      // recipient number for RecipientResult; for Failed the State number it failed in
  /** For Failed: the state the session was in ("Greeting", "Auth", "Envelope", "BodyEnd" …). */
  stage?: string;
  /** For Failed: which cause of the reason (Detail* name: "ReplyEarly", "SmtpUtf8" …), "" when one. */
  detail?: string;
  /** The command a reply (ReplyReceived, RecipientResult, Failed) answers, or the one a
   *  CommandSent carries, by its Cmd* name ("Mail", "Rcpt", "Data", "DataEnd" …); "" when none. */
  command: string;
  cls: number;        // Class* constant
  reason: number;     // Reason* constant for Failed
}

/** The raw exports, typed: the 25 functions of assembly/index.ts (the MIME writer's, with
 *  info/outLen/outConsume/setInt, in MimeExports). Numbers only; byte ranges live in `memory`;
 *  the constants come from ./abi.ts (generated from the core). */
export interface CoreExports extends MimeExports {
  configure(inCap: number, outCap: number, lineMax: number, eventTextCap: number): number;
  setString(field: number, len: number): number;
  start(): number;
  feed(len: number): number;
  tlsUpgraded(): number;
  accessToken(len: number): number;
  sendEnvelope(size: number, mode: number): number;
  bodyWrite(len: number): number;
  bodyEnd(): number;
  quit(): number;
  rset(): number;
  nextEvent(): number;
  wipeSecrets(): void;
}

type RawExports = Parameters<typeof recordingExports>[0];

/** Record a session to a tape target (host/tape/recorder.ts). */
export interface TapeOptions {
  target: TapeTarget;
  /** who recorded it (tape header) */
  origin: string;
  /** replace passwords and tokens by test values (default true) */
  substituteSecrets?: boolean;
}

/** A trap inside the core: a bug, never a server's fault. The message comes from abort(). */
export class CoreAbort extends Error {
  override name = "CoreAbort";
}

const modules = new Map<string, Promise<WebAssembly.Module>>();

/** build/core.wasm (SIMD) or build/core.nosimd.wasm (the firmware build, no SIMD). */
export function coreWasmPath(simd = true): string {
  const file = simd ? "core.wasm" : "core.nosimd.wasm";
  // host/core/core.ts runs from source (tsx) or from dist/host/core/core.js: look for build/ upwards
  for (const rel of [`../../build/${file}`, `../../../build/${file}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fileURLToPath(new URL(`../../build/${file}`, import.meta.url));
}

/** Compile a core file once per process: the given path, else MFP_CORE_WASM, else the build. */
export function loadCoreModule(path?: string, simd = true): Promise<WebAssembly.Module> {
  const file = path ?? process.env.MFP_CORE_WASM ?? coreWasmPath(simd);
  let m = modules.get(file);
  if (!m) {
    m = readFile(file).then((b) => WebAssembly.compile(b));
    modules.set(file, m);
  }
  return m;
}

/** One unconfigured instance of a compiled core; a failed assertion in it throws CoreAbort. */
export function instantiateCore(module: WebAssembly.Module): CoreExports {
  let mem: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        throw new CoreAbort(`core abort: ${readAsString(mem, msg)} at ${readAsString(mem, file)}:${line}:${col}`);
      },
    },
  };
  const x = new WebAssembly.Instance(module, imports).exports as unknown as CoreExports;
  mem = x.memory;
  return x;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
const utf8enc = new TextEncoder();

/** An AssemblyScript string (UTF-16LE, byte length at ptr - 4) out of linear memory. */
function readAsString(mem: WebAssembly.Memory | undefined, ptr: number): string {
  if (!mem || ptr === 0) return "";
  const bytes = new Uint8Array(mem.buffer);
  if (ptr < 4 || ptr > bytes.length) return "";
  const len = new DataView(mem.buffer).getUint32(ptr - 4, true);
  if (len > 4096 || ptr + len > bytes.length) return "";
  return Buffer.from(bytes.subarray(ptr, ptr + len)).toString("utf16le");
}

/** `prefix` + name → value, for every constant of the core with that prefix. */
function namesOf(prefix: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const [name, v] of Object.entries(K)) if (name.startsWith(prefix) && !m.has(v)) m.set(v, name.slice(prefix.length));
  return m;
}
const EVENT_NAMES = namesOf("Event");
const COMMAND_NAMES = namesOf("Cmd");
const DETAIL_NAMES = namesOf("Detail");
const STATES = namesOf("State");

/** The session's states by number, from the core's State* constants. */
export const STATE_NAMES: readonly string[] = [...STATES.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);

export class Core {
  readonly x: CoreExports;
  /** Every constant of the ABI (fields, events, classes, reasons, caps…) by name (./abi.ts). */
  readonly k: Readonly<Record<string, number>> = K;
  private readonly queue: CoreEvent[] = [];
  private inCapacity = 0;
  private inPtr = 0;
  private outPtr = 0;

  private constructor(exports: CoreExports, readonly wasmFile: string) {
    this.x = exports;
  }

  /**
   * A configured core. `tape` records the session to that target; without it, MFP_TAPE_DIR
   * (set by the test runner) records it to a file there (host/tape/recorder.ts).
   */
  static async create(sizes: CoreSizes, options: { wasmPath?: string; tape?: TapeOptions } = {}): Promise<Core> {
    const file = options.wasmPath ?? process.env.MFP_CORE_WASM ?? coreWasmPath(sizes.simd !== false);
    const module = await loadCoreModule(file);
    const raw = instantiateCore(module);
    const build = basename(file) === "core.nosimd.wasm" ? "nosimd" : basename(file) === "core.wasm" ? "simd" : basename(file);
    const newInstance = () => instantiateCore(module) as unknown as RawExports;
    const t = options.tape;
    const rec = t ? { ...t, build, newInstance } : tapeFromEnv(build, newInstance);
    const exports = rec ? recordingExports(raw as unknown as RawExports, rec) as unknown as CoreExports : raw;
    const core = new Core(exports, file);
    const rc = core.x.configure(sizes.inCap, sizes.outCap, sizes.lineMax, sizes.eventTextCap);
    if (rc !== 0) throw new RangeError(`core configure(${JSON.stringify(sizes)}) refused: ${rc}`);
    core.inCapacity = core.x.info(K.InfoInCap);
    core.inPtr = core.x.info(K.InfoInPtr);
    core.outPtr = core.x.info(K.InfoOutPtr);
    return core;
  }

  /** Name of a constant's value within a prefix group: nameOf("Reason", 4) → "TlsInjection". */
  nameOf(prefix: string, value: number): string {
    for (const [name, v] of Object.entries(this.k)) {
      if (v === value && name.startsWith(prefix)) return name.slice(prefix.length);
    }
    return String(value);
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer);
  }

  /** Copy up to inCap bytes into the staging area; returns how many were copied. */
  writeIn(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.inCapacity);
    this.bytes().set(bytes.subarray(0, n), this.inPtr);
    return n;
  }

  /** A config string (setString). Returns 0 or a Reason* the core refused it with. */
  setString(field: number, value: string | Uint8Array): number {
    const b = typeof value === "string" ? utf8enc.encode(value) : value;
    if (b.length > this.inCapacity) return K.ReasonBadArgument;
    this.writeIn(b);
    const rc = this.x.setString(field, b.length);
    if (typeof value !== "string") return rc;
    b.fill(0); // our own encoded copy of what might be a secret
    return rc;
  }

  setInt(field: number, value: number): number {
    return this.x.setInt(field, value);
  }

  start(): number { return this.call(() => this.x.start()); }
  tlsUpgraded(): number { return this.call(() => this.x.tlsUpgraded()); }
  sendEnvelope(size: number, mode: number): number { return this.call(() => this.x.sendEnvelope(size, mode)); }
  bodyEnd(): number { return this.call(() => this.x.bodyEnd()); }
  quit(): number { return this.call(() => this.x.quit()); }
  rset(): number { return this.call(() => this.x.rset()); }
  wipeSecrets(): void { this.x.wipeSecrets(); }

  accessToken(value: string | Uint8Array): number {
    const b = typeof value === "string" ? utf8enc.encode(value) : value;
    if (b.length > this.inCapacity) return K.ReasonBadArgument;
    this.writeIn(b);
    const rc = this.call(() => this.x.accessToken(b.length));
    if (typeof value === "string") b.fill(0);
    return rc;
  }

  /** Server bytes, any length: handed over in inCap slices; every event is kept. */
  feed(bytes: Uint8Array): void {
    let off = 0;
    let stalls = 0;
    while (off < bytes.length) {
      const n = this.writeIn(bytes.subarray(off));
      const used = this.x.feed(n);
      const drained = this.drain();
      off += used;
      if (used === 0 && drained === 0) {
        // the core consumes at least one byte whenever its event queue has room; never spin
        if (++stalls > 2) throw new CoreAbort("core feed() made no progress");
      } else stalls = 0;
    }
    this.drain();
  }

  /** Raw message bytes for the body framer (after ReadyForBody); returns bytes consumed. */
  bodyWrite(bytes: Uint8Array): number {
    const n = this.writeIn(bytes);
    const used = this.x.bodyWrite(n);
    this.drain();
    return used;
  }

  /** Every byte the core wants on the wire (a copy); the core's buffer is emptied. */
  takeOut(): Uint8Array {
    const len = this.x.outLen();
    if (len === 0) return new Uint8Array(0);
    const copy = this.bytes().slice(this.outPtr, this.outPtr + len);
    this.x.outConsume(len);
    return copy;
  }

  /** Bytes waiting in the output buffer. */
  outLen(): number {
    return this.x.outLen();
  }

  nextEvent(): CoreEvent | null {
    this.drain();
    return this.queue.shift() ?? null;
  }

  /** Events waiting (already drained from the wasm). */
  pendingEvents(): number {
    this.drain();
    return this.queue.length;
  }

  caps(): { flags: number; sizeLimit: number; authMechs: number } {
    return { flags: this.x.info(K.InfoCapFlags), sizeLimit: this.x.info(K.InfoCapSize), authMechs: this.x.info(K.InfoCapAuth) };
  }

  /** State name of the session machine (for logs and tests). */
  stateName(): string {
    const n = this.x.info(K.InfoState);
    return STATES.get(n) ?? String(n);
  }

  memoryBytes(): number {
    return this.x.info(K.InfoMemoryBytes);
  }

  private call(f: () => number): number {
    const rc = f();
    this.drain();
    return rc;
  }

  /** Move every queued event out of the core: one record each, read with one DataView. */
  private drain(): number {
    let n = 0;
    for (;;) {
      const at = this.x.nextEvent();
      if (at === 0) return n;
      n++;
      this.queue.push(readEvent(this.x.memory.buffer, at));
    }
  }
}

/** The record at `at` (Record* offsets, assembly/smtp/events.ts) as a CoreEvent. */
function readEvent(buffer: ArrayBuffer, at: number): CoreEvent {
  const v = new DataView(buffer, at);
  const i32 = (off: number) => v.getInt32(off, true);
  const kind = i32(K.RecordKind);
  const bytes = (off: number, len: number) => new Uint8Array(buffer, at + off, len);
  const ev: CoreEvent = {
    kind,
    name: EVENT_NAMES.get(kind) ?? `Event${kind}`,
    code: i32(K.RecordCode),
    enhanced: utf8.decode(bytes(K.RecordEnhanced, v.getUint32(K.RecordEnhancedLen, true))),
    text: utf8.decode(bytes(K.RecordText, v.getUint32(K.RecordTextLen, true))),
    index: i32(K.RecordIndex),
    cls: i32(K.RecordClass),
    reason: i32(K.RecordReason),
    command: COMMAND_NAMES.get(i32(K.RecordCommand)) ?? "",
  };
  if (kind !== K.EventFailed) return ev;
  ev.stage = STATES.get(ev.index) ?? String(ev.index);
  ev.detail = DETAIL_NAMES.get(i32(K.RecordDetail)) ?? "";
  // the core gives numbers; a failure without the server's words gets ours
  if (ev.text === "") ev.text = failureText(ev);
  return ev;
}
