// The live half of `mfp-mail doctor`: connect, EHLO, STARTTLS, EHLO again, optionally AUTH, then
// QUIT — never MAIL, so nothing is ever sent. It reads replies itself (a diagnostic view of what
// the server offers, independent of the core's interpretation) and reports facts; doctor.ts turns
// them into checklist lines. Credentials are only written to the socket, never to the output.
import { readFileSync } from "node:fs";
import { openTransport } from "./transport/connect.js";
import type { PhasedTransport } from "./transport/tcp.js";
import { TransportError, type TlsInfo } from "./transport/types.js";
import type { SendProfile } from "./config/presets.js";
import type { Board } from "./config/board.js";

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
}

export interface ProbeReply { code: number; lines: string[] }

export interface ProbeFacts {
  greeting?: ProbeReply;
  /** Keywords of the EHLO reply before TLS, upper-case keyword → parameters. */
  ehloPlain?: Map<string, string>;
  starttlsReply?: ProbeReply;
  tls?: TlsInfo;
  /** EHLO after TLS (or the only one without TLS). */
  ehlo?: Map<string, string>;
  auth?: { mech: string; reply: ProbeReply };
  /** The first failure, if any: a transport error or an unexpected reply. */
  failure?: { step: string; error?: TransportError; reply?: ProbeReply; message: string };
}

class ReplyReader {
  private buf = "";
  constructor(private readonly t: PhasedTransport) {}
  /** One complete (possibly multi-line) reply, RFC 5321 §4.2.1. */
  async next(): Promise<ProbeReply> {
    const lines: string[] = [];
    for (let guard = 0; guard < 10_000; guard++) {
      const nl = this.buf.indexOf("\n");
      if (nl >= 0) {
        const line = this.buf.slice(0, nl).replace(/\r$/, "");
        this.buf = this.buf.slice(nl + 1);
        const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
        if (!m) throw new Error(`not an SMTP reply line: ${JSON.stringify(line.slice(0, 80))}`);
        lines.push(m[3]!);
        if (m[2] !== "-") return { code: Number(m[1]), lines };
        continue;
      }
      if (this.buf.length > 64 * 1024) throw new Error("reply longer than 64 KiB");
      const chunk = await this.t.read();
      if (chunk === null) throw new TransportError("CONNECTION_RESET", "The server closed the connection.", true);
      this.buf += Buffer.from(chunk).toString("latin1");
    }
    throw new Error("reply has too many lines");
  }
  /** Bytes received but not yet consumed (must be empty before a TLS handshake). */
  get pending(): number { return this.buf.length; }
  reset(): void { this.buf = ""; }
}

function parseEhlo(r: ProbeReply): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of r.lines.slice(1)) {
    const [kw = "", ...rest] = line.trim().split(/\s+/);
    if (kw) m.set(kw.toUpperCase(), rest.join(" "));
  }
  return m;
}

const enc = (s: string): Uint8Array => Buffer.from(s, "utf8");
const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

export async function probe(o: ProbeOptions): Promise<ProbeFacts> {
  const facts: ProbeFacts = {};
  const p = o.profile;
  const step = o.stepTimeout ?? Math.min(o.board.timeouts.greeting, 30_000);
  const timeouts = {
    connect: Math.min(o.board.timeouts.connect, step), tlsHandshake: step, greeting: step, command: step,
    mail: step, rcpt: step, dataInit: step, dataBlock: step, dataTerm: step,
  };
  const tlsOptions = {
    servername: o.servername ?? p.host,
    minVersion: p.tlsMinVersion,
    ...(o.caFile ? { ca: readFileSync(o.caFile) } : {}),
    ...(p.clientCert ? { cert: readFileSync(p.clientCert.certFile), key: readFileSync(p.clientCert.keyFile) } : {}),
  };
  let t: PhasedTransport | null = null;
  let stepName = "connect";
  try {
    t = await openTransport({
      host: p.host, port: p.port, tls: p.tls === "implicit" ? "implicit" : "none",
      engine: o.board.tls.engine, tlsOptions, timeouts,
    });
    if (t.tls) facts.tls = t.tls;
    const r = new ReplyReader(t);
    const cmd = async (line: string, phase: "command" = "command"): Promise<ProbeReply> => {
      t!.setPhase(phase);
      await t!.write(enc(line + "\r\n"));
      return r.next();
    };
    stepName = "greeting";
    t.setPhase("greeting");
    facts.greeting = await r.next();
    if (facts.greeting.code !== 220) throw Object.assign(new Error("greeting refused"), { reply: facts.greeting });
    stepName = "EHLO";
    let ehlo = await cmd(`EHLO ${o.clientName}`);
    if (ehlo.code !== 250) throw Object.assign(new Error("EHLO refused"), { reply: ehlo });
    facts.ehlo = parseEhlo(ehlo);
    if (!t.tls && p.tls !== "off" && facts.ehlo.has("STARTTLS")) {
      facts.ehloPlain = facts.ehlo;
      stepName = "STARTTLS";
      facts.starttlsReply = await cmd("STARTTLS");
      if (facts.starttlsReply.code !== 220) throw Object.assign(new Error("STARTTLS refused"), { reply: facts.starttlsReply });
      // RFC 3207 §6: nothing buffered before the handshake may be used afterwards.
      r.reset();
      facts.tls = await t.upgradeTls(tlsOptions);
      stepName = "EHLO after STARTTLS";
      ehlo = await cmd(`EHLO ${o.clientName}`);
      if (ehlo.code !== 250) throw Object.assign(new Error("EHLO refused"), { reply: ehlo });
      facts.ehlo = parseEhlo(ehlo);
    }
    const c = o.credentials;
    if (c && (c.password !== undefined || c.token !== undefined)) {
      stepName = "AUTH";
      const offered = (facts.ehlo.get("AUTH") ?? "").toUpperCase().split(/\s+/);
      const mech = p.authMechs.find((m) => offered.includes(m) && (m === "XOAUTH2" ? c.token !== undefined : c.password !== undefined));
      if (mech !== undefined && (t.tls || p.tls === "off")) {
        let reply: ProbeReply;
        if (mech === "XOAUTH2") {
          reply = await cmd(`AUTH XOAUTH2 ${b64(`user=${c.user}\x01auth=Bearer ${c.token}\x01\x01`)}`);
          // RFC 7628 §3.2.3: answer the error challenge with an empty line to get the final reply.
          if (reply.code === 334) reply = await cmd("");
        } else if (mech === "PLAIN") {
          reply = await cmd(`AUTH PLAIN ${b64(`\0${c.user}\0${c.password}`)}`);
        } else {
          reply = await cmd("AUTH LOGIN");
          if (reply.code === 334) reply = await cmd(b64(c.user));
          if (reply.code === 334) reply = await cmd(b64(c.password ?? ""));
        }
        facts.auth = { mech, reply };
      }
    }
    stepName = "QUIT";
    await cmd("QUIT").catch(() => undefined);
  } catch (e) {
    if (e instanceof TransportError) facts.failure = { step: stepName, error: e, message: e.message };
    else facts.failure = { step: stepName, reply: (e as { reply?: ProbeReply }).reply, message: (e as Error).message };
  } finally {
    t?.close();
  }
  return facts;
}
