// Test driver: one message through A's core (host/core.ts) over C1's transport, configured from a
// preset and a board, the outcome classified by host/config/replies.ts. Used by the M365 tests
// without the session loop (host/session.ts) in between: test/tls-mbedtls/send.test.ts runs the
// mbedtls-wasm engine through it. test/m365/send.test.ts uses the product path instead. Bounded.
import { Core, type CoreEvent } from "../../host/core.js";
import { openTransport } from "../../host/transport/connect.js";
import type { PhasedTransport } from "../../host/transport/tcp.js";
import { TransportError, type TlsOptions } from "../../host/transport/types.js";
import type { Board } from "../../host/config/board.js";
import type { SendProfile } from "../../host/config/presets.js";
import {
  classifyFailure, classifyLocal, classifyReply, classifyTransport, summarizeRecipients,
  type Classified, type RecipientOutcome,
} from "../../host/config/replies.js";

export interface DriveSpec {
  profile: SendProfile;
  board: Board;
  ca: string;
  servername?: string;
  clientCert?: { cert: string; key: string };
  user?: string;
  password?: string;
  token?: string;
  from: string;
  to: string[];
  subject: string;
  body?: string;
  /** Extra bytes of body (to test size limits). */
  padding?: number;
}

export interface DriveOutcome {
  /** The message's outcome: partial recipient success included (retry/refused lists when sent). */
  result: Classified & { accepted?: number; retry?: string[]; refused?: string[] };
  accepted: boolean;
  recipients: RecipientOutcome[];
  events: CoreEvent[];
  transcript: string[];
}

