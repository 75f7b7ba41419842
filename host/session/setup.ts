// Session set-up: the core's configuration from the options, TLS options, and the progress
// reporter (phase changes always, byte updates at most every 50 ms).
import type { Core } from "../core.js";
import type { Progress, SessionOptions } from "./types.js";

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
}

/** A setting the session cannot use (exit code 2 in the CLI). */
export class SessionConfigError extends Error {
  override name = "SessionConfigError";
}

export function makeProgress(o: SessionOptions) {
  let last: Progress = { phase: "Done", text: "", bytesSent: 0, bytesTotal: 0 };
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
      if (phase === last.phase) return;
      const text = phase === "Done" ? "Done" : phase;
      emit({ ...last, phase, text }, true);
    },
    sending(bytesSent: number, bytesTotal: number, page?: number, pages?: number, message?: number, messages?: number) {
      const text = page !== undefined && pages !== undefined ? `Sending page ${page} of ${pages}`
        : messages && messages > 1 ? `Sending part ${message} of ${messages}` : "Sending";
      const changed = last.phase !== "Sending" || text !== last.text || bytesSent === bytesTotal;
      emit({ phase: "Sending", text, bytesSent, bytesTotal, page, pages, message, messages }, changed);
    },
  };
}
