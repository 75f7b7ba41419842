// `mfp-mail send` options → SessionOptions. Every problem is a ConfigError naming the flag, found
// before a connection is opened (exit code 2). Secrets never come from argv: the password is read
// from the environment variable named by --password-env, or prompted for on a TTY.
import { readFileSync } from "node:fs";
import { assertMailbox, needsSmtpUtf8 } from "../config/address.js";
import { defaultBoard, resolveBoard, type Board } from "../config/board.js";
import { ConfigError } from "../config/errors.js";
import { resolvePreset, type PresetName } from "../config/presets.js";
import { fileSource } from "../scan/file.js";
import type { ScanSource } from "../scan/types.js";
import type { AuthChoice, SessionOptions, TokenProvider } from "../session/types.js";
import { tlsModeOf, type TlsMode } from "../transport/tls-mode.js";
import { uniformTimeouts } from "../transport/timeouts.js";
import { dnsServersFromEnv } from "../transport/mx.js";
import { promptHidden } from "./prompt.js";
import type { AppOnlySettings } from "../oauth/app-only.js";

export interface SendFlags {
  server?: string;
  port?: string;
  tls?: string;
  requireTls?: boolean;
  ca?: string;
  insecureSkipVerify?: boolean;
  clientCert?: string;
  clientKey?: string;
  auth?: string;
  user?: string;
  passwordEnv?: string;
  /** App-only XOAUTH2 (client credentials): all three, the secret only from an environment variable. */
  tenant?: string;
  clientId?: string;
  clientSecretEnv?: string;
  authority?: string;
  from?: string;
  to?: string[];
  cc?: string[];
  subject?: string;
  body?: string;
  bodyFile?: string;
  attach?: string[];
  scanPages?: string;
  scanSize?: string;
  scanRate?: string;
  scanFormat?: string;
  preset?: string;
  board?: string;
  allowPlaintextAuth?: boolean;
  ehloName?: string;
  timeout?: string;
  json?: boolean;
  queue?: boolean;
  outbox?: string;
  /** --no-dsn: false; otherwise the board's smtp.dsn decides (RFC 3461). */
  dsn?: boolean;
  /** Send an attachment even when it has 0 bytes (refused otherwise: an empty scan is a mistake). */
  allowEmpty?: boolean;
  /** DNS server(s) for the MX lookup ("ip[:port]", comma-separated); default MFP_DNS_SERVER, else the system's. */
  dnsServer?: string;
}

export interface PreparedSend {
  options: SessionOptions;
  /** App-only sign-in: what an outbox job records so the daemon can get a fresh token. */
  appOnly?: AppOnlySettings;
  warnings: string[];
}

/** What prepareSend may ask of the process: a TTY to prompt on, the environment for secrets. */
type SendIo = { isTty: boolean; env: NodeJS.ProcessEnv };

const AUTHS: AuthChoice[] = ["none", "plain", "login", "xoauth2"];
const TLS_MODES: TlsMode[] = ["starttls", "implicit", "none"];

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError("OPTION_INVALID", flag, code === "ENOENT" ? `file not found: ${path}` : `cannot read ${path} (${code ?? "error"})`);
  }
}

function intFlag(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError("OPTION_INVALID", flag, `must be a whole number ${min}–${max}, got "${v}"`);
  return n;
}

/**
 * --to/--cc values → addresses. One value may hold several, comma-separated as in an RFC 5322
 * address-list (§3.4); a comma inside a quoted local part ("a,b"@x) does not separate. Only bare
 * addresses are taken: a display name ("Ann <a@x>") gets an exact hint instead of a parse error.
 */
export function addressList(values: string[], flag: string): string[] {
  const out: string[] = [];
  for (const value of values) {
    let quoted = false;
    let start = 0;
    const pieces: string[] = [];
    for (let i = 0; i <= value.length; i++) {
      const c = value[i];
      if (c === "\\" && quoted) i++;
      else if (c === '"') quoted = !quoted;
      else if ((c === "," && !quoted) || i === value.length) {
        pieces.push(value.slice(start, i).trim());
        start = i + 1;
      }
    }
    for (const a of pieces.filter(Boolean)) {
      const angle = /<([^<>]*)>\s*$/.exec(a);
      if (angle) throw new ConfigError("ADDRESS_INVALID", `${flag}[${out.length}]`, `give the address alone, without a name: ${flag} ${angle[1]!.trim()} (several: ${flag} a@example.com,b@example.com or repeat ${flag})`);
      out.push(a);
    }
  }
  return out;
}

