// Loads build/mbedtls.wasm (mbedTLS 2.28 + native/mbedtls/tls_glue.c) once per process and wires
// its imports: per-connection send/recv routed by connection id, random bytes from the host's
// CSPRNG, and the one WASI call mbedTLS needs, clock_time_get (certificate validity).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { webcrypto } from "node:crypto";
import { fileURLToPath } from "node:url";
import { TransportError } from "./types.js";
import { say } from "../text/outcomes.js";

/** The glue's exports (see native/mbedtls/tls_glue.c for the contract of each). */
export interface MbedtlsExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  tls_alloc(len: number): number;
  tls_dealloc(ptr: number): void;
  tls_new(id: number): number;
  tls_add_ca(h: number, ptr: number, len: number): number;
  tls_set_own_cert(h: number, cert: number, certLen: number, key: number, keyLen: number): number;
  tls_expect_ip(h: number, ip: number, len: number): number;
  tls_setup(h: number, host: number, verify: number, mflCode: number): number;
  tls_handshake(h: number): number;
  tls_verify_flags(h: number): number;
  tls_write(h: number, ptr: number, len: number): number;
  tls_read(h: number, ptr: number, len: number): number;
  tls_pending(h: number): number;
  tls_close_notify(h: number): number;
  tls_free(h: number): void;
  tls_last_error(h: number): number;
  tls_alert_desc(h: number): number;
  tls_alert_minor(h: number): number;
  tls_error_text(h: number, code: number): number;
  tls_version(h: number): number;
  tls_ciphersuite(h: number): number;
  tls_peer_subject(h: number): number;
  tls_peer_alt_names(h: number): number;
  tls_heap_now(): number;
  tls_heap_peak(): number;
  tls_heap_reset_peak(): void;
  tls_conn_size(): number;
}

/** What a connection gives the module so the I/O imports can reach its socket. */
export interface ConnectionIo {
  /** Bytes mbedTLS wants on the wire (copied: the wasm memory may move). */
  send(bytes: Uint8Array): void;
  /** Fill `into` with received bytes: the count, 0 at end of stream, -1 when nothing yet. */
  recv(into: Uint8Array): number;
}

// mbedTLS return codes the host acts on (include/mbedtls/ssl.h, x509.h).
export const ERR = {
  WANT_READ: -0x6900,
  WANT_WRITE: -0x6880,
  CONN_EOF: -0x7280,
  INVALID_RECORD: -0x7200,
  FATAL_ALERT: -0x7780,
  BAD_PROTOCOL_VERSION: -0x6e80,
  CA_CHAIN_REQUIRED: -0x7680,
  ALLOC_FAILED: -0x7f00,
  CERT_VERIFY_FAILED: -0x2700,
} as const;

export class MbedtlsModule {
  private readonly conns = new Map<number, ConnectionIo>();
  private nextId = 1;
  /** Set when the module trapped: its state can no longer be trusted, the next load replaces it. */
  broken = false;

  constructor(readonly exports: MbedtlsExports) {}

  register(io: ConnectionIo): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    this.conns.set(id, io);
    return id;
  }
  unregister(id: number): void {
    this.conns.delete(id);
  }
  connection(id: number): ConnectionIo | undefined {
    return this.conns.get(id);
  }

  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, ptr, len);
  }
  /** A NUL-terminated string the glue returned. */
  cstring(ptr: number): string {
    const mem = new Uint8Array(this.exports.memory.buffer);
    let end = ptr;
    while (end < mem.length && mem[end] !== 0) end++;
    return Buffer.from(mem.subarray(ptr, end)).toString("utf8");
  }
  /** Copy bytes into a fresh wasm allocation (caller frees with tls_dealloc). */
  copyIn(data: Uint8Array): number {
    const ptr = this.exports.tls_alloc(data.length);
    if (ptr === 0) throw new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_OUT_OF_MEMORY"), false);
    this.bytes(ptr, data.length).set(data);
    return ptr;
  }

  /** Linear memory size and mbedTLS heap in use / high-water mark (bytes). */
  memoryStats(): { linearMemory: number; heapNow: number; heapPeak: number } {
    return {
      linearMemory: this.exports.memory.buffer.byteLength,
      heapNow: this.exports.tls_heap_now() >>> 0,
      heapPeak: this.exports.tls_heap_peak() >>> 0,
    };
  }
}

