// The simulator's embedded receiving server: nodemailer's smtp-server on loopback with STARTTLS
// (a CA and server certificate generated at start, nothing on disk), AUTH PLAIN/LOGIN/XOAUTH2,
// PIPELINING, SIZE and 8BITMIME. smtp-server 3.21 has no CHUNKING/BDAT (its MAIL handler refuses
// BODY=BINARYMIME: "BINARYMIME is not supported as it requires BDAT"), so this server receives
// over DATA; host/sim/chunking-mta.ts is the BDAT/BINARYMIME receiver.
//
// The options double as the test suite's server "personalities" (no PIPELINING, LOGIN only, no
// AUTH, a 4xx for some recipients, a small SIZE …) and are what the panel reuses.
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { loopbackServerCredentials } from "./selfsigned.js";

export interface SimUser {
  password?: string;
  /** XOAUTH2 bearer tokens accepted for this user. */
  tokens?: string[];
}

export interface SimServerOptions {
  /** Offer STARTTLS (default true); false = plaintext-only server. */
  starttls?: boolean;
  /** Implicit TLS from the first byte (port 465 style, RFC 8314 §3.3) instead of STARTTLS. */
  implicitTls?: boolean;
  /** Accounts; undefined or {} with auth "none" = no AUTH at all. */
  users?: Record<string, SimUser>;
  /** Mechanisms offered (default PLAIN, LOGIN, XOAUTH2); [] = AUTH not offered. */
  authMethods?: ("PLAIN" | "LOGIN" | "XOAUTH2")[];
  /** Require AUTH before MAIL (default: true when users are given). */
  authRequired?: boolean;
  pipelining?: boolean;
  /** Announce SIZE in EHLO (default true); false = the limit is enforced only after DATA (552). */
  announceSize?: boolean;
  /** SIZE limit in bytes (default 200 MiB); messages over it get 552 at MAIL (RFC 1870). */
  size?: number;
  /** Reply to RCPT TO: return [code, text] to refuse a recipient. */
  rcptReply?: (address: string) => [number, string] | null;
  /** Hold each RCPT TO until this settles (a send that lasts as long as a test needs). */
  rcptGate?: (address: string) => Promise<void>;
  /** Called for every message that arrived whole. */
  onMessage?: (m: SimMessage) => void;
  /** Keep message bytes (default true). */
  keepData?: boolean;
  host?: "127.0.0.1" | "::1";
  /** Use this certificate instead of generating one (tests: expired, wrong name, self-signed). */
  credentials?: { key: string; cert: string; ca?: string };
}

export interface SimMessage {
  from: string;
  to: string[];
  /** The message as delivered (dot-unstuffed). */
  raw: Buffer;
  size: number;
  sha256: string;
  user: string | null;
  tls: boolean;
  /** BODY= parameter of MAIL FROM ("7bit" or "8bitmime"). */
  body: string;
}

export interface SimServer {
  host: string;
  port: number;
  /** PEM of the CA that issued the server certificate (give it to the client as --ca). */
  ca: string;
  messages: SimMessage[];
  /** AUTH attempts seen: mechanism and user (never the secret). */
  auths: { method: string; user: string; ok: boolean }[];
  /** Resolve when n messages have arrived (bounded by timeoutMs). */
  waitForMessages(n: number, timeoutMs?: number): Promise<SimMessage[]>;
  close(): Promise<void>;
}

/** The messages that arrived, and the tests waiting for them. */
class Arrivals {
  readonly messages: SimMessage[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly onMessage?: (m: SimMessage) => void) {}

  /** Keep a message, tell onMessage, wake the waiters; returns how many have arrived. */
  add(m: SimMessage): number {
    this.messages.push(m);
    this.onMessage?.(m);
    for (const w of this.waiters.splice(0)) w();
    return this.messages.length;
  }

  async waitFor(n: number, timeoutMs: number): Promise<SimMessage[]> {
    const until = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`only ${this.messages.length} of ${n} messages arrived within ${timeoutMs} ms`);
      // Woken by the next arrival, or after a second at most to look at the clock again.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return this.messages.slice(0, n);
  }
}