/** A token from MFP_MAIL_TOKEN (lab use, tests): nothing to refresh. */
function staticToken(token: string): TokenProvider {
  return { getAccessToken: async () => token, invalidate: () => {} };
}

/** DNS servers for MX lookups: --dns-server, else MFP_DNS_SERVER, else the system's (none given). */
function dnsServers(f: SendFlags, env: NodeJS.ProcessEnv): { dnsServers?: string[] } {
  const list = f.dnsServer ? f.dnsServer.split(",").map((x) => x.trim()).filter(Boolean) : dnsServersFromEnv(env);
  return list?.length ? { dnsServers: list } : {};
}

/** Where the message goes and how: server, port, TLS and the AUTH mechanism. */
interface Route {
  host: string;
  port: number;
  tls: TlsMode;
  requireTls: boolean;
  auth: AuthChoice;
  preset: PresetName | undefined;
  /** The preset sends to the domain's MX host (resolved at send time). */
  mx: string | undefined;
}

/** Any app-only (client credentials) flag given: they travel together and mean XOAUTH2. */
function appOnlyRequested(f: SendFlags): boolean {
  return f.tenant !== undefined || f.clientId !== undefined || f.clientSecretEnv !== undefined || f.authority !== undefined;
}

/** Server, port, TLS and AUTH: explicit flags win over the preset's defaults. */
function resolveRoute(f: SendFlags, appOnly: boolean): Route {
  let host = f.server;
  let port = intFlag(f.port, "--port", 1, 65535);
  let tls = f.tls as TlsMode | undefined;
  if (tls !== undefined && !TLS_MODES.includes(tls)) throw new ConfigError("OPTION_INVALID", "--tls", `must be starttls, implicit or none, got "${f.tls}"`);
  let requireTls = !!f.requireTls;
  let auth = f.auth as AuthChoice | undefined;
  if (auth !== undefined && !AUTHS.includes(auth)) throw new ConfigError("OPTION_INVALID", "--auth", `must be none, plain, login or xoauth2, got "${f.auth}"`);
  let preset: PresetName | undefined;
  let mx: string | undefined;
  if (f.preset) {
    const p = resolvePreset(f.preset, { ...(host ? { host } : {}), ...(port ? { port } : {}), ...(f.from ? { from: f.from } : {}) });
    preset = p.preset;
    host = p.host;
    mx = p.mx;
    port = p.port;
    if (tls === undefined) ({ tls, requireTls } = { ...tlsModeOf(p.tls), requireTls: requireTls || tlsModeOf(p.tls).requireTls });
    // App-only flags mean XOAUTH2 when the preset allows it (m365-hve defaults to LOGIN).
    if (auth === undefined && appOnly && p.authMechs.includes("XOAUTH2")) auth = "xoauth2";
    if (auth === undefined) auth = (p.authMechs[0]?.toLowerCase() as AuthChoice | undefined) ?? "none";
  }
  if (!host) throw new ConfigError("OPTION_INVALID", "--server", "the mail server's name is required (or --preset)");
  tls ??= "starttls";
  port ??= tls === "implicit" ? 465 : 587;
  auth ??= "none";
  if (tls === "none" && requireTls) throw new ConfigError("OPTION_INVALID", "--require-tls", "cannot be combined with --tls none");
  if (tls === "implicit") requireTls = true;
  return { host, port, tls, requireTls, auth, preset, mx };
}

/** Addresses (RFC 5321 mailbox syntax; SMTPUTF8 addresses allowed, the server must offer it). */
function envelope(f: SendFlags): { from: string; to: string[]; cc: string[] } {
  if (!f.from) throw new ConfigError("OPTION_INVALID", "--from", "the sender address is required");
  assertMailbox(f.from, "--from", { smtpUtf8: needsSmtpUtf8(f.from) });
  const to = addressList(f.to ?? [], "--to");
  const cc = addressList(f.cc ?? [], "--cc");
  if (to.length === 0) throw new ConfigError("OPTION_INVALID", "--to", "at least one recipient is required");
  to.forEach((a, i) => assertMailbox(a, `--to[${i}]`, { smtpUtf8: needsSmtpUtf8(a) }));
  cc.forEach((a, i) => assertMailbox(a, `--cc[${i}]`, { smtpUtf8: needsSmtpUtf8(a) }));
  return { from: f.from, to, cc };
}