function message(s: DriveSpec): Uint8Array {
  const lines = [
    `From: ${s.from}`, `To: ${s.to.join(", ")}`, `Subject: ${s.subject}`,
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${Date.now()}.${Math.random().toString(36).slice(2)}@mfp.test>`,
    "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", "",
    s.body ?? "Scanned document.",
  ];
  if (s.padding) for (let i = 0; i < Math.ceil(s.padding / 76); i++) lines.push("x".repeat(76));
  return new TextEncoder().encode(lines.join("\r\n") + "\r\n");
}

export async function drive(s: DriveSpec): Promise<DriveOutcome> {
  const p = s.profile;
  const core = await Core.create(s.board.core);
  const k = core.k;
  const msg = message(s);
  const events: CoreEvent[] = [];
  const transcript: string[] = [];
  const recipients: RecipientOutcome[] = s.to.map((address) => ({ address, result: classifyReply({ code: 0 }) }));
  let failure: Classified | null = null;
  let accepted = false;
  let done = false;

  const set = (f: string, v: string) => { if (core.setString(k[f]!, v) !== 0) throw new Error(`core refused ${f}`); };
  set("FieldClientName", "mfp.contoso.com");
  set("FieldMailFrom", s.from);
  for (const r of s.to) set("FieldRcptTo", r);
  const tlsPolicy = p.tls === "off" || p.tls === "implicit" ? k.TlsPolicyNone! : p.tls === "opportunistic" ? k.TlsPolicyOpportunistic! : k.TlsPolicyRequired!;
  core.setInt(k.FieldTlsPolicy!, tlsPolicy);
  if (p.tls === "implicit") core.setInt(k.FieldTlsActive!, 1);
  let mechs = 0;
  for (const m of p.authMechs) {
    if (m === "XOAUTH2" && s.token !== undefined) mechs |= k.MechXoauth2!;
    if (m === "LOGIN" && s.password !== undefined) mechs |= k.MechLogin!;
    if (m === "PLAIN" && s.password !== undefined) mechs |= k.MechPlain!;
  }
  core.setInt(k.FieldAuthMechs!, mechs);
  if (mechs !== 0) {
    set("FieldUsername", s.user ?? s.from);
    if (s.password !== undefined) set("FieldPassword", s.password);
  }
  core.setInt(k.FieldUsePipelining!, s.board.smtp.pipelining ? 1 : 0);

  const tlsOptions: TlsOptions = {
    servername: s.servername ?? p.host, ca: s.ca, minVersion: p.tlsMinVersion,
    ...(s.clientCert ? { cert: s.clientCert.cert, key: s.clientCert.key } : {}),
  };
  let t: PhasedTransport | null = null;
  try {
    t = await openTransport({
      host: p.host, port: p.port, tls: p.tls === "implicit" ? "implicit" : "none", engine: s.board.tls.engine,
      tlsOptions, timeouts: { connect: 5000, tlsHandshake: 5000, greeting: 5000, command: 5000, mail: 5000, rcpt: 5000, dataInit: 5000, dataBlock: 5000, dataTerm: 5000 },
    });
    const tr = t;
    const flush = async () => {
      const out = core.takeOut();
      if (out.length) await tr.write(out);
    };
    const retryBusy = async (f: () => number): Promise<number> => {
      for (let i = 0; i < 100; i++) {
        const rc = f();
        if (rc !== -1) return rc;
        await flush();
      }
      throw new Error("core stayed busy");
    };
    core.start();
    for (let round = 0; round < 10_000 && !done; round++) {
      await flush();
      for (let ev = core.nextEvent(); ev && !done; ev = core.nextEvent()) {
        events.push(ev);
        if (ev.name === "CommandSent") transcript.push(`C: ${ev.text}`);
        else if (ev.name === "ReplyReceived") transcript.push(`S: ${ev.code} ${ev.enhanced} ${ev.text}`.replace(/\s+/g, " "));
        switch (ev.name) {
          case "NeedTlsUpgrade":
            await flush();
            await tr.upgradeTls(tlsOptions);
            core.tlsUpgraded();
            break;
          case "NeedAccessToken":
            core.accessToken(s.token ?? "");
            break;
          case "ReadyForEnvelope":
            if (accepted || failure) { core.quit(); break; }
            await retryBusy(() => core.sendEnvelope(msg.length, k.BodyMode7Bit!));
            break;
          case "RecipientResult":
            if (recipients[ev.index]) recipients[ev.index]!.result = classifyReply({ code: ev.code, enhanced: ev.enhanced, text: ev.text }, { preset: p.preset, stage: "rcpt" });
            break;
          case "ReadyForBody": {
            let off = 0;
            for (let i = 0; off < msg.length && i < 100_000; i++) {
              const n = core.bodyWrite(msg.subarray(off));
              off += n;
              if (n === 0) await flush();
            }
            await retryBusy(() => core.bodyEnd());
            break;
          }
          case "MessageAccepted":
            accepted = true;
            core.quit();
            break;
          case "Failed": {
            const reason = core.nameOf("Reason", ev.reason);
            failure = classifyFailure(ev, reason, { preset: p.preset });
            if (core.quit() !== 0) done = true;
            break;
          }
          case "Closed":
            done = true;
            break;
        }
        await flush();
      }
      if (done) break;
      const chunk = await tr.read();
      if (chunk === null) break;
      core.feed(chunk);
    }
  } catch (e) {
    if (e instanceof TransportError) failure = classifyTransport(e);
    else throw e;
  } finally {
    t?.close();
  }
  // Recipients the core never reported on share the message's failure.
  for (const r of recipients) if (r.result.code === 0 && failure) r.result = failure;
  let result: DriveOutcome["result"];
  if (accepted) result = summarizeRecipients(recipients);
  else if (failure) {
    // A per-recipient failure (all rejected) is more telling than "all recipients rejected".
    const rcptFail = recipients.find((r) => r.result.class !== "ok" && r.result.code !== 0);
    result = failure.code === 0 && rcptFail && failure.id !== "TLS_NOT_OFFERED" ? rcptFail.result : failure;
  } else result = classifyLocal("BadState");
  return { result, accepted, recipients, events, transcript };
}