/** AUTH: a known user's password, or one of its XOAUTH2 tokens. Every attempt is recorded, never the secret. */
function authHandler(users: Record<string, SimUser>, auths: SimServer["auths"]): NonNullable<SMTPServerOptions["onAuth"]> {
  return (auth, _session, cb) => {
    const u = users[auth.username ?? ""];
    let ok = false;
    if (u && auth.method === "XOAUTH2") ok = !!auth.accessToken && (u.tokens ?? []).includes(auth.accessToken);
    else if (u && u.password !== undefined) ok = auth.password === u.password;
    auths.push({ method: auth.method, user: auth.username ?? "", ok });
    if (ok) return cb(null, { user: auth.username });
    if (auth.method === "XOAUTH2") {
      // RFC 7628 style error challenge (what Exchange and Gmail send): 334 + base64 JSON.
      return cb(null, { data: { status: "401", schemes: "bearer", scope: "https://outlook.office.com/SMTP.Send" } });
    }
    cb(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
  };
}

/** DATA: the message hashed (its bytes kept unless keepData is false); one over SIZE gets 552. */
function dataHandler(keepData: boolean, arrived: (m: SimMessage) => number): NonNullable<SMTPServerOptions["onData"]> {
  return (stream, session, cb) => {
    const hash = createHash("sha256");
    const parts: Buffer[] = [];
    let size = 0;
    stream.on("data", (d: Buffer) => {
      hash.update(d);
      size += d.length;
      if (keepData) parts.push(d);
    });
    stream.on("end", () => {
      if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
        return cb(Object.assign(new Error("5.3.4 Message too big"), { responseCode: 552 }));
      }
      const count = arrived({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.concat(parts),
        size,
        sha256: hash.digest("hex"),
        user: (session.user as string | undefined) ?? null,
        tls: !!session.secure,
        body: String((session.envelope as unknown as { bodyType?: string }).bodyType ?? "7bit"),
      });
      cb(null, "2.0.0 Ok: queued as SIM" + count);
    });
  };
}

export async function startSimServer(o: SimServerOptions = {}): Promise<SimServer> {
  const host = o.host ?? "127.0.0.1";
  const arrivals = new Arrivals(o.onMessage);
  const auths: SimServer["auths"] = [];
  const users = o.users ?? {};
  const methods = o.authMethods ?? ["PLAIN", "LOGIN", "XOAUTH2"];
  const noAuth = methods.length === 0 || Object.keys(users).length === 0;
  const starttls = (o.starttls ?? true) || !!o.implicitTls;
  const creds = !starttls ? null : o.credentials
    ? { server: { key: o.credentials.key, cert: o.credentials.cert }, ca: { cert: o.credentials.ca ?? "" } }
    : loopbackServerCredentials(["localhost", host]);

  const options: SMTPServerOptions = {
    secure: !!o.implicitTls,
    logger: false,
    name: "sim.mfp-mail.test",
    banner: "mfp-mail simulator",
    size: o.size ?? 200 * 1024 * 1024,
    hidePIPELINING: o.pipelining === false,
    hideSize: o.announceSize === false,
    hideSTARTTLS: !starttls,
    ...(creds ? { key: creds.server.key, cert: creds.server.cert, minVersion: "TLSv1.2" } : {}),
    authMethods: noAuth ? [] : methods,
    authOptional: noAuth || o.authRequired === false,
    disabledCommands: noAuth ? ["AUTH"] : [],
    // The device refuses plaintext AUTH itself; the server still lets a lab client try.
    allowInsecureAuth: !starttls,
    onAuth: authHandler(users, auths),
    async onRcptTo(address, _session, cb) {
      await o.rcptGate?.(address.address);
      const r = o.rcptReply?.(address.address);
      if (r) return cb(Object.assign(new Error(r[1]), { responseCode: r[0] }));
      cb();
    },
    onData: dataHandler(o.keepData !== false, (m) => arrivals.add(m)),
  };
  const server = new SMTPServer(options);
  server.on("error", () => { /* a client's broken connection is not the simulator's failure */ });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    host,
    port,
    ca: creds?.ca.cert ?? "",
    messages: arrivals.messages,
    auths,
    waitForMessages: (n, timeoutMs = 30_000) => arrivals.waitFor(n, timeoutMs),
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