/** The body text: --body or the contents of --body-file. */
function bodyText(f: SendFlags): string {
  if (f.body !== undefined && f.bodyFile !== undefined) throw new ConfigError("OPTION_INVALID", "--body-file", "give --body or --body-file, not both");
  let text = f.body ?? "";
  if (f.bodyFile !== undefined) text = readPem(f.bodyFile, "--body-file");
  return text;
}

/** --attach files, opened now so a missing or empty one is refused before connecting. */
async function attachedFiles(f: SendFlags, board: Board): Promise<ScanSource[]> {
  const attachments: ScanSource[] = [];
  for (const [i, path] of (f.attach ?? []).entries()) {
    let file: ScanSource;
    try {
      file = await fileSource(path, { chunkSize: board.scan.readBytes ?? board.scan.chunkMax });
    } catch (e) {
      throw new ConfigError("OPTION_INVALID", `--attach[${i}]`, (e as Error).message);
    }
    // A 0-byte file is nearly always a scan that went wrong (a full spool, a cancelled job).
    if (file.size === 0 && !f.allowEmpty) throw new ConfigError("OPTION_INVALID", `--attach[${i}]`, `${path} is empty (0 bytes); nothing to send. Add --allow-empty to send it anyway`);
    attachments.push(file);
  }
  return attachments;
}

/** --scan-pages: a simulated scan (PDF or TIFF) as one more attachment; none without the flag. */
async function simulatedScanSource(f: SendFlags, board: Board): Promise<ScanSource | undefined> {
  const pages = intFlag(f.scanPages, "--scan-pages", 1, 10000);
  if (pages === undefined) return undefined;
  const bytes = intFlag(f.scanSize, "--scan-size", 1, 2 ** 31);
  const rate = intFlag(f.scanRate, "--scan-rate", 1, 2 ** 40);
  try {
    const fmt = f.scanFormat ?? "pdf";
    if (fmt !== "pdf" && fmt !== "tiff") throw new ConfigError("OPTION_INVALID", "--scan-format", `must be pdf or tiff, got "${fmt}"`);
    const so = { pages, chunkSize: board.scan.chunkMax, ...(bytes ? { bytes } : {}), ...(rate ? { rateBytesPerSec: rate } : {}) };
    // The simulated scanners load only for --scan-pages: a file send does not pay for them.
    return fmt === "tiff" ? (await import("../scan/simulated-tiff.js")).simulatedTiff(so) : (await import("../scan/simulated-pdf.js")).simulatedScan(so);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError("OPTION_INVALID", "--scan-size", (e as Error).message);
  }
}

/** TLS material: CA, client certificate and key, and the warning for an unchecked server certificate. */
function tlsMaterial(f: SendFlags, warnings: string[]): SessionOptions["server"]["tlsOptions"] {
  const tlsOptions: SessionOptions["server"]["tlsOptions"] = {};
  if (f.ca) tlsOptions.ca = readPem(f.ca, "--ca");
  if (!!f.clientCert !== !!f.clientKey) throw new ConfigError("OPTION_INVALID", f.clientCert ? "--client-key" : "--client-cert", "a client certificate needs both --client-cert and --client-key");
  if (f.clientCert && f.clientKey) {
    tlsOptions.cert = readPem(f.clientCert, "--client-cert");
    tlsOptions.key = readPem(f.clientKey, "--client-key");
  }
  if (f.insecureSkipVerify) {
    tlsOptions.insecureSkipVerify = true;
    warnings.push("!!! --insecure-skip-verify: the server certificate is NOT checked; anyone on the path can read the mail and the password. Lab use only.");
  }
  return tlsOptions;
}

interface Credentials {
  password?: string;
  tokenProvider?: TokenProvider;
  /** App-only sign-in: recorded with an outbox job so the daemon can get a fresh token. */
  appOnly?: AppOnlySettings;
}

