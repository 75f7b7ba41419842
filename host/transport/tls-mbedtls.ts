// The "mbedtls-wasm" TLS engine: mbedTLS 2.28 compiled to WebAssembly (build/mbedtls.wasm), for
// boards whose runtime gives the mail client raw TCP and no TLS. TLS 1.2 client only.
//
// The wasm side never blocks: socket data is queued here and handed to mbedTLS through the recv
// import; whatever mbedTLS sends is collected through the send import and written to the socket
// after each call. Handshake and reads are driven by socket events.
//
// RAM per connection (measured, see docs/mbedtls-wasm.md): ~16.7 KiB input record buffer (must
// hold a whole 16 KiB record and the server's certificate chain, mbedTLS 2.28 cannot reassemble
// fragmented handshake messages), ~4.4 KiB output record buffer, the parsed CA bundle, and the
// peer certificate. One 4 KiB I/O buffer per connection carries plaintext across the boundary.
import type { Socket } from "node:net";
import { rootCertificates } from "node:tls";
import type { SecureChannel, TlsEngine, TlsInfo, TlsOptions } from "./types.js";
import { TransportError } from "./types.js";
import { say } from "../text/outcomes.js";
import { ERR, loadMbedtls, mbedtlsWasmPath, type MbedtlsModule } from "./mbedtls-module.js";
import { handshakeError } from "./mbedtls-errors.js";
import { ipBytes, pemOrDer } from "./mbedtls-inputs.js";

export interface MbedtlsEngineOptions {
  /** Path of the engine (default build/mbedtls.wasm, or $MFP_MBEDTLS_WASM). */
  wasmPath?: string;
  /** Bound on the whole handshake (default 30 s). */
  handshakeTimeoutMs?: number;
  /**
   * Ask for smaller records (RFC 6066 §4 max_fragment_length: 512/1024/2048/4096). Off by default:
   * a server that accepts it must then send its certificate chain in records this small, and
   * mbedTLS 2.28 cannot reassemble a handshake message split over records.
   */
  maxFragmentLength?: 0 | 512 | 1024 | 2048 | 4096;
}

const IO_BUF = 4096; // = MBEDTLS_SSL_OUT_CONTENT_LEN: one record per tls_write
const READ_HIGH_WATER = 1 << 20; // pause the socket when this much plaintext waits unread
const MFL_CODES: Record<number, number> = { 0: 0, 512: 1, 1024: 2, 2048: 3, 4096: 4 };

export class MbedtlsEngine implements TlsEngine {
  readonly name = "mbedtls-wasm" as const;
  constructor(private readonly opts: MbedtlsEngineOptions = {}) {}

  async connect(socket: Socket, options: TlsOptions): Promise<SecureChannel> {
    if (options.minVersion === "TLSv1.3")
      throw new TransportError(
        "TLS_ENGINE_UNAVAILABLE",
        say("DETAIL:MBEDTLS_TLS13_REQUIRED"),
        false,
      );
    const mod = await loadMbedtls(this.opts.wasmPath ?? mbedtlsWasmPath());
    const channel = new MbedtlsChannel(mod, socket, options);
    try {
      channel.configure(options, MFL_CODES[this.opts.maxFragmentLength ?? 0] ?? 0);
    } catch (err) {
      channel.dispose();
      throw err;
    }
    await channel.handshake(this.opts.handshakeTimeoutMs ?? 30_000);
    return channel;
  }
}

type State = "handshake" | "open" | "ended" | "failed" | "closed";

class MbedtlsChannel implements SecureChannel {
  info!: TlsInfo;
  private readonly id: number;
  private handle = 0;
  private ioBuf = 0;
  private state: State = "handshake";
  // Received ciphertext not yet consumed by mbedTLS.
  private inbound: Buffer[] = [];
  private inboundOffset = 0;
  private eof = false;
  private outbound: Uint8Array[] = [];
  // Decrypted application data waiting for read().
  private plain: Uint8Array[] = [];
  private plainBytes = 0;
  private error: TransportError | null = null;
  private waiter: (() => void) | null = null;
  private handshakeDone: ((err: TransportError | null) => void) | null = null;
  private readonly onData = (d: Buffer) => {
    this.inbound.push(d);
    this.pump();
  };
  private readonly onEnd = () => {
    this.eof = true;
    this.pump();
  };
  private readonly onError = (err: Error) => {
    this.eof = true;
    this.fail(new TransportError("CONNECTION_RESET", say("DETAIL:MBEDTLS_CONNECTION_LOST", { reason: err.message }), true));
  };