/** Where build/mbedtls.wasm is, from the source tree (tsx) or from dist/ (compiled). */
export function mbedtlsWasmPath(): string {
  const override = process.env.MFP_MBEDTLS_WASM;
  if (override) return override;
  const candidates = ["../../build/mbedtls.wasm", "../../../build/mbedtls.wasm"].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

export function mbedtlsAvailable(path = mbedtlsWasmPath()): boolean {
  return existsSync(path);
}

const WASI_EBADF = 8;
const WASI_EINVAL = 28;
const loaded = new Map<string, Promise<MbedtlsModule>>();

/** The process-wide module instance for `path`, loaded on first use (again after a trap). */
export function loadMbedtls(path = mbedtlsWasmPath()): Promise<MbedtlsModule> {
  const cached = loaded.get(path);
  if (cached) {
    return cached.then((m) => {
      if (!m.broken) return m;
      if (loaded.get(path) === cached) loaded.delete(path);
      return loadMbedtls(path);
    });
  }
  const loading = instantiate(path).catch((err: unknown) => {
    loaded.delete(path);
    throw err;
  });
  loaded.set(path, loading);
  return loading;
}

async function instantiate(path: string): Promise<MbedtlsModule> {
  let wasm: Buffer;
  try {
    wasm = await readFile(path);
  } catch {
    throw new TransportError(
      "TLS_ENGINE_UNAVAILABLE",
      say("DETAIL:MBEDTLS_NOT_BUILT", { path }),
      false,
    );
  }
  let mod: MbedtlsModule | undefined;
  const self = (): MbedtlsModule => {
    if (!mod) throw new Error("mbedtls-wasm import called before instantiation finished");
    return mod;
  };
  const imports = {
    mfp_tls: {
      send(id: number, ptr: number, len: number): number {
        const io = self().connection(id);
        if (!io) return -1;
        io.send(self().bytes(ptr, len).slice());
        return len;
      },
      recv(id: number, ptr: number, len: number): number {
        const io = self().connection(id);
        if (!io) return 0;
        return io.recv(self().bytes(ptr, len));
      },
      random(ptr: number, len: number): number {
        // getRandomValues fills at most 65536 bytes per call.
        for (let off = 0; off < len; off += 65536) {
          webcrypto.getRandomValues(self().bytes(ptr + off, Math.min(65536, len - off)));
        }
        return 0;
      },
    },
    wasi_snapshot_preview1: {
      clock_time_get(clockId: number, _precision: bigint, out: number): number {
        // 0 = realtime (certificate validity), 1 = monotonic; nanoseconds.
        const ns =
          clockId === 0 ? BigInt(Date.now()) * 1_000_000n : clockId === 1 ? process.hrtime.bigint() : null;
        if (ns === null) return WASI_EINVAL;
        new DataView(self().exports.memory.buffer).setBigUint64(out, ns, true);
        return 0;
      },
      // Linked in by wasi-libc's stdio, never used by the glue: no file descriptors exist.
      fd_write: () => WASI_EBADF,
      fd_close: () => WASI_EBADF,
      fd_seek: () => WASI_EBADF,
    },
  };
  try {
    const compiled = await WebAssembly.compile(new Uint8Array(wasm));
    const instance = await WebAssembly.instantiate(compiled, imports);
    mod = new MbedtlsModule(instance.exports as unknown as MbedtlsExports);
    mod.exports._initialize();
    return mod;
  } catch (err) {
    throw new TransportError(
      "TLS_ENGINE_UNAVAILABLE",
      say("DETAIL:MBEDTLS_NOT_LOADED", { path, reason: (err as Error).message }),
      false,
    );
  }
}
