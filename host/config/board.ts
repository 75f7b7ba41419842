// Board profiles: the limits and defaults of one device model (boards/*.json), validated against
// boards/schema.json with ajv. A board with a bad field is refused with the field's JSON path and
// plain words, before any buffer is carved or any byte is sent.
import { readFileSync, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { homedir } from "node:os";
import type { Ajv, ErrorObject } from "ajv";
import { ConfigError } from "./errors.js";
import { mailboxProblem } from "./address.js";

export type PresetName = "m365-submission" | "m365-hve" | "m365-direct-send" | "m365-relay" | "generic";
export type TlsEngineName = "node-tls" | "mbedtls-wasm";

export interface Board {
  name: string;
  description?: string;
  ramMiB?: number;
  /** Arguments of the core's configure(); memoryMax bounds the whole linear memory after it.
   *  simd: the device's wasm runtime has SIMD; false selects build/core.nosimd.wasm (host/core/core.ts). */
  core: { inCap: number; outCap: number; lineMax: number; eventTextCap: number; memoryMax: number; simd?: boolean };
  /** Largest scan chunk fed to the core at once (≤ core.inCap); size of one scan-file read. */
  scan: { chunkMax: number; readBytes?: number };
  /** Encoded message size above which a scan is split; with splitAtServerSize, a server's SIZE
   *  replaces it (host/core/mime.ts splitLimit). */
  message: { splitAbove: number; splitAtServerSize?: boolean };
  tls: { engine: TlsEngineName; minVersion: "TLSv1.2" | "TLSv1.3" };
  /** bdatChunk and bdatWindow in bytes: chunk size, and chunk bytes sent ahead of their replies;
   *  replyMaxLines / replyMaxBytes: caps per server reply (default 1000 / 65536); dsn: ask for
   *  delivery status notifications when offered (RFC 3461; default true). */
  smtp: { binaryMime: boolean; pipelining: boolean; bdatChunk?: number; bdatWindow?: number; replyMaxLines?: number; replyMaxBytes?: number; dsn?: boolean };
  defaultPreset: PresetName;
  /** Milliseconds; RFC 5321 §4.5.3.2 values on the shipped boards. */
  timeouts: {
    connect: number; greeting: number; command: number; mail: number; rcpt: number;
    dataInit: number; dataBlock: number; dataTerm: number;
  };
  outbox: { dir: string; maxMessages: number; maxBytes: number };
  /** Delay n (1-based) = min(maxDelay, initialDelay × multiplier^(n-1)) ± jitter. */
  retry: {
    initialDelay: number; maxDelay: number; multiplier: number; jitter: number;
    maxAttempts: number; giveUpAfter: number;
  };
  log: { maxBytes: number };
  addressBook: { name: string; address: string }[];
  /** The touch panel: the language it starts in and how it writes times (default en, 24h). */
  panel?: { language?: "en" | "de"; clock?: "24h" | "12h" };
}

/** Where boards/ lives: next to host/ in the source tree, or two levels up from dist/host/config. */
function boardsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ["../../boards", "../../../boards"]) {
    const d = resolve(here, up);
    if (existsSync(join(d, "schema.json"))) return d;
  }
  return resolve(here, "../../boards");
}

let validator: ReturnType<Ajv["compile"]> | null = null;

/** The schema's validator: the one `npm run build` compiled (scripts/board-validator.mjs) when it
 *  is not older than the schema, else compiled now with ajv. Compiling at every start cost about
 *  0.2 s of a CLI send (bench/: node --cpu-prof), so ajv is loaded only for the fallback. */
function compileValidator(): ReturnType<Ajv["compile"]> {
  const require = createRequire(import.meta.url);
  const schemaFile = join(boardsDir(), "schema.json");
  const built = join(dirname(fileURLToPath(import.meta.url)), "board-validator.cjs");
  if (existsSync(built) && statSync(built).mtimeMs >= statSync(schemaFile).mtimeMs) return require(built);
  const { Ajv: AjvClass } = require("ajv") as typeof import("ajv");
  return new AjvClass({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(schemaFile, "utf8")));
}

