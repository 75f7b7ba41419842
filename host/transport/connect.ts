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
import { addressesOf, lookupMx } from "./mx.js";
import type { TlsMode } from "./tls-mode.js";
import { say } from "../text/outcomes.js";

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
  /** Connect to the MX hosts of this domain instead of `host` (Direct Send, relay). */
  mx?: { domain: string; dnsServers?: string[] };
  /** Told the name of the server actually connected to (an MX host), before any TLS. */
  onServer?(host: string): void;
}

/** Failures after which the next MX host is tried (RFC 5321 §5.1: "unable to connect"). */
const NEXT_HOST = new Set(["CONNECT_REFUSED", "CONNECT_TIMEOUT", "HOST_UNREACHABLE", "CONNECTION_RESET", "DNS_FAILURE"]);

function isEngine(x: unknown): x is TlsEngine {
  return typeof x === "object" && x !== null && typeof (x as TlsEngine).connect === "function" &&
    ((x as TlsEngine).name === "mbedtls-wasm" || (x as TlsEngine).name === "node-tls");
}

const unavailable = (why: string): TransportError =>
  new TransportError("TLS_ENGINE_UNAVAILABLE", say("DETAIL:TLS_ENGINE_MISSING", { reason: why }), false);

/**
 * Resolve an engine by name. "mbedtls-wasm" comes from ./tls-mbedtls.js, which may export the
 * engine object (any export whose name is "mbedtls-wasm") or an async factory
 * (`loadMbedtlsEngine` / `createMbedtlsEngine` / default) that resolves to it.
 */
export async function loadTlsEngine(name: EngineName | TlsEngine = "node-tls"): Promise<TlsEngine> {
  if (typeof name !== "string") return name;
  if (name === "node-tls") return nodeTlsEngine;
  if (name !== "mbedtls-wasm") {
    throw new TransportError("TLS_ENGINE_UNAVAILABLE", say("DETAIL:TLS_ENGINE_UNKNOWN", { engine: String(name) }), false);
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
  const { t, name } = o.mx ? await openMx(o, o.mx, engine) : { t: await TcpTransport.open({ host: o.host, port: o.port, timeouts: o.timeouts, engine, localAddress: o.localAddress }), name: o.host };
  o.onServer?.(name);
  if (o.tls === "implicit") {
    await t.upgradeTls({ ...o.tlsOptions, servername: o.tlsOptions?.servername ?? name });
  }
  return t;
}

/** The first MX host (lowest preference first) that accepts the connection. */
async function openMx(o: OpenTransportOptions, mx: { domain: string; dnsServers?: string[] }, engine: TlsEngine): Promise<{ t: TcpTransport; name: string }> {
  const dns = mx.dnsServers ? { dnsServers: mx.dnsServers } : {};
  let last: TransportError | null = null;
  for (const h of await lookupMx(mx.domain, dns)) {
    let addresses: string[];
    try {
      addresses = await addressesOf(h.exchange, dns);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      last = e;
      continue;
    }
    for (const address of addresses) {
      try {
        return { t: await TcpTransport.open({ host: address, port: o.port, timeouts: o.timeouts, engine, localAddress: o.localAddress }), name: h.exchange };
      } catch (e) {
        if (!(e instanceof TransportError) || !NEXT_HOST.has(e.code)) throw e;
        last = new TransportError(e.code, say("DETAIL:MX_HOST", { exchange: h.exchange, priority: h.priority, domain: mx.domain, reason: e.message }), e.transient);
      }
    }
  }
  throw last ?? new TransportError("DNS_FAILURE", say("DETAIL:MX_NONE_REACHED", { domain: mx.domain }), true);
}
