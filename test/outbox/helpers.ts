// Shared pieces of the outbox tests: a receiving smtp-server on loopback that records what
// arrived (parsed with mailparser), deterministic scans from a seed, a fake clock, a loopback
// proxy that cuts the connection after N server bytes, and the directory every outbox test
// writes its logs under (the redaction test greps all of it at the end).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from "smtp-server";
import type { Clock } from "../../host/base/clock.js";
import type { ScanSource } from "../../host/scan/types.js";
import { seededBytes } from "../../soak/seeded.js";

export const TEST_USER = "scanner@contoso.test";
/** Never may this, its base64 forms or the token appear in a log file. */
export const TEST_PASSWORD = "Pw-7Gq!outbox-secret-91";
export const TEST_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOi.outbox-token-XyZ-4411";

/**
 * Every outbox test's directories live under here; zz-redaction.test.ts greps it all. One root
 * per test run (the node --test runner is every test file's parent), so suites run at the same
 * time by different people never see — or delete — each other's outboxes.
 */
export const SUITE_ROOT_PREFIX = "mfp-outbox-tests-";
export const SUITE_ROOT = join(tmpdir(), `${SUITE_ROOT_PREFIX}${process.ppid}`);

export function suiteDir(prefix: string): string {
  mkdirSync(SUITE_ROOT, { recursive: true });
  return mkdtempSync(join(SUITE_ROOT, `${prefix}-`));
}

/** `size` pseudo-random bytes from `seed`: same seed, same scan. */
export function scanBytes(seed: number, size: number): Buffer {
  return seededBytes(`scan-${seed}`, size);
}

export function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

export function scanSource(seed: number, size: number, chunk = 64 * 1024): ScanSource {
  const bytes = scanBytes(seed, size);
  return {
    fileName: `scan-${seed}.pdf`,
    mimeType: "application/pdf",
    size,
    replayable: true,
    async *chunks() {
      for (let i = 0; i < size; i += chunk) yield bytes.subarray(i, Math.min(size, i + chunk));
    },
  };
}

export interface Received {
  subject: string;
  text: string;
  to: string[];
  attachments: { fileName: string; sha256: string; size: number }[];
  at: number;
  user: string | undefined;
}

export interface ServerHooks {
  /** Called when the DATA stream begins. */
  onDataStart?: (session: SMTPServerSession) => void;
  /** Awaited after the final dot was read, before the 250 is sent. */
  beforeAccept?: (session: SMTPServerSession) => Promise<void> | void;
  /** Reply for one recipient: undefined = accept. */
  rcpt?: (address: string) => { code: number; message: string } | undefined;
  /** Time stamp for a received message (fake clock in rate-limit tests). */
  now?: () => number;
  /** The account AUTH accepts (default TEST_USER with TEST_PASSWORD / TEST_TOKEN). */
  account?: { user: string; password: string };
  /** Offer STARTTLS with this key/cert (PEM) and refuse AUTH before it. */
  tls?: { key: string; cert: string };
}

export interface TestServer {
  port: number;
  received: Received[];
  /** Number of messages whose final dot was read (including ones whose 250 never went out). */
  dots: number;
  authFailures: number;
  close(): Promise<void>;
}

/** smtp-server on 127.0.0.1:0 with AUTH PLAIN/LOGIN/XOAUTH2 (no TLS: loopback tests of the queue). */
export async function startServer(hooks: ServerHooks = {}, port = 0): Promise<TestServer> {
  const state: TestServer = { port: 0, received: [], dots: 0, authFailures: 0, close: async () => {} };
  const server = new SMTPServer({
    authMethods: ["PLAIN", "LOGIN", "XOAUTH2"],
    allowInsecureAuth: !hooks.tls,
    disabledCommands: hooks.tls ? [] : ["STARTTLS"],
    ...(hooks.tls ? { key: hooks.tls.key, cert: hooks.tls.cert } : {}),
    logger: false,
    size: 64 * 1024 * 1024,
    closeTimeout: 500,
    onAuth(auth: SMTPServerAuthentication, _s, cb) {
      const account = hooks.account ?? { user: TEST_USER, password: TEST_PASSWORD };
      const ok = auth.method === "XOAUTH2" ? auth.accessToken === TEST_TOKEN : auth.password === account.password;
      if (auth.username === account.user && ok) return cb(null, { user: auth.username });
      state.authFailures++;
      if (auth.method === "XOAUTH2") return cb(null, { data: { status: "401", schemes: "bearer" } });
      cb(new Error("5.7.8 Authentication unsuccessful"));
    },
    onRcptTo(address, _s, cb) {
      const r = hooks.rcpt?.(address.address);
      if (!r) return cb();
      const err = new Error(r.message) as Error & { responseCode: number };
      err.responseCode = r.code;
      cb(err);
    },
    onData(stream, session, cb) {
      hooks.onDataStart?.(session);
      const parts: Buffer[] = [];
      stream.on("data", (d: Buffer) => parts.push(d));
      stream.on("end", async () => {
        state.dots++;
        const raw = Buffer.concat(parts);
        const at = hooks.now ? hooks.now() : Date.now();
        try {
          await hooks.beforeAccept?.(session);
          // The message counts as received once its dot was read — even when the 250 is then
          // lost: that is exactly the case where the sender retries and a duplicate arrives.
          const mail = await simpleParser(raw);
          state.received.push({
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            to: session.envelope.rcptTo.map((r) => r.address),
            attachments: mail.attachments.map((a) => ({ fileName: a.filename ?? "", sha256: sha256(a.content), size: a.content.length })),
            at,
            user: session.user as string | undefined,
          });
          cb();
        } catch (err) {
          cb(err as Error);
        }
      });
    },
  });
  // A client killed mid-session resets its socket: expected here, not a test failure.
  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  state.port = (server.server.address() as net.AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** A clock whose sleep() advances time at once (rate limits and backoff without waiting). */
export class FakeClock implements Clock {
  constructor(public t = Date.UTC(2026, 0, 5, 8, 0, 0)) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.t += Math.max(0, ms);
    await new Promise((r) => setImmediate(r));
  }
}

/** Listen on 127.0.0.1:0; close() destroys the open sockets too. */
async function listenLoopback(server: net.Server, sockets: Set<net.Socket>): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A 256 KiB tmpfs (a full disk on demand), or null with the test skipped when this machine
 * cannot mount one (not root, no tmpfs); unmount it with execFileSync("umount", [dir]).
 */
export function tinyTmpfs(t: { skip(why: string): void }, prefix: string): string | null {
  const mnt = suiteDir(prefix);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt], { stdio: "pipe" });
    return mnt;
  } catch (err) {
    t.skip(`cannot mount a tmpfs here (${(err as Error).message.split("\n")[0]}); full-disk test not run`);
    return null;
  }
}

