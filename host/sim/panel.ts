// `mfp-mail sim --panel`: the front panel wired to the simulator's embedded receiving server
// (host/sim/server.ts, or the CHUNKING/BINARYMIME MTA) on loopback. The device's account and
// password exist only in this process's memory; the outbox lives in a fresh temporary directory
// that is removed when the panel stops. Nothing leaves 127.0.0.1.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultBoard, type Board } from "../config/board.js";
import { runDoctor } from "../doctor/doctor.js";
import { Outbox, outboxOptionsFromBoard } from "../outbox/index.js";
import { sessionDeliver } from "../outbox/session-deliver.js";
import type { AuthChoice, AuthOptions, TokenProvider } from "../session/types.js";
import { startSimServer } from "./server.js";
import { startChunkingMta } from "./chunking-mta.js";
import { createPanelBackend, type FinishedScan } from "../panel/backend.js";
import { startPanel } from "../panel/server.js";
import type { PanelBackend } from "../panel/server.js";
import { startSimIdp } from "./idp.js";

export interface SimPanelOptions {
  board?: Board;
  mta?: "smtp-server" | "chunking";
  auth?: AuthChoice;
  /** STARTTLS on the embedded server (default true). */
  tls?: boolean;
  /** The device holds a password the server does not accept (shows the sign-in failure). */
  wrongPassword?: boolean;
  /** Scan engine speed in bytes per second (default 8 MiB/s, like a fast office MFP). */
  scanRate?: number;
  /**
   * XOAUTH2: the device starts signed in (default true). False = it holds no token until someone
   * signs in on the panel's Sign in screen (the server accepts only tokens the sign-in issued).
   */
  signedIn?: boolean;
  /** smtp-server only: refuse some recipients at RCPT TO with [code, text]. */
  rcptReply?: (address: string) => [number, string] | null;
  /** smtp-server only: hold each RCPT TO until this settles (tests stop a send in progress). */
  rcptGate?: (address: string) => Promise<void>;
  /** How often due outbox jobs are retried (default 5 s). */
  retryTickMs?: number;
  /** Panel HTTP port (default 0: any free port). */
  port?: number;
  now?: () => Date;
  onMessage?: (m: SimArrival) => void;
  onFinished?: (f: FinishedScan) => void;
}

export interface SimArrival { raw: Buffer; via: string; tls: boolean; to: string[] }

export interface SimPanel {
  url: string;
  backend: PanelBackend;
  smtp: { kind: string; host: string; port: number };
  /** The device's mailbox (sender and "Send to me"). */
  account: string;
  arrivals: SimArrival[];
  outbox: Outbox;
  close(): Promise<void>;
}

export const SIM_ACCOUNT = "scanner@sim.mfp-mail.test";
const RETRY_TICK_MS = 5000;

/**
 * The device's account on the embedded server. The server knows `password`; the device holds
 * `devicePassword` (a wrong one on request). `tokens` are what the server accepts for XOAUTH2,
 * `token` the one the device holds (null until a panel sign-in when it starts signed out).
 */
interface SimAccount {
  user: string;
  password: string;
  devicePassword: string;
  token: string | null;
  tokens: string[];
}

function simAccount(o: SimPanelOptions): SimAccount {
  const password = randomBytes(12).toString("base64url");
  const token = o.signedIn === false ? null : randomBytes(24).toString("base64url");
  return { user: SIM_ACCOUNT, password, devicePassword: o.wrongPassword ? `${password}-wrong` : password, token, tokens: token ? [token] : [] };
}

/** The options with their defaults filled in. */
type SimSetup = SimPanelOptions & Required<Pick<SimPanelOptions, "board" | "mta" | "auth" | "tls">>;

interface Receiver { port: number; ca: string; close(): Promise<void> }

/** The embedded receiving server the panel sends to: smtp-server (DATA) or the CHUNKING/BINARYMIME MTA. */
async function startReceiver(o: SimSetup, account: SimAccount, arrived: (a: SimArrival) => void): Promise<Receiver> {
  const { auth, tls } = o;
  const { user, password, tokens } = account;
  if (o.mta === "chunking") {
    const { loopbackServerCredentials } = await import("./selfsigned.js");
    const creds = tls ? loopbackServerCredentials(["localhost", "127.0.0.1"]) : null;
    const srv = await startChunkingMta({
      ...(creds ? { key: creds.server.key, cert: creds.server.cert } : {}),
      ...(auth !== "none" ? { authenticate: (_m: string, u: string, secret: string) => u === user && (secret === password || tokens.includes(secret)) } : {}),
      onMessage: (m) => { if (m.data) arrived({ raw: m.data, via: `${m.via} ${m.body}`, tls: m.tls, to: [] }); },
    });
    return { port: srv.port, ca: creds?.ca.cert ?? "", close: () => srv.close() };
  }
  const srv = await startSimServer({
    starttls: tls,
    ...(auth !== "none" ? { users: { [user]: { password, tokens } } } : {}),
    ...(o.rcptReply ? { rcptReply: o.rcptReply } : {}),
    ...(o.rcptGate ? { rcptGate: o.rcptGate } : {}),
    onMessage: (m) => arrived({ raw: m.raw, via: `DATA ${m.body.toUpperCase()}`, tls: m.tls, to: m.to }),
  });
  return { port: srv.port, ca: srv.ca, close: () => srv.close() };
}

