// Session set-up: the core's configuration from the options, TLS options, and the progress
// reporter (phase changes always, byte updates at most every 50 ms).
import type { Core } from "../core/core.js";
import type { Phase, Progress, SessionOptions, SessionResult } from "./types.js";
import { outcomeLine } from "../text/outcomes.js";

/** TLS settings; the certificate must name `host` (the MX host connected to, else the server). */
export function tlsOptions(o: SessionOptions, host = o.server.host) {
  return {
    servername: host,
    minVersion: o.board.tls.minVersion,
    ...(o.server.tlsOptions ?? {}),
  };
}

export function configureCore(core: Core, o: SessionOptions): void {
  const k = core.k;
  const set = (field: string, v: string, what: string) => {
    if (core.setString(k[field]!, v) !== 0) throw new SessionConfigError(`${what} is not acceptable in SMTP: ${JSON.stringify(v)}`);
  };
  set("FieldClientName", o.server.clientName ?? "mfp-mail.localdomain", "the EHLO name");
  set("FieldMailFrom", o.message.from, "--from");
  for (const r of [...o.message.to, ...(o.message.cc ?? [])]) set("FieldRcptTo", r, "recipient");
  const tlsMode = o.server.tls;
  if (tlsMode === "implicit") {
    core.setInt(k.FieldTlsActive!, 1);
    core.setInt(k.FieldTlsPolicy!, k.TlsPolicyNone!);
  } else if (tlsMode === "none") {
    if (o.server.requireTls) throw new SessionConfigError("--require-tls cannot be combined with --tls none");
    core.setInt(k.FieldTlsPolicy!, k.TlsPolicyNone!);
  } else {
    core.setInt(k.FieldTlsPolicy!, o.server.requireTls ? k.TlsPolicyRequired! : k.TlsPolicyOpportunistic!);
  }
  const a = o.auth ?? { mechanism: "none" as const };
  const mech = { none: 0, plain: k.MechPlain!, login: k.MechLogin!, xoauth2: k.MechXoauth2! }[a.mechanism];
  core.setInt(k.FieldAuthMechs!, mech);
  if (mech !== 0) {
    set("FieldUsername", a.user ?? o.message.from, "--user");
    if (a.mechanism !== "xoauth2") {
      if (a.password === undefined) throw new SessionConfigError(`AUTH ${a.mechanism.toUpperCase()} needs a password`);
      if (core.setString(k.FieldPassword!, a.password) !== 0) throw new SessionConfigError("the password contains a control character or is too long");
    }
  }
  core.setInt(k.FieldAllowPlaintextAuth!, a.allowPlaintextAuth ? 1 : 0);
  core.setInt(k.FieldUsePipelining!, o.board.smtp.pipelining ? 1 : 0);
  // Sending (not probing): AUTH PLAIN may head the envelope's pipelined group (RFC 4954 §4).
  if (k.FieldPipelineAuth !== undefined && !o.probe) core.setInt(k.FieldPipelineAuth, 1);
  if (o.board.smtp.bdatChunk) core.setInt(k.FieldBdatChunk!, o.board.smtp.bdatChunk);
  if (o.board.smtp.bdatWindow && k.FieldBdatWindow !== undefined) core.setInt(k.FieldBdatWindow, o.board.smtp.bdatWindow);
  // Caps per reply (RFC 5321 sets none): an endless multi-line reply cannot hold the device.
  if (core.setInt(k.FieldReplyMaxLines!, o.board.smtp.replyMaxLines ?? 1000) !== 0 ||
      core.setInt(k.FieldReplyMaxBytes!, o.board.smtp.replyMaxBytes ?? 65536) !== 0) {
    throw new SessionConfigError("the board's smtp.replyMaxLines / smtp.replyMaxBytes are out of range");
  }
  // RFC 3461: ask for failure/delay reports when the server offers DSN (board default, or --no-dsn).
  core.setInt(k.FieldDsn!, (o.dsn ?? o.board.smtp.dsn ?? true) ? 1 : 0);
}

/**
 * The last progress line, once the caller knows what became of the scan: "Sent", "Partly sent",
 * "Will retry" (a job is stored), "Held", "Not sent". The session itself does not send it: only
 * the caller knows whether a transient failure left a job in the outbox.
 */
export function outcomeProgress(status: SessionResult["status"] | "held"): Progress {
  const phase = outcomeLine(status) as Phase;
  return { phase, text: phase, bytesSent: 0, bytesTotal: 0 };
}

/** A setting the session cannot use (exit code 2 in the CLI). */
export class SessionConfigError extends Error {
  override name = "SessionConfigError";
}

export function makeProgress(o: SessionOptions) {
  let last: Progress = { phase: "Connecting", text: "", bytesSent: 0, bytesTotal: 0 };
  let lastEmit = 0;
  const emit = (p: Progress, force: boolean) => {
    const now = Date.now();
    // Byte updates at most every 50 ms; phase changes always.
    if (!force && now - lastEmit < 50) { last = p; return; }
    last = p;
    lastEmit = now;
    o.onProgress?.(p);
  };
  return {
    phase(phase: Progress["phase"]) {
      if (phase === last.phase && last.text === phase) return; // (the first "Connecting" goes out)
      emit({ ...last, phase, text: phase }, true);
    },
    sending(bytesSent: number, bytesTotal: number, page?: number, pages?: number, message?: number, messages?: number) {
      const text = page !== undefined && pages !== undefined ? `Sending page ${page} of ${pages}`
        : messages && messages > 1 ? `Sending part ${message} of ${messages}` : "Sending";
      const changed = last.phase !== "Sending" || text !== last.text || bytesSent === bytesTotal;
      emit({ phase: "Sending", text, bytesSent, bytesTotal, page, pages, message, messages }, changed);
    },
  };
}