export interface CutProxy {
  port: number;
  /** Close both sides after this many server→client bytes (Infinity: never). */
  cutAfter: number;
  /** Server→client bytes forwarded in the last connection. */
  lastServerBytes: number;
  /** Offsets where the server's writes ended in the last connection (its reply boundaries). */
  lastBoundaries: number[];
  close(): Promise<void>;
}

/** Loopback proxy that forwards exactly `cutAfter` bytes from the server, then closes both sides. */
export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: CutProxy = { port: 0, cutAfter: Infinity, lastServerBytes: 0, lastBoundaries: [], close: async () => {} };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    let sent = 0;
    proxy.lastServerBytes = 0;
    proxy.lastBoundaries = [];
    const limit = proxy.cutAfter;
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (d: Buffer) => upstream.write(d));
    upstream.on("data", (d: Buffer) => {
      const room = limit - sent;
      const part = room >= d.length ? d : d.subarray(0, Math.max(0, room));
      sent += part.length;
      proxy.lastServerBytes = sent;
      proxy.lastBoundaries.push(sent);
      if (part.length > 0) client.write(part);
      if (sent >= limit) client.end(() => kill());
    });
    for (const s of [client, upstream]) {
      s.on("error", kill);
      s.on("close", () => {
        sockets.delete(s);
        kill();
      });
    }
  });
  Object.assign(proxy, await listenLoopback(server, sockets));
  return proxy;
}

export interface OutageProxy {
  port: number;
  /** While true every connection is reset at once (the network is down); false forwards to the server. */
  down: boolean;
  /** Connections reset while down. */
  refused: number;
  close(): Promise<void>;
}

/**
 * A loopback hop between the device and the server that can be switched off: a network outage
 * without giving up the port (nothing else can take it meanwhile), for retention tests.
 */
export async function startOutageProxy(targetPort: number): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: OutageProxy = { port: 0, down: true, refused: 0, close: async () => {} };
  const server = net.createServer((client) => {
    if (proxy.down) {
      proxy.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  Object.assign(proxy, await listenLoopback(server, sockets));
  return proxy;
}

/** Seeded randomness (the soak's): print the seed so a failing run can be repeated. */
export { prng as seededRandom, runSeed as testSeed } from "../../soak/seeded.js";

/** Largest number of timestamps inside any window of `windowMs`. */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

// ── The device's real session (wasm core + transport) as the outbox's Deliver ───────────────
import { defaultBoard } from "../../host/config/board.js";
import { sessionDeliver } from "../../host/outbox/session-deliver.js";
import type { Deliver, Json } from "../../host/outbox/types.js";

export const PASSWORD_ENV = "MFP_OUTBOX_TEST_PASSWORD";
process.env[PASSWORD_ENV] = TEST_PASSWORD;

/** Session-backed Deliver: password from PASSWORD_ENV, XOAUTH2 token TEST_TOKEN. */
export function realDeliver(): Deliver {
  return sessionDeliver({
    board: defaultBoard(),
    tokenProvider: () => ({ getAccessToken: async () => TEST_TOKEN, invalidate() {} }),
  });
}

/** Job settings for the loopback test server (plaintext AUTH is allowed only because it is loopback). */
export function conn(port: number, auth: "plain" | "login" | "xoauth2" = "plain", user = TEST_USER, passwordEnv = PASSWORD_ENV): Json {
  return { host: "127.0.0.1", port, tls: "none", auth, user, passwordEnv, allowPlaintextAuth: true, clientName: "mfp.contoso.test" };
}

export function msg(subject: string, to: string[], text = "scanned on the device"): Json {
  return { to, subject, text };
}