function validate(data: unknown): ErrorObject[] {
  if (validator === null) validator = compileValidator();
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** "/core/inCap" → "$.core.inCap"; "/addressBook/2/address" → "$.addressBook[2].address" */
export function jsonPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) parts.push(extra);
  let out = "$";
  for (const p of parts) out += /^[0-9]+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return out;
}

/** One ajv error in plain words (the keyword stays visible as the reason code). */
function explain(e: ErrorObject, value: unknown): { path: string; why: string } {
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case "required":
      return { path: jsonPath(e.instancePath, p.missingProperty), why: "required: this field is missing" };
    case "additionalProperties":
      return { path: jsonPath(e.instancePath, p.additionalProperty), why: "additionalProperties: not a known board field (check the spelling)" };
    case "type":
      return { path: jsonPath(e.instancePath), why: `type: must be ${p.type === "integer" ? "a whole number" : `a ${p.type}`}, got ${JSON.stringify(value)}` };
    case "minimum":
    case "maximum":
      return { path: jsonPath(e.instancePath), why: `${e.keyword}: must be ${p.comparison} ${p.limit}, got ${JSON.stringify(value)}` };
    case "enum":
      return { path: jsonPath(e.instancePath), why: `enum: must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(value)}` };
    case "pattern":
      return { path: jsonPath(e.instancePath), why: `pattern: ${JSON.stringify(value)} must be lower-case letters, digits and hyphens` };
    default:
      return { path: jsonPath(e.instancePath), why: `${e.keyword}: ${e.message ?? "invalid"}` };
  }
}

function valueAt(root: unknown, instancePath: string): unknown {
  let v: any = root;
  for (const part of instancePath.split("/").slice(1)) v = v?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return v;
}

/** Rules the schema cannot say: relations between fields. Each returns [path, why] pairs. */
function crossFieldProblems(b: Board): [string, string][] {
  const out: [string, string][] = [];
  // bodyWrite() takes the chunk from the core's in-buffer, so a chunk must fit in it.
  if (b.scan.chunkMax > b.core.inCap) out.push(["$.scan.chunkMax", `range: ${b.scan.chunkMax} is larger than core.inCap (${b.core.inCap}); a chunk must fit the core's input buffer`]);
  if (b.core.eventTextCap > b.core.lineMax) out.push(["$.core.eventTextCap", `range: ${b.core.eventTextCap} is larger than core.lineMax (${b.core.lineMax}); an event never carries more than one line`]);
  if (b.core.inCap + b.core.outCap > b.core.memoryMax) out.push(["$.core.memoryMax", `range: inCap + outCap (${b.core.inCap + b.core.outCap}) already exceed memoryMax (${b.core.memoryMax})`]);
  if (b.smtp.replyMaxBytes !== undefined && b.smtp.replyMaxBytes < b.core.lineMax + 2) out.push(["$.smtp.replyMaxBytes", `range: ${b.smtp.replyMaxBytes} is smaller than one reply line of core.lineMax (${b.core.lineMax}) and its CRLF`]);
  if (b.smtp.bdatChunk !== undefined && b.smtp.bdatChunk > b.core.outCap) out.push(["$.smtp.bdatChunk", `range: ${b.smtp.bdatChunk} is larger than core.outCap (${b.core.outCap})`]);
  // docs/mbedtls-wasm.md: the mbedTLS build is a TLS 1.2 client only.
  if (b.tls.engine === "mbedtls-wasm" && b.tls.minVersion === "TLSv1.3") out.push(["$.tls.minVersion", `range: the mbedtls-wasm engine speaks TLS 1.2 only; use "TLSv1.2" or the node-tls engine`]);
  if (b.retry.maxDelay < b.retry.initialDelay) out.push(["$.retry.maxDelay", `range: ${b.retry.maxDelay} is smaller than retry.initialDelay (${b.retry.initialDelay})`]);
  if (b.outbox.maxBytes < b.message.splitAbove) out.push(["$.outbox.maxBytes", `range: the outbox (${b.outbox.maxBytes} bytes) cannot hold one full-size message (message.splitAbove = ${b.message.splitAbove})`]);
  b.addressBook.forEach((entry, i) => {
    const why = mailboxProblem(entry.address, { smtpUtf8: true });
    if (why !== null) out.push([`$.addressBook[${i}].address`, `format: not an e-mail address: ${why}`]);
  });
  return out;
}

