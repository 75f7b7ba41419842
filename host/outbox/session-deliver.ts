// The outbox's Deliver backed by the device's own session (host/session/driver.ts: wasm core +
// transport). The job file keeps only settings (JobConnection, JobMessage below); secrets are
// looked up at delivery time — a password from the environment variable the job names, an
// XOAUTH2 token from the provider the caller supplies — so they never touch the outbox storage.
import type { Board, PresetName } from "../config/board.js";
import { sendMessage } from "../session/driver.js";
import type { AuthChoice, AuthOptions, SessionOptions, TokenProvider } from "../session/types.js";
import type { EngineName } from "../transport/connect.js";
import type { TlsMode } from "../transport/tls-mode.js";
import type { TlsOptions, Transport } from "../transport/types.js";
import type { Deliver, DeliveryResult } from "./types.js";
import type { AppOnlySettings } from "../oauth/app-only.js";
import { say } from "../text/outcomes.js";

/** What a job stores about the connection (never a secret). */
export interface JobConnection {
  host: string;
  port: number;
  tls: TlsMode;
  requireTls?: boolean;
  engine?: EngineName;
  /** CA bundle (PEM text) or servername etc.; never a private key. */
  tlsOptions?: Partial<Pick<TlsOptions, "servername" | "minVersion" | "insecureSkipVerify">> & { ca?: string };
  /** Client certificate for relay connectors: file paths, read at delivery time. */
  clientCertFile?: string;
  clientKeyFile?: string;
  clientName?: string;
  /** Per-phase timeouts (ms), when the sender overrode the board's. */
  timeouts?: Record<string, number>;
  auth: AuthChoice;
  user?: string;
  /** Name of the environment variable that holds the password (plain/login). */
  passwordEnv?: string;
  allowPlaintextAuth?: boolean;
  binaryMime?: boolean;
  /** false: no DSN request (send --no-dsn); absent: the board's smtp.dsn. */
  dsn?: boolean;
  /** The preset the settings came from: the session classifies replies in its context. */
  preset?: PresetName;
  /** App-only XOAUTH2: tenant, client id, authority and the NAME of the secret's environment
   *  variable; the daemon gets a fresh token from them on every retry. */
  appOnly?: AppOnlySettings;
  /** Connect to this domain's MX hosts, looked up again on every attempt. */
  mx?: { domain: string; dnsServers?: string[] };
}

/** What a job stores about the message besides the scans and the envelope. */
export interface JobMessage {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
}

export interface SessionDeliverOptions {
  board: Board;
  /** XOAUTH2 tokens for `user` (host/oauth); required for jobs with auth "xoauth2". */
  tokenProvider?: (user: string | undefined) => TokenProvider | undefined | Promise<TokenProvider | undefined>;
  /** Password lookup; default: process.env[connection.passwordEnv]. */
  password?: (c: JobConnection) => string | undefined;
  /** Tests: a proxy or fault injector instead of a direct connection. */
  openTransport?: (c: JobConnection) => Promise<Transport>;
}

/** One client-credentials provider per app registration for the deliverer's lifetime (tokens are
 *  reused until the refresh margin, not fetched per job). */
type AppProviders = Map<string, TokenProvider>;

async function appOnlyFor(s: AppOnlySettings, cache: AppProviders): Promise<TokenProvider> {
  const key = JSON.stringify([s.authority ?? "", s.tenant, s.clientId, s.secretEnv]);
  let tp = cache.get(key);
  if (!tp) {
    const { appOnlyProvider } = await import("../oauth/app-only.js");
    tp = appOnlyProvider(s, process.env);
    cache.set(key, tp);
  }
  return tp;
}

async function authFor(c: JobConnection, o: SessionDeliverOptions, apps: AppProviders): Promise<AuthOptions | string> {
  if (c.auth === "none") return { mechanism: "none" };
  if (c.auth === "xoauth2") {
    let tp: TokenProvider | undefined;
    try {
      tp = c.appOnly ? await appOnlyFor(c.appOnly, apps) : await o.tokenProvider?.(c.user);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    if (!tp) return `no XOAUTH2 token source for ${c.user ?? "the account"}: run mfp-mail login`;
    return { mechanism: "xoauth2", user: c.user, tokenProvider: tp, allowPlaintextAuth: c.allowPlaintextAuth };
  }
  const password = o.password ? o.password(c) : c.passwordEnv ? process.env[c.passwordEnv] : undefined;
  if (password === undefined) return `the password for ${c.user ?? "the account"} is not available (environment variable ${c.passwordEnv ?? "(none named)"} is not set)`;
  return { mechanism: c.auth, user: c.user, password, allowPlaintextAuth: c.allowPlaintextAuth };
}

export function sessionDeliver(o: SessionDeliverOptions): Deliver {
  const apps: AppProviders = new Map();
  return async (req): Promise<DeliveryResult> => {
    const c = req.connection as unknown as JobConnection;
    const m = req.message as unknown as JobMessage;
    const auth = await authFor(c, o, apps);
    if (typeof auth === "string") {
      // A missing secret is a device configuration problem; retrying cannot fix it by itself.
      return { status: "failed", code: 0, enhanced: "", message: say("JOB_NOT_SIGNED_IN", { why: auth.replace(/\.$/, "") }), recipients: req.recipients.map((address) => ({ address, accepted: false, code: 0 })), messageAccepted: false, transient: false };
    }
    const { to, cc } = pendingRecipients(m, req.recipients);
    const options: SessionOptions = {
      server: {
        host: c.host,
        port: c.port,
        tls: c.tls,
        requireTls: c.requireTls,
        engine: c.engine,
        clientName: c.clientName,
        ...(c.mx ? { mx: c.mx } : {}),
        ...(c.timeouts ? { timeouts: c.timeouts } : {}),
        tlsOptions: { ...(c.tlsOptions ?? {}), ...(await clientCert(c)) },
      },
      auth,
      message: { from: req.from, to, cc, subject: m.subject ?? "", text: m.text ?? "", attachments: req.scans },
      board: o.board,
      binaryMime: c.binaryMime,
      ...(c.dsn !== undefined ? { dsn: c.dsn } : {}),
      ...(c.preset ? { preset: c.preset } : {}),
      // The job is on durable storage: a transient failure is retried, and the sentence may say so.
      stored: true,
      observer: req.observer,
      signal: req.signal,
      openTransport: o.openTransport ? () => o.openTransport!(c) : undefined,
    };
    const r = await sendMessage(options);
    return { ...r, recipients: r.recipients.map((x) => ({ ...x })) };
  };
}

/**
 * Retries go only to the still-pending recipients. The session takes its envelope from To/Cc,
 * so a retry's header lists only them too (recipients missing from both go to To).
 */
export function pendingRecipients(m: JobMessage, pendingList: string[]): { to: string[]; cc: string[] } {
  const pending = new Set(pendingList.map((r) => r.toLowerCase()));
  const to = m.to.filter((a) => pending.has(a.toLowerCase()));
  const cc = (m.cc ?? []).filter((a) => pending.has(a.toLowerCase()));
  const listed = new Set([...to, ...cc].map((a) => a.toLowerCase()));
  return { to: [...to, ...pendingList.filter((a) => !listed.has(a.toLowerCase()))], cc };
}

async function clientCert(c: JobConnection): Promise<Partial<TlsOptions>> {
  if (!c.clientCertFile || !c.clientKeyFile) return {};
  const { readFile } = await import("node:fs/promises");
  return { cert: await readFile(c.clientCertFile), key: await readFile(c.clientKeyFile) };
}