/**
 * The device's daemon in miniature: every few seconds, retry jobs whose backoff has run out.
 * Only queued jobs tried before (attemptCount > 0): a new job belongs to the send that queued
 * it, and a held one waits for a person (Retry now on the Outbox screen). Returns its stop.
 */
function startRetries(outbox: Outbox, deliver: ReturnType<typeof sessionDeliver>, tickMs: number): () => Promise<void> {
  let pass: Promise<void> | null = null;
  const retryTimer = setInterval(() => {
    if (pass) return;
    pass = (async () => {
      for (const job of await outbox.list()) {
        if (job.state === "queued" && job.attemptCount > 0 && job.nextAttemptAt <= Date.now()) await outbox.deliverNow(job.id, deliver);
      }
    })().catch(() => { /* the job keeps its state; the Outbox screen shows it */ }).finally(() => { pass = null; });
  }, tickMs);
  retryTimer.unref();
  return async () => { clearInterval(retryTimer); await pass; };
}

/** The panel's Check screen: the doctor against the embedded server, with what the device holds now. */
async function simDoctor(o: SimSetup, account: SimAccount, port: number, caFile: string | null) {
  const { auth } = o;
  const { user, devicePassword, token } = account;
  return (await runDoctor({
    preset: "generic", board: o.board, host: "127.0.0.1", port, tls: o.tls ? "required" : "off", from: user, to: [user],
    authMechs: auth === "none" ? [] : [auth.toUpperCase() as "PLAIN" | "LOGIN" | "XOAUTH2"],
    ...(auth === "plain" || auth === "login" ? { user, password: devicePassword } : {}),
    ...(auth === "xoauth2" && token ? { user, token } : {}),
    ...(caFile ? { caFile } : {}),
    stepTimeout: 5000,
  })).checks;
}

export async function startSimPanel(options: SimPanelOptions = {}): Promise<SimPanel> {
  const o: SimSetup = { ...options, board: options.board ?? defaultBoard(), mta: options.mta ?? "smtp-server", auth: options.auth ?? "plain", tls: options.tls ?? true };
  const { board, mta, auth, tls } = o;
  const account = simAccount(o);
  const { user, devicePassword } = account;
  const arrivals: SimArrival[] = [];
  const closers: (() => Promise<void>)[] = [];
  const close = async () => { for (const c of closers.splice(0).reverse()) await c().catch(() => {}); };
  try {
    const dir = await mkdtemp(join(tmpdir(), "mfp-panel-"));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const receiver = await startReceiver(o, account, (a) => { arrivals.push(a); o.onMessage?.(a); });
    closers.push(() => receiver.close());
    const { port, ca } = receiver;
    const caFile = join(dir, "sim-ca.pem");
    if (ca) await writeFile(caFile, ca);

    // XOAUTH2: the token the server accepts; a panel sign-in (sim identity provider) replaces it.
    const tokenProvider: TokenProvider = {
      async getAccessToken() {
        if (account.token === null) throw new Error("the device is not signed in: use the Sign in screen");
        return account.token;
      },
      invalidate() {},
    };
    const authOptions: AuthOptions = {
      mechanism: auth, user,
      ...(auth === "plain" || auth === "login" ? { password: devicePassword } : {}),
      ...(auth === "xoauth2" ? { tokenProvider } : {}),
      allowPlaintextAuth: !tls,
    };
    const outbox = await Outbox.open(outboxOptionsFromBoard(board, { dir: join(dir, "outbox") }));
    const idp = await startSimIdp({ account: user });
    closers.push(() => idp.close());
    // A sign-in still waiting for its code ends with the panel (its polling would keep the process alive).
    const signInAbort = new AbortController();
    closers.push(async () => signInAbort.abort());
    const retryDeliver = sessionDeliver({ board, password: () => devicePassword, tokenProvider: () => tokenProvider });
    closers.push(startRetries(outbox, retryDeliver, o.retryTickMs ?? RETRY_TICK_MS));

    const backend = createPanelBackend({
      board,
      device: `${board.name} (simulator)`,
      from: user,
      me: user,
      server: { host: "127.0.0.1", port, tls: tls ? "starttls" : "none", requireTls: tls, tlsOptions: { ca } },
      auth: authOptions,
      outbox,
      retryDeliver,
      scanRate: o.scanRate ?? 8 * 1024 * 1024,
      ...(o.now ? { now: o.now } : {}),
      ...(o.onFinished ? { onFinished: o.onFinished } : {}),
      doctor: () => simDoctor(o, account, port, ca ? caFile : null),
      signIn: async (onPrompt) => {
        const r = await idp.signIn(onPrompt, signInAbort.signal);
        // The device now holds the token the sign-in produced; the embedded server accepts it too.
        account.token = r.accessToken;
        account.tokens.push(r.accessToken);
        return { account: r.account };
      },
    });
    const panel = await startPanel(backend, o.port ?? 0);
    closers.push(() => panel.close());
    return { url: panel.url, backend, smtp: { kind: mta, host: "127.0.0.1", port }, account: user, arrivals, outbox, close };
  } catch (e) {
    await close();
    throw e;
  }
}