/** Shipped boards exactly as `npm run build` checked them with boardProblems() (name → file
 *  text), when that list is not older than the schema; empty when running from source. */
let checkedShipped: Record<string, string> | null = null;
function buildChecked(name: string, text: string): boolean {
  if (checkedShipped === null) {
    checkedShipped = {};
    const file = join(dirname(fileURLToPath(import.meta.url)), "boards-checked.json");
    try {
      if (statSync(file).mtimeMs >= statSync(join(boardsDir(), "schema.json")).mtimeMs) checkedShipped = JSON.parse(readFileSync(file, "utf8"));
    } catch { /* not built: validate */ }
  }
  return checkedShipped![name] === text;
}

/** All problems of a parsed board, each as "JSON path: why". Empty when the board is valid. */
export function boardProblems(data: unknown): { path: string; why: string }[] {
  const errs = validate(data);
  if (errs.length > 0) return errs.map((e) => explain(e, valueAt(data, e.instancePath)));
  return crossFieldProblems(data as Board).map(([path, why]) => ({ path, why }));
}

/** Validate parsed JSON as a board; throws ConfigError(BOARD_INVALID) naming the first bad field. */
export function parseBoard(data: unknown, source = "board", checked = false): Board {
  const problems = checked ? [] : boardProblems(data);
  if (problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).map((p) => p.path).join(", ")})` : "";
    throw new ConfigError("BOARD_INVALID", first.path, `${first.why} — in ${source}${more}`);
  }
  const board = structuredClone(data) as Board & { $schema?: string };
  delete board.$schema;
  // A leading "~/" is the user's home, so the desktop board keeps its queue out of the work tree.
  if (board.outbox.dir.startsWith("~/")) board.outbox.dir = join(homedir(), board.outbox.dir.slice(2));
  return board;
}

/**
 * A shipped board, with MFP_OUTBOX_DIR (when set) as its outbox: one queue for a container or a
 * test run without writing a board file. A board file given by path keeps its own directory.
 */
function loadShippedBoard(name: string): Board {
  const board = loadBoard(join(boardsDir(), `${name}.json`), name);
  const override = process.env.MFP_OUTBOX_DIR;
  if (override) board.outbox.dir = resolve(override);
  return board;
}

/** Read and validate a board file. Throws ConfigError (BOARD_UNREADABLE / BOARD_NOT_JSON / BOARD_INVALID). */
export function loadBoard(path: string, shippedName?: string): Board {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError("BOARD_UNREADABLE", "$", `cannot read board file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError("BOARD_NOT_JSON", "$", `board file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseBoard(data, path, shippedName !== undefined && buildChecked(shippedName, text));
}

/** Names of the boards shipped in boards/. */
export function boardNames(): string[] {
  return ["sim-desktop", "arm-64mb", "arm-256mb"].filter((n) => existsSync(join(boardsDir(), `${n}.json`)));
}

/** A board by shipped name ("arm-64mb") or by file path ("./my-board.json"). */
export function resolveBoard(nameOrPath: string): Board {
  if (/^[a-z0-9][a-z0-9-]*$/.test(nameOrPath)) {
    const p = join(boardsDir(), `${nameOrPath}.json`);
    if (!existsSync(p)) throw new ConfigError("BOARD_UNKNOWN", "--board", `no board named "${nameOrPath}"; shipped boards: ${boardNames().join(", ")} (or give a path to a .json file)`);
    return loadShippedBoard(nameOrPath);
  }
  return loadBoard(nameOrPath);
}

/** The desktop simulator's board (boards/sim-desktop.json). */
export function defaultBoard(): Board {
  return loadShippedBoard("sim-desktop");
}

/** The retry delay before attempt n+1 after n failures, without jitter (for tests and display). */
export function retryDelay(board: Board, failures: number): number {
  const r = board.retry;
  return Math.min(r.maxDelay, Math.round(r.initialDelay * r.multiplier ** Math.max(0, failures - 1)));
}
