// Plain TCP transport (node:net) with per-phase timeouts and the STARTTLS upgrade.
// The session never sees a socket: it reads and writes bytes through the Transport interface,
// and after upgradeTls() those bytes go through the selected TlsEngine's SecureChannel.
import * as net from "node:net";
import {
  TransportError,
  type SecureChannel,
  type TlsEngine,
  type TlsInfo,
  type TlsOptions,
  type Transport,
} from "./types.js";
import { DuplexIo } from "./stream-io.js";
import { describePhase, resolveTimeouts, type SmtpTimeouts, type TimeoutPhase } from "./timeouts.js";
import { say } from "../text/outcomes.js";

/**
 * The Transport plus what the session loop needs to drive RFC 5321 §4.5.3.2 timers. A reply has a
 * deadline, armed when its command is written (setPhase) and not moved by the bytes that trickle
 * in: a server that drips one byte a second still runs out of time. Only a whole reply earns the
 * next one a fresh deadline (replyArrived). Each write has its own timeout (the data-block rule:
 * every send must complete in time).
 */
export interface PhasedTransport extends Transport {
  /** A command of this phase is being written: its timeout applies to writes, and the reply to it
   *  must be complete within it from now. */
  setPhase(phase: TimeoutPhase): void;
  /** A whole reply came: the next outstanding one gets the current phase's full timeout. */
  replyArrived(): void;
  /** Override the current read/write timeout in milliseconds, from now (until the next setPhase). */
  setReadTimeout(ms: number): void;
  /** Plaintext bytes thrown away at the STARTTLS upgrade (0 on an honest server). */
  readonly discardedBeforeTls: number;
  readonly remote: { host: string; port: number };
}

export interface TcpConnectOptions {
  host: string;
  port: number;
  timeouts?: Partial<SmtpTimeouts>;
  /** The engine upgradeTls() hands the socket to. */
  engine: TlsEngine;
  /** Bind the local end (multi-homed boards). */
  localAddress?: string;
}

/** Map a node:net connect/socket error to a code and words an office admin can act on. */
export function mapSocketError(e: NodeJS.ErrnoException, host: string, port: number): TransportError {
  const where = hostPort(host, port);
  switch (e.code) {
    case "ENOTFOUND":
      return new TransportError("DNS_FAILURE", say("DETAIL:DNS_NOT_FOUND", { host }), false);
    case "EAI_AGAIN":
      return new TransportError("DNS_FAILURE", say("DETAIL:DNS_NO_ANSWER", { host }), true);
    case "ECONNREFUSED":
      return new TransportError("CONNECT_REFUSED", say("DETAIL:CONNECT_REFUSED", { where }), true);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return new TransportError("HOST_UNREACHABLE", say("DETAIL:HOST_UNREACHABLE", { where }), true);
    case "ETIMEDOUT":
      return new TransportError("CONNECT_TIMEOUT", say("DETAIL:CONNECT_TIMEOUT", { where }), true);
    case "ECONNRESET":
    case "EPIPE":
      return new TransportError("CONNECTION_RESET", say("DETAIL:CONNECTION_RESET", { where }), true);
    default:
      return new TransportError("CONNECTION_RESET", say("DETAIL:CONNECT_FAILED", { where, reason: e.code ?? e.message }), true);
  }
}

/** Open a TCP connection; rejects with DNS_FAILURE, CONNECT_REFUSED, HOST_UNREACHABLE or CONNECT_TIMEOUT. */
export function connectTcp(host: string, port: number, timeoutMs: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, localAddress });
    socket.setNoDelay(true); // SMTP is request/reply: Nagle only adds latency to each command.
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(new TransportError("CONNECT_TIMEOUT", say("DETAIL:CONNECT_TIMEOUT:limit", { where: hostPort(host, port), seconds: Math.round(timeoutMs / 1000) }), true));
    }, timeoutMs);
    const onError = (e: NodeJS.ErrnoException): void => {
      cleanup();
      socket.destroy();
      reject(mapSocketError(e, host, port));
    };
    const onConnect = (): void => {
      cleanup();
      resolve(socket);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off("error", onError);
      socket.off("connect", onConnect);
    };
    socket.once("error", onError);
    socket.once("connect", onConnect);
  });
}

export class TcpTransport implements PhasedTransport {
  private io: DuplexIo | null;
  private channel: SecureChannel | null = null;
  private info: TlsInfo | null = null;
  private readonly timeouts: SmtpTimeouts;
  private phase: TimeoutPhase = "greeting";
  private timeoutMs: number;
  /** performance.now() by which the awaited reply must be complete. */
  private replyDeadline: number;
  /** setPhase was called since the last read (commands of one pipelined group). */
  private grouping = false;
  private closed = false;
  private upgrading = false;
  private discarded = 0;

  constructor(
    private readonly socket: net.Socket,
    private readonly engine: TlsEngine,
    readonly remote: { host: string; port: number },
    timeouts?: Partial<SmtpTimeouts>,
  ) {
    this.timeouts = resolveTimeouts(timeouts);
    this.timeoutMs = this.timeouts.greeting;
    this.replyDeadline = performance.now() + this.timeoutMs; // the greeting's clock runs from connect
    this.io = new DuplexIo(
      socket,
      (e) => mapSocketError(e as NodeJS.ErrnoException, remote.host, remote.port),
      () => new TransportError("CONNECTION_RESET", say("DETAIL:SERVER_CLOSED", { where: hostPort(remote.host, remote.port) }), true),
    );
  }

