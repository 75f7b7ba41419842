// The live half of `mfp-mail doctor`: the session in probe mode (host/session/driver.ts probeSession) —
// connect, EHLO, STARTTLS, EHLO again, AUTH when credentials are given, then QUIT at the core's
// ReadyForEnvelope; never MAIL, so nothing is ever sent. The same wasm core and transport as a
// send, so doctor sees the server the way the device will. This file turns the probe record into
// facts; doctor.ts turns them into checklist lines. Credentials go only to the core.
import { readFileSync } from "node:fs";
import { probeSession } from "../session/driver.js";
import type { AuthOptions, ProbeRecord, SessionOptions } from "../session/types.js";
import { TransportError, type TlsInfo } from "../transport/types.js";
import type { SendProfile } from "../config/presets.js";
import { tlsModeOf } from "../transport/tls-mode.js";
import { uniformTimeouts } from "../transport/timeouts.js";
import type { Board } from "../config/board.js";

export interface ProbeCredentials { user: string; password?: string; token?: string }

export interface ProbeOptions {
  profile: SendProfile;
  board: Board;
  clientName: string;
  /** PEM CA file to trust instead of the system roots (lab servers). */
  caFile?: string;
  /** Name the server certificate must carry; defaults to the host. */
  servername?: string;
  credentials?: ProbeCredentials;
  /** Milliseconds for every step (doctor should not hang for RFC 5321's 5 minutes). */
  stepTimeout?: number;
  /** DNS servers for the MX lookup (default: the system's). */
  dnsServers?: string[];
}

export interface ProbeReply { code: number; lines: string[] }

export interface ProbeFacts {
  greeting?: ProbeReply;
  /** The server connected to (the MX host, for Direct Send and relay). */
  server?: string;
  /** TLS as negotiated: engine, protocol, cipher, certificate subject. */
  tls?: TlsInfo;
  /** The last EHLO offer as the core understood it: upper-case keyword → parameters. */
  ehlo?: Map<string, string>;
  auth?: { mech: string; reply: ProbeReply };
  /** The first failure, if any: a transport error or an unexpected reply. */
  failure?: { step: string; error?: TransportError; reply?: ProbeReply; message: string };
}

/** The core's capability names → EHLO keywords (RFC 5321 §4.1.1.1 and the extension RFCs). */
const KEYWORD: Record<string, string> = {
  Pipelining: "PIPELINING", StartTls: "STARTTLS", Size: "SIZE", "8BitMime": "8BITMIME", SmtpUtf8: "SMTPUTF8",
  Chunking: "CHUNKING", BinaryMime: "BINARYMIME", EnhancedStatusCodes: "ENHANCEDSTATUSCODES", Dsn: "DSN", Auth: "AUTH",
};

/** The core's failure stage → the step doctor names. */
function stepOf(stage: string): string {
  switch (stage) {
    case "Connect": return "connect";
    case "Greeting": return "greeting";
    case "Ehlo": case "Helo": return "EHLO";
    case "StartTls": case "TlsHandshake": return "STARTTLS";
    case "NeedToken": case "Auth": return "AUTH";
    default: return stage;
  }
}

const reply = (r: { code: number; enhanced: string; text: string }): ProbeReply =>
  ({ code: r.code, lines: [r.enhanced && !r.text.startsWith(r.enhanced) ? `${r.enhanced} ${r.text}` : r.text] });

/** Local refusals doctor already explains from the EHLO offer (TLS / AUTH lines), not as failures. */
const EXPLAINED = new Set(["TlsNotOffered", "NoAuthMechanism", "PlaintextAuthRefused", "AuthFailed"]);

/** A probe record → the facts doctor.ts reports. */
export function factsOf(rec: ProbeRecord, tls: TlsInfo | null | undefined, mech: string | undefined): ProbeFacts {
  const facts: ProbeFacts = {};
  if (rec.greeting) facts.greeting = reply(rec.greeting);
  if (tls) facts.tls = tls;
  if (rec.caps && rec.capNames) {
    const m = new Map<string, string>();
    for (const n of rec.capNames) {
      const kw = KEYWORD[n];
      if (kw) m.set(kw, "");
    }
    if (m.has("SIZE")) m.set("SIZE", String(rec.caps.sizeLimit));
    // Only the mechanisms the core can use are known by name: AUTH with "" offers none of them.
    if (m.has("AUTH")) m.set("AUTH", (rec.mechNames ?? []).map((x) => x.toUpperCase()).join(" "));
    facts.ehlo = m;
  }
  if (rec.auth && mech) facts.auth = { mech, reply: reply(rec.auth) };
  const f = rec.failure;
  if (rec.transportError) facts.failure = { step: stepOf(rec.stage), error: rec.transportError, message: rec.transportError.message };
  else if (f && !EXPLAINED.has(f.reason)) {
    const step = stepOf(f.stage);
    facts.failure = f.code >= 400 ? { step, reply: reply(f), message: f.text } : { step, message: f.text || f.reason };
  }
  return facts;
}

export async function probe(o: ProbeOptions): Promise<ProbeFacts> {
  const p = o.profile;
  const step = o.stepTimeout ?? Math.min(o.board.timeouts.greeting, 30_000);
  const timeouts = { ...uniformTimeouts(step), connect: Math.min(o.board.timeouts.connect, step) };
  const c = o.credentials;
  // The first mechanism of the configuration the credentials given can serve.
  const mech = c ? p.authMechs.find((m) => (m === "XOAUTH2" ? c.token !== undefined : c.password !== undefined)) : undefined;
  const auth: AuthOptions = !c || !mech ? { mechanism: "none" } : mech === "XOAUTH2"
    ? { mechanism: "xoauth2", user: c.user, tokenProvider: { getAccessToken: async () => c.token!, invalidate: () => {} } }
    : { mechanism: mech === "PLAIN" ? "plain" : "login", user: c.user, password: c.password! };
  const options: SessionOptions = {
    server: {
      host: p.host, port: p.port, ...tlsModeOf(p.tls), clientName: o.clientName, timeouts,
      ...(p.mx ? { mx: { domain: p.mx, ...(o.dnsServers ? { dnsServers: o.dnsServers } : {}) } } : {}),
      tlsOptions: {
        // With MX the session checks the certificate against the MX host it connected to.
        ...(o.servername || !p.mx ? { servername: o.servername ?? p.host } : {}), minVersion: p.tlsMinVersion,
        ...(o.caFile ? { ca: readFileSync(o.caFile, "utf8") } : {}),
        ...(p.clientCert ? { cert: readFileSync(p.clientCert.certFile, "utf8"), key: readFileSync(p.clientCert.keyFile, "utf8") } : {}),
      },
    },
    auth,
    // Never sent: the probe stops before MAIL. The core only needs a syntactically valid sender.
    message: { from: c?.user ?? "doctor@mfp-mail.invalid", to: [], subject: "", text: "", attachments: [] },
    board: o.board,
    preset: p.preset,
  };
  let server: string | undefined;
  const { result, probe: rec } = await probeSession({ ...options, observer: { connect: (h) => { server = h; } } });
  return { ...factsOf(rec, result.tls, mech), ...(server ? { server } : {}) };
}