  constructor(private readonly mod: MbedtlsModule, private readonly socket: Socket, private readonly options: TlsOptions) {
    this.id = mod.register({ send: (b) => this.outbound.push(b), recv: (into) => this.recv(into) });
  }

  /** tls_new → CA bundle → client certificate → tls_setup (SNI + verification). */
  configure(options: TlsOptions, mflCode: number): void {
    const ex = this.mod.exports;
    this.guard(() => {
      this.handle = ex.tls_new(this.id);
      this.ioBuf = ex.tls_alloc(IO_BUF);
    });
    if (this.handle === 0 || this.ioBuf === 0)
      throw new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_SETUP_OUT_OF_MEMORY"), true);
    const verify = !options.insecureSkipVerify;
    if (verify) {
      const ca = options.ca ?? rootCertificates.join("\n");
      const rc = this.withCopy(pemOrDer(ca), (p, n) => ex.tls_add_ca(this.handle, p, n));
      if (rc < 0) throw new TransportError("TLS_CERT_UNTRUSTED", say("DETAIL:MBEDTLS_CA_UNREADABLE", { reason: this.errorText(rc) }), false);
    }
    if (options.cert !== undefined || options.key !== undefined) {
      if (options.cert === undefined || options.key === undefined)
        throw new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_CLIENT_CERT_INCOMPLETE"), false);
      const cert = pemOrDer(options.cert);
      const rc = this.withCopy(cert, (cp, cn) =>
        this.withCopy(pemOrDer(options.key!), (kp, kn) => ex.tls_set_own_cert(this.handle, cp, cn, kp, kn)),
      );
      if (rc < 0)
        throw new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_CLIENT_CERT_UNREADABLE", { reason: this.errorText(rc) }), false);
    }
    const ip = ipBytes(options.servername);
    if (ip) {
      const rcIp = this.withCopy(ip, (p, n) => ex.tls_expect_ip(this.handle, p, n));
      if (rcIp < 0) throw new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_SETUP_FAILED", { reason: this.errorText(rcIp) }), false);
    }
    const host = new TextEncoder().encode(options.servername + "\0");
    const rc = this.withCopy(host, (p) => ex.tls_setup(this.handle, p, verify ? 1 : 0, mflCode));
    if (rc < 0) throw new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_SETUP_FAILED", { reason: this.errorText(rc) }), false);
  }

