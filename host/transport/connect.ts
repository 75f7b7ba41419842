// openTransport(): the one call the session makes to get a connected Transport.
//   tls: "none"     → plain TCP (the session may still call upgradeTls() after STARTTLS)
//   tls: "starttls" → plain TCP now; the session calls upgradeTls() after "220" to STARTTLS
//   tls: "implicit" → TCP, then the TLS handshake at once (port 465, RFC 8314 §3.3)
// The TLS engine is picked by name: "node-tls" (default) or "mbedtls-wasm" (loaded lazily, so a
// build without the wasm engine still runs with node-tls).
import { TcpTransport, type PhasedTransport } from "./tcp.js";
import { nodeTlsEngine } from "./tls-node.js";
import type { SmtpTimeouts } from "./timeouts.js";
import { TransportError, type TlsEngine, type TlsOptions } from "./types.js";

export type TlsMode = "starttls" | "implicit" | "none";
export type EngineName = "node-tls" | "mbedtls-wasm";

export interface OpenTransportOptions {
  host: string;
  port: number;
  tls: TlsMode;
  /** Engine name or an engine object (tests); default "node-tls". */
  engine?: EngineName | TlsEngine;
  /** TLS settings for implicit TLS; servername defaults to `host`. */
  tlsOptions?: Partial<TlsOptions>;
  timeouts?: Partial<SmtpTimeouts>;
  localAddress?: string;
}

function isEngine(x: unknown): x is TlsEngine {
  return typeof x === "object" && x !== null && typeof (x as TlsEngine).connect === "function" &&
    ((x as TlsEngine).name === "mbedtls-wasm" || (x as TlsEngine).name === "node-tls");
}

const unavailable = (why: string): TransportError =>
  new TransportError("TLS_ENGINE_UNAVAILABLE", `The TLS engine "mbedtls-wasm" is not available in this build (${why}). Build it, or choose the "node-tls" engine in the board profile.`, false);

/**
 * Resolve an engine by name. "mbedtls-wasm" comes from ./tls-mbedtls.js, which may export the
 * engine object (any export whose name is "mbedtls-wasm") or an async factory
 * (`loadMbedtlsEngine` / `createMbedtlsEngine` / default) that resolves to it.
 */
export async function loadTlsEngine(name: EngineName | TlsEngine = "node-tls"): Promise<TlsEngine> {
  if (typeof name !== "string") return name;
  if (name === "node-tls") return nodeTlsEngine;
  if (name !== "mbedtls-wasm") {
    throw new TransportError("TLS_ENGINE_UNAVAILABLE", `Unknown TLS engine "${String(name)}"; use "node-tls" or "mbedtls-wasm".`, false);
  }
  let mod: Record<string, unknown>;
  try {
    // A variable specifier keeps TypeScript from requiring the file at compile time.
    const spec = "./tls-mbedtls.js";
    mod = (await import(spec)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND") throw unavailable("host/transport/tls-mbedtls is missing");
    throw unavailable(`it failed to load: ${(e as Error).message}`);
  }
  for (const v of Object.values(mod)) if (isEngine(v)) return v;
  for (const key of ["loadMbedtlsEngine", "createMbedtlsEngine", "default"]) {
    const f = mod[key];
    if (typeof f !== "function") continue;
    let eng: unknown;
    try {
      eng = await (f as () => unknown)();
    } catch (e) {
      if (e instanceof TransportError) throw e;
      throw unavailable(`its WebAssembly build could not be loaded: ${(e as Error).message}`);
    }
    if (isEngine(eng)) return eng;
  }
  throw unavailable("host/transport/tls-mbedtls exports no engine");
}

export async function openTransport(o: OpenTransportOptions): Promise<PhasedTransport> {
  // Load the engine before connecting: a missing engine is a configuration error, and the
  // server should not see a connection we cannot complete.
  const engine = await loadTlsEngine(o.engine ?? "node-tls");
  const t = await TcpTransport.open({ host: o.host, port: o.port, timeouts: o.timeouts, engine, localAddress: o.localAddress });
  if (o.tls === "implicit") {
    await t.upgradeTls({ ...o.tlsOptions, servername: o.tlsOptions?.servername ?? o.host });
  }
  return t;
}
