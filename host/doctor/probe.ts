// The live half of `mfp-mail doctor`: the session in probe mode (host/session/driver.ts probeSession) —
// connect, EHLO, STARTTLS, EHLO again, AUTH when credentials are given, then QUIT at the core's
// ReadyForEnvelope; never MAIL, so nothing is ever sent. The same wasm core and transport as a
// send, so doctor sees the server the way the device will. This file turns the probe record into
// facts — the session's own classification of a failure included, so doctor classifies nothing
// itself; doctor.ts turns them into checklist lines. Credentials go only to the core.
import { readFileSync } from "node:fs";
import { probeSession } from "../session/driver.js";
import type { AuthOptions, ProbeRecord, SessionOptions, SessionResult } from "../session/types.js";
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
  /** The first failure, if any: a transport error or an unexpected reply. `step` is the command
   *  whose reply failed it as on the wire ("EHLO", "STARTTLS", "AUTH"), else the core state
   *  ("Connect", "Greeting"). */
  failure?: { step: string; error?: TransportError; reply?: ProbeReply; message: string };
  /** How the session classified the probe's failure (the one reply pipeline,
   *  host/session/classify.ts): what the panel would say, and the fix. */
  outcome?: ProbeOutcome;
}

/** The probe's failure as the session classified it: the outcome id, the panel's sentence, the
 *  fix, and where it failed (the core state and the command whose reply failed it). */
export interface ProbeOutcome { id: string; userMessage: string; adminHint: string; stage?: string; command?: string }

/** The core's capability names → EHLO keywords (RFC 5321 §4.1.1.1 and the extension RFCs). */
const KEYWORD: Record<string, string> = {
  Pipelining: "PIPELINING", StartTls: "STARTTLS", Size: "SIZE", "8BitMime": "8BITMIME", SmtpUtf8: "SMTPUTF8",
  Chunking: "CHUNKING", BinaryMime: "BINARYMIME", EnhancedStatusCodes: "ENHANCEDSTATUSCODES", Dsn: "DSN", Auth: "AUTH",
};

const reply = (r: { code: number; enhanced: string; text: string }): ProbeReply =>
  ({ code: r.code, lines: [r.enhanced && !r.text.startsWith(r.enhanced) ? `${r.enhanced} ${r.text}` : r.text] });

/** Local refusals doctor already explains from the EHLO offer (TLS / AUTH lines), not as failures. */
const EXPLAINED = new Set(["TlsNotOffered", "NoAuthMechanism", "PlaintextAuthRefused", "AuthFailed"]);

/** A probe record and the session's result → the facts doctor.ts reports. */
export function factsOf(rec: ProbeRecord, result: SessionResult, mech: string | undefined): ProbeFacts {
  const facts: ProbeFacts = {};
  const tls = result.tls;
  if (!rec.readyForEnvelope && result.status !== "sent") {
    facts.outcome = {
      id: result.id, userMessage: result.userMessage ?? result.message, adminHint: result.adminHint ?? "",
      ...(result.stage ? { stage: result.stage, command: result.command ?? "" } : {}),
    };
  }
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
  if (rec.transportError) facts.failure = { step: result.command || rec.stage, error: rec.transportError, message: rec.transportError.message };
  else if (f && !EXPLAINED.has(f.reason)) {
    const step = f.command || f.stage;
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
    // Doctor quotes what the panel would say about a scan, and a scan is stored in the outbox.
    stored: true,
  };
  let server: string | undefined;
  const { result, probe: rec } = await probeSession({ ...options, observer: { connect: (h) => { server = h; } } });
  return { ...factsOf(rec, result, mech), ...(server ? { server } : {}) };
}