  handshake(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_HANDSHAKE_TIMEOUT", { servername: this.options.servername, millis: timeoutMs }), true),
        );
      }, timeoutMs);
      this.handshakeDone = (err) => {
        clearTimeout(timer);
        this.handshakeDone = null;
        if (err) reject(err);
        else resolve();
      };
      this.socket.on("data", this.onData);
      this.socket.on("end", this.onEnd);
      this.socket.on("close", this.onEnd);
      this.socket.on("error", this.onError);
      // A socket that is already gone will send no 'end'/'close' any more.
      if (this.socket.destroyed || this.socket.readableEnded) this.eof = true;
      this.socket.resume();
      this.pump();
    });
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const chunk = this.plain.shift();
      if (chunk) {
        this.plainBytes -= chunk.length;
        if (this.plainBytes < READ_HIGH_WATER && this.socket.isPaused()) this.socket.resume();
        return chunk;
      }
      if (this.error) throw this.error;
      if (this.state !== "open") return null;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    const ex = this.mod.exports;
    for (let off = 0; off < bytes.length; ) {
      if (this.error) throw this.error;
      if (this.state !== "open") throw new TransportError("CONNECTION_RESET", say("DETAIL:MBEDTLS_CLOSED"), true);
      const n = Math.min(IO_BUF, bytes.length - off);
      this.mod.bytes(this.ioBuf, n).set(bytes.subarray(off, off + n));
      const rc = this.guard(() => ex.tls_write(this.handle, this.ioBuf, n));
      const drained = this.flush();
      if (rc < 0) {
        this.fail(new TransportError("CONNECTION_RESET", say("DETAIL:MBEDTLS_WRITE_FAILED", { reason: this.errorText(rc) }), true));
        throw this.error!;
      }
      off += rc;
      if (!drained) await this.drain();
    }
  }

  close(): void {
    if (this.state === "open") {
      this.guard(() => this.mod.exports.tls_close_notify(this.handle));
      this.flush();
    }
    this.setState("closed");
    this.dispose();
    // Our close_notify is queued; close the TCP connection once it has been written.
    this.socket.destroySoon();
  }

  /** Free the wasm-side state and detach from the socket (idempotent). */
  dispose(): void {
    this.socket.off("data", this.onData);
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onError);
    // The socket is ours until it closes: a late reset must not become an uncaught 'error'.
    if (this.socket.listenerCount("error") === 0) this.socket.on("error", () => {});
    if (this.handle !== 0 && !this.mod.broken) {
      this.mod.exports.tls_free(this.handle);
      this.mod.exports.tls_dealloc(this.ioBuf);
    }
    this.handle = 0;
    this.mod.unregister(this.id);
  }

  // --- driving mbedTLS ---------------------------------------------------------------------

  private pump(): void {
    if (this.handle === 0) return;
    if (this.state === "handshake") this.stepHandshake();
    if (this.state === "open") this.drainRecords();
  }

  private stepHandshake(): void {
    const ex = this.mod.exports;
    const rc = this.guard(() => ex.tls_handshake(this.handle));
    this.flush();
    if (this.state !== "handshake") return; // guard() failed it
    if (rc === 0) {
      this.info = this.negotiated();
      this.setState("open");
      this.handshakeDone?.(null);
    } else if (rc === ERR.WANT_READ || rc === ERR.WANT_WRITE) {
      if (this.eof && this.inboundAvailable() === 0) this.stepHandshakeEof();
    } else {
      this.fail(
        handshakeError(
          {
            code: rc,
            text: this.errorText(rc),
            verifyFlags: ex.tls_verify_flags(this.handle) >>> 0,
            alertDesc: ex.tls_alert_desc(this.handle),
            alertMinor: ex.tls_alert_minor(this.handle),
          },
          this.options.servername,
        ),
      );
    }
  }

  private stepHandshakeEof(): void {
    this.fail(handshakeError({ code: ERR.CONN_EOF, text: "", verifyFlags: 0, alertDesc: -1, alertMinor: -1 }, this.options.servername));
  }

  /** Decrypt every complete record received so far into the plaintext queue. */
  private drainRecords(): void {
    const ex = this.mod.exports;
    for (let guardCount = 0; guardCount < 100_000 && this.state === "open"; guardCount++) {
      const rc = this.guard(() => ex.tls_read(this.handle, this.ioBuf, IO_BUF));
      this.flush();
      if (rc > 0) {
        this.plain.push(this.mod.bytes(this.ioBuf, rc).slice());
        this.plainBytes += rc;
        continue;
      }
      if (rc === 0 || rc === ERR.CONN_EOF) {
        this.setState("ended"); // close_notify, or the TCP stream ended
      } else if (rc === ERR.WANT_READ || rc === ERR.WANT_WRITE) {
        if (this.eof && this.inboundAvailable() === 0) this.setState("ended");
      } else if (this.state === "open") {
        this.fail(new TransportError("CONNECTION_RESET", say("DETAIL:MBEDTLS_CONNECTION_FAILED", { reason: this.errorText(rc) }), true));
      }
      break;
    }
    if (this.plainBytes >= READ_HIGH_WATER) this.socket.pause();
    this.wake();
  }

  private recv(into: Uint8Array): number {
    let copied = 0;
    while (copied < into.length && this.inbound.length > 0) {
      const head = this.inbound[0]!;
      const n = Math.min(into.length - copied, head.length - this.inboundOffset);
      into.set(head.subarray(this.inboundOffset, this.inboundOffset + n), copied);
      copied += n;
      this.inboundOffset += n;
      if (this.inboundOffset === head.length) {
        this.inbound.shift();
        this.inboundOffset = 0;
      }
    }
    if (copied > 0) return copied;
    return this.eof ? 0 : -1;
  }

  private inboundAvailable(): number {
    return this.inbound.reduce((s, b) => s + b.length, 0) - this.inboundOffset;
  }

  /** Write what mbedTLS produced; false when the socket asks us to wait for 'drain'. */
  private flush(): boolean {
    if (this.outbound.length === 0) return true;
    const data = this.outbound.length === 1 ? this.outbound[0]! : Buffer.concat(this.outbound);
    this.outbound = [];
    if (this.socket.destroyed || this.socket.writableEnded) return true;
    return this.socket.write(data);
  }

  private drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      this.socket.on("drain", done);
      this.socket.on("close", done);
    });
  }

  private negotiated(): TlsInfo {
    const ex = this.mod.exports;
    const verified = !this.options.insecureSkipVerify;
    const dn = this.mod.cstring(ex.tls_peer_subject(this.handle));
    const cn = /(?:^|,\s*)CN=([^,]*)/.exec(dn)?.[1] ?? "";
    const sans = this.mod.cstring(ex.tls_peer_alt_names(this.handle));
    return {
      protocol: this.mod.cstring(ex.tls_version(this.handle)),
      // mbedTLS names suites "TLS-ECDHE-RSA-WITH-…"; the IANA name uses underscores.
      cipher: this.mod.cstring(ex.tls_ciphersuite(this.handle)).replace(/-/g, "_"),
      peerSubject: verified ? cn : "",
      ...(verified && sans ? { peerSubjectAltNames: sans } : {}),
      engine: "mbedtls-wasm",
    };
  }

  private errorText(code: number): string {
    if (this.handle === 0 || this.mod.broken) return `mbedTLS error -0x${(-code).toString(16)}`;
    return this.mod.cstring(this.mod.exports.tls_error_text(this.handle, code));
  }

  private withCopy(data: Uint8Array, use: (ptr: number, len: number) => number): number {
    const ptr = this.mod.copyIn(data);
    try {
      return this.guard(() => use(ptr, data.length));
    } finally {
      if (!this.mod.broken) this.mod.exports.tls_dealloc(ptr);
    }
  }

  /** Run a wasm call; a trap becomes a TransportError and retires the module instance. */
  private guard(call: () => number): number;
  private guard(call: () => void): void;
  private guard(call: () => number | void): number | void {
    try {
      return call();
    } catch (err) {
      if (!(err instanceof WebAssembly.RuntimeError)) throw err;
      this.mod.broken = true;
      this.fail(new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:MBEDTLS_ENGINE_FAILED", { reason: err.message }), true));
      return ERR.INVALID_RECORD;
    }
  }

  private fail(err: TransportError): void {
    if (this.state === "failed" || this.state === "closed") return;
    const wasHandshake = this.state === "handshake";
    this.error = err;
    this.setState("failed");
    this.socket.destroy();
    if (wasHandshake) {
      this.dispose();
      this.handshakeDone?.(err);
    }
  }

  private setState(s: State): void {
    this.state = s;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/**
 * The engine for connect.ts's loadTlsEngine("mbedtls-wasm"): loads the wasm first, so a board
 * configured for an engine that is not built fails before any connection is opened.
 */
export async function loadMbedtlsEngine(opts: MbedtlsEngineOptions = {}): Promise<MbedtlsEngine> {
  await loadMbedtls(opts.wasmPath ?? mbedtlsWasmPath());
  return new MbedtlsEngine(opts);
}