  /** Connect and wrap; for implicit TLS call upgradeTls() right after (see connect.ts). */
  static async open(o: TcpConnectOptions): Promise<TcpTransport> {
    const t = resolveTimeouts(o.timeouts);
    const socket = await connectTcp(o.host, o.port, t.connect, o.localAddress);
    return new TcpTransport(socket, o.engine, { host: o.host, port: o.port }, o.timeouts);
  }

  get tls(): TlsInfo | null {
    return this.info;
  }
  // Wire counters come from the TCP socket itself, so after the upgrade they count TLS records
  // (what really crossed the network), whichever engine runs on top.
  get bytesWritten(): number {
    return this.socket.bytesWritten;
  }
  get bytesRead(): number {
    return this.socket.bytesRead;
  }
  get discardedBeforeTls(): number {
    return this.discarded;
  }

  setPhase(phase: TimeoutPhase): void {
    this.phase = phase;
    this.timeoutMs = this.timeouts[phase];
    // A pipelined group (MAIL, RCPT…, DATA: several setPhase calls with no read between) goes out
    // at once: no reply of it gets less than its own command's time, so a later, shorter phase
    // does not cut an earlier one's deadline.
    const fresh = performance.now() + this.timeoutMs;
    this.replyDeadline = this.grouping ? Math.max(this.replyDeadline, fresh) : fresh;
    this.grouping = true;
  }

  replyArrived(): void {
    this.replyDeadline = performance.now() + this.timeoutMs;
  }

  setReadTimeout(ms: number): void {
    if (!(ms > 0)) throw new RangeError("read timeout must be > 0 ms");
    this.timeoutMs = ms;
    this.replyDeadline = performance.now() + ms;
  }

  /** Reads wait only for what is left of the reply's deadline (RFC 5321 §4.5.3.2). */
  read(): Promise<Uint8Array | null> {
    if (this.upgrading) return Promise.reject(new Error("read() during the TLS upgrade"));
    const src = this.channel ?? this.io;
    if (!src) return Promise.resolve(null);
    this.grouping = false;
    const left = Math.max(0, this.replyDeadline - performance.now());
    return this.withTimeout(src.read(), () =>
      new TransportError("READ_TIMEOUT", say("DETAIL:READ_TIMEOUT", { where: this.where(), phase: describePhase(this.phase), wait: secs(this.timeoutMs) }), true),
      left,
    );
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.upgrading) return Promise.reject(new Error("write() during the TLS upgrade"));
    const dst = this.channel ?? this.io;
    if (!dst || this.closed) return Promise.reject(new TransportError("CONNECTION_RESET", say("DETAIL:CONNECTION_CLOSED", { where: this.where() }), true));
    return this.withTimeout(dst.write(bytes), () =>
      new TransportError("WRITE_TIMEOUT", say("DETAIL:WRITE_TIMEOUT", { where: this.where(), wait: secs(this.timeoutMs), phase: describePhase(this.phase) }), true),
    );
  }

  /**
   * STARTTLS (RFC 3207) or implicit TLS. Every plaintext byte already received is discarded
   * before the engine sees the socket: a man in the middle who appends forged replies after
   * "220 Ready to start TLS" must not have them read as if they came through TLS
   * (RFC 3207 §4.2 / "NO STARTTLS", USENIX Security 2021). Bytes that arrive later are read by
   * the TLS engine as TLS records and can only fail the handshake, never reach the session.
   */
  async upgradeTls(options: TlsOptions): Promise<TlsInfo> {
    if (this.channel) throw new TransportError("TLS_HANDSHAKE_FAILED", "TLS is already active on this connection.", false);
    if (!this.io || this.closed) throw new TransportError("CONNECTION_RESET", say("DETAIL:CONNECTION_CLOSED", { where: this.where() }), true);
    const failed = this.io.failed;
    if (failed) throw failed;
    this.discarded += this.io.detach();
    this.io = null;
    // The engine owns the socket now; keep one listener so a late socket error cannot crash the
    // process (the engine reports its own failures through its promises).
    this.socket.on("error", () => {});
    this.upgrading = true;
    try {
      const hs = this.engine.connect(this.socket, options);
      this.channel = await this.withTimeout(hs, () =>
        new TransportError("TLS_HANDSHAKE_FAILED", say("DETAIL:TLS_HANDSHAKE_TIMEOUT", { where: this.where(), wait: secs(this.timeouts.tlsHandshake) }), true),
        this.timeouts.tlsHandshake,
      );
    } catch (e) {
      this.abort();
      throw e;
    } finally {
      this.upgrading = false;
    }
    this.info = this.channel.info;
    return this.info;
  }

  /**
   * Orderly close: the TLS engine sends close_notify (RFC 8446 §6.1) and TCP sends FIN; the socket
   * is destroyed after a short grace period if the server does not close its side.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.channel?.close();
    } catch {
      /* already gone */
    }
    if (this.socket.destroyed) return;
    if (!this.channel) this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Abort: used after a timeout or a failed handshake — no grace period. */
  private abort(): void {
    this.closed = true;
    try {
      this.channel?.close();
    } catch {
      /* already gone */
    }
    this.socket.destroy();
  }

  private where(): string {
    return hostPort(this.remote.host, this.remote.port);
  }

  /** A timed-out SMTP connection is unusable (RFC 5321 §4.5.3.2): close it, then reject. */
  private withTimeout<T>(p: Promise<T>, err: () => TransportError, ms = this.timeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.abort();
        reject(err());
      }, ms);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}

/** "host:port", with IPv6 literals in brackets ("[::1]:25"). */
export function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function secs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