/** Credentials for the chosen mechanism: never from argv (environment, TTY prompt or token cache). */
async function credentials(f: SendFlags, auth: AuthChoice, user: string, appOnly: boolean, io: SendIo, board: Board): Promise<Credentials> {
  // App-only sign-in flags only mean something with XOAUTH2; refuse them elsewhere rather than
  // silently sending with another mechanism.
  if (appOnly && auth !== "xoauth2") {
    const flag = f.tenant !== undefined ? "--tenant" : f.clientId !== undefined ? "--client-id" : f.clientSecretEnv !== undefined ? "--client-secret-env" : "--authority";
    throw new ConfigError("OPTION_INVALID", flag, `app-only sign-in (client credentials) needs --auth xoauth2, got --auth ${auth}`);
  }
  // A password named but no sign-in chosen would be silently ignored: say so instead.
  if (f.passwordEnv !== undefined && auth === "none") {
    throw new ConfigError("OPTION_INVALID", "--password-env", `names a password, but there is no sign-in (--auth none): add --auth plain or --auth login (or --auth xoauth2 for a token), or drop --password-env`);
  }
  if (auth === "plain" || auth === "login") {
    if (f.passwordEnv) {
      const password = io.env[f.passwordEnv];
      if (password === undefined) throw new ConfigError("OPTION_INVALID", "--password-env", `environment variable ${f.passwordEnv} is not set`);
      return { password };
    }
    if (io.isTty) return { password: await promptHidden(`Password for ${user}: `) };
    throw new ConfigError("OPTION_INVALID", "--password-env", `AUTH ${auth.toUpperCase()} needs a password: put it in an environment variable and name it with --password-env VAR`);
  }
  if (auth === "xoauth2" && appOnly) {
    const { appOnlySettings, appOnlyProvider } = await import("../oauth/app-only.js");
    const settings = appOnlySettings(f);
    return { appOnly: settings, tokenProvider: appOnlyProvider(settings, io.env) };
  }
  if (auth === "xoauth2") {
    const envToken = io.env[f.passwordEnv ?? "MFP_MAIL_TOKEN"];
    if (envToken) return { tokenProvider: staticToken(envToken) };
    const { cachedTokenProvider } = await import("../oauth/provider.js");
    const { resolve } = await import("node:path");
    try {
      return { tokenProvider: await cachedTokenProvider(resolve(board.outbox.dir), user) };
    } catch (e) {
      throw new ConfigError("OPTION_INVALID", "--auth", `xoauth2: ${(e as Error).message}`);
    }
  }
  return {};
}

// The checks run in this order, so of several problems the same one is always named first.
export async function prepareSend(f: SendFlags, io: SendIo): Promise<PreparedSend> {
  const warnings: string[] = [];
  const board = f.board ? resolveBoard(f.board) : defaultBoard();
  const appOnly = appOnlyRequested(f);
  const { host, port, tls, requireTls, auth, preset, mx } = resolveRoute(f, appOnly);
  const { from, to, cc } = envelope(f);

  const text = bodyText(f);
  const attachments = await attachedFiles(f, board);
  const scan = await simulatedScanSource(f, board);
  if (scan) attachments.push(scan);
  if (attachments.length > 1 && attachments.some((a) => a.size > board.message.splitAbove)) {
    warnings.push("several attachments: the message cannot be split; a server size limit may refuse it");
  }

  const tlsOptions = tlsMaterial(f, warnings);
  if (f.allowPlaintextAuth) {
    warnings.push("!!! --allow-plaintext-auth: credentials may be sent WITHOUT encryption. Never use this on a real network.");
  }
  const user = f.user ?? from;
  const { password, tokenProvider, appOnly: appOnlySet } = await credentials(f, auth, user, appOnly, io, board);
  const timeout = intFlag(f.timeout, "--timeout", 1, 3_600_000);

  return {
    warnings,
    ...(appOnlySet ? { appOnly: appOnlySet } : {}),
    options: {
      server: {
        host, port, tls, requireTls, tlsOptions,
        ...(mx ? { mx: { domain: mx, ...dnsServers(f, io.env) } } : {}),
        ...(f.ehloName ? { clientName: f.ehloName } : {}),
        ...(timeout ? { timeouts: uniformTimeouts(timeout) } : {}),
      },
      auth: { mechanism: auth, user, ...(password !== undefined ? { password } : {}), ...(tokenProvider ? { tokenProvider } : {}), allowPlaintextAuth: !!f.allowPlaintextAuth },
      message: { from, to, cc, subject: f.subject ?? (attachments[0] ? `Scan: ${attachments[0].fileName}` : "Message from mfp-mail"), text, attachments },
      board,
      ...(preset ? { preset } : {}),
      ...(f.dsn === false ? { dsn: false } : {}),
    },
  };
}
