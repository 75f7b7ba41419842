// `mfp-mail send` — one message (a scan or files) through the wasm core to an SMTP server.
// The flag contract is fixed (docs/cli.md); scripts rely on it:
//   --server --port --tls starttls|implicit|none --require-tls --ca --insecure-skip-verify
//   --client-cert --client-key --auth none|plain|login|xoauth2 --user --password-env VAR
//   (app-only XOAUTH2: --tenant --client-id --client-secret-env VAR [--authority URL])
//   --from --to… --cc… --subject --body|--body-file --attach FILE… --scan-pages N --preset
//   --board --allow-plaintext-auth --json
// Exit codes: 0 sent (or partial: the message went out, some recipients refused), 2 config
// error, 3 permanent refusal (not delivered; or held for a person when the fix is a setting),
// 4 transient failure and the message is queued on durable storage, 5 transient failure with
// nothing stored (--no-queue, or the outbox could not take it). With --json the last stdout line
// is the SessionResult as one JSON object, with "job" when the message is still on the device.
import { Command, Option } from "commander";
import { ConfigError } from "../config/errors.js";
import { sendMessage } from "../session/driver.js";
import { resolve } from "node:path";
import type { Progress, SessionOptions, SessionResult } from "../session/types.js";
import { prepareSend, type SendFlags } from "./send-options.js";
import { progressView } from "./progress.js";
import type { JobState } from "../outbox/types.js";
import type { AppOnlySettings } from "../oauth/app-only.js";
import { outcomeProgress } from "../session/setup.js";
import { cleanServerText } from "../text/sanitize.js";
import { say as sayOutcome } from "../text/outcomes.js";
import { tlsFirstMessage, watchGreeting, wentUnencrypted } from "./tls-first.js";

const repeat = (v: string, prev: string[] = []): string[] => [...prev, v];

export function exitCodeFor(r: SessionResult): number {
  if (r.status === "sent" || r.status === "partial") return 0;
  if (r.configError) return 2;
  if (r.status === "queued") return 4;
  if (r.status === "not-sent-transient") return 5;
  return 3;
}

/** A message still on the device after the command: its outbox job and state. */
export interface JobRef { id: string; state: JobState; dir: string }

/** The --json contract (plus a few extra fields scripts may ignore). */
export function jsonResult(r: SessionResult, job?: JobRef | null, plaintext = false): string {
  return JSON.stringify({
    status: r.status, code: r.code, enhanced: r.enhanced, message: r.message,
    recipients: r.recipients.map((x) => ({ address: x.address, accepted: x.accepted, code: x.code })),
    wireBytes: r.wireBytes, roundTrips: r.roundTrips,
    id: r.id, parts: r.parts, ...(r.bodyMode ? { bodyMode: r.bodyMode } : {}),
    ...(r.stage ? { stage: r.stage, command: r.command ?? "" } : {}),
    ...(r.tls ? { tls: { protocol: r.tls.protocol, cipher: r.tls.cipher } } : plaintext ? { tls: "none-offered" } : {}),
    ...(r.coreMemoryBytes !== undefined ? { coreMemoryBytes: r.coreMemoryBytes } : {}),
    ...(job ? { job: { id: job.id, state: job.state } } : {}),
  });
}

function configFailure(e: ConfigError): SessionResult {
  return {
    status: "failed", code: 0, enhanced: "", message: e.message, recipients: [], wireBytes: 0, roundTrips: 0,
    messageAccepted: false, transient: false, configError: true, id: e.code, parts: { sent: 0, total: 0 },
  };
}

const STORE_FAILURES = /^(STORAGE_FULL|OUTBOX_FULL|OUTBOX_UNWRITABLE)$/;

/** A transient failure with nothing stored, when the message cannot even be sent directly. */
function notStored(why: string, addresses: string[]): SessionResult {
  return {
    status: "not-sent-transient", code: 0, enhanced: "", message: why, recipients: addresses.map((address) => ({ address, accepted: false, code: 0 })),
    wireBytes: 0, roundTrips: 0, messageAccepted: false, transient: true, id: "OUTBOX_UNAVAILABLE", parts: { sent: 0, total: 1 },
  };
}

/**
 * Durable first: the message — scan or text only — is in the outbox before the first
 * byte goes out, and a transient failure leaves it there for `mfp-mail daemon`. When the outbox
 * cannot take it (storage full, unwritable) the message is sent directly instead: nothing is
 * stored then, and a transient failure says so ("not-sent-transient", exit 5).
 */
async function sendDurably(f: SendFlags, session: SessionOptions, appOnly: AppOnlySettings | undefined, err: (s: string) => void): Promise<{ r: SessionResult; job: JobRef | null } | number> {
  const { Outbox, outboxOptionsFromBoard } = await import("../outbox/index.js");
  const { sendViaOutbox } = await import("../outbox/send.js");
  let outbox;
  try {
    outbox = await Outbox.open(outboxOptionsFromBoard(session.board, f.outbox ? { dir: resolve(f.outbox) } : {}));
    const q = await sendViaOutbox({
      outbox, session, ...(f.passwordEnv ? { passwordEnv: f.passwordEnv } : {}),
      ...(f.clientCert ? { clientCertFile: resolve(f.clientCert) } : {}), ...(f.clientKey ? { clientKeyFile: resolve(f.clientKey) } : {}),
      ...(f.preset ? { preset: f.preset } : {}), ...(appOnly ? { appOnly } : {}),
    });
    for (const removed of outbox.removedForSpace) err(`mfp-mail: ${removed.summary}`);
    return { r: q.result, job: q.jobState ? { id: q.jobId, state: q.jobState, dir: outbox.dir } : null };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (!(e instanceof Error) || !code || !(STORE_FAILURES.test(code) || code === "BAD_JOB" || code === "SECRET_IN_JOB")) throw e;
    if (!STORE_FAILURES.test(code)) {
      err(`mfp-mail: the outbox refused the message (${code}): ${e.message}`);
      if (f.json) process.stdout.write(jsonResult({ ...configFailure(new ConfigError("OPTION_INVALID", "--outbox", e.message)), id: code }) + "\n");
      return 2;
    }
    err(`mfp-mail: the outbox cannot take the message (${code}): ${e.message}; sending it directly, so nothing is kept if this attempt fails`);
    const m = session.message;
    if (!m.attachments.every((a) => a.replayable)) return { r: notStored(sayOutcome("OUTBOX_UNAVAILABLE", { code }), [...m.to, ...(m.cc ?? [])]), job: null };
    return { r: await sendMessage(session), job: null };
  }
}

const LABEL: Record<SessionResult["status"], string> = {
  sent: "SENT", partial: "PARTLY SENT", queued: "NOT SENT YET (kept in the outbox, will retry)",
  "not-sent-transient": "NOT SENT (temporary failure, nothing kept: send it again later)", failed: "NOT SENT",
};

function jobNote(job: JobRef | null): string {
  if (!job) return "";
  if (job.state === "held") {
    return `  held in the outbox ${job.dir} as job ${job.id}, scan kept: fix the cause, then mfp-mail queue retry-now ${job.id} (or mfp-mail queue cancel ${job.id})`;
  }
  return `  kept in the outbox ${job.dir} as job ${job.id}; mfp-mail daemon retries it`;
}

export async function runSend(f: SendFlags): Promise<number> {
  const out = (s: string) => process.stdout.write(s + "\n");
  const err = (s: string) => process.stderr.write(s + "\n");
  // Human lines go to stdout normally; with --json to stderr, so stdout ends with the object.
  const say = f.json ? err : out;
  let prepared;
  try {
    prepared = await prepareSend(f, { isTty: !!process.stdin.isTTY, env: process.env });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`mfp-mail: ${e.message}`);
    if (f.json) out(jsonResult(configFailure(e)));
    return 2;
  }
  for (const w of prepared.warnings) err(w);
  const tty = !f.json && !!process.stderr.isTTY;
  const view = progressView(tty, say);
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once("SIGINT", onSig);
  process.once("SIGTERM", onSig);
  let r: SessionResult;
  let job: JobRef | null = null;
  const srv = prepared.options.server;
  const greeting = srv.tls === "starttls" && !srv.mx ? watchGreeting(srv.host, srv.port, () => ac.abort()) : null;
  try {
    const session = { ...prepared.options, onProgress: (p: Progress) => { greeting?.progress(p); view.update(p); }, signal: ac.signal };
    if (f.queue !== false) {
      const sent = await sendDurably(f, session, prepared.appOnly, err);
      if (typeof sent === "number") return sent;
      ({ r, job } = sent);
    } else {
      r = await sendMessage(session);
    }
    if (greeting?.found) return await wrongTlsMode(f, prepared.options, job, err);
    // The last progress line names the outcome (Sent / Partly sent / Will retry / Not sent).
    view.update(outcomeProgress(job?.state === "held" ? "held" : r.status));
  } finally {
    greeting?.stop();
    view.stop();
    process.off("SIGINT", onSig);
    process.off("SIGTERM", onSig);
  }
  const o = prepared.options;
  const plaintext = wentUnencrypted(o.server.tls, !!o.server.requireTls, r);
  if (plaintext) err(`mfp-mail: warning: ${o.server.host}:${o.server.port} did not offer STARTTLS, so the message went unencrypted; --require-tls refuses to send that way`);
  const rcpt = r.recipients.map((x) => `  ${x.accepted ? "✓" : "✗"} ${x.address} ${x.code || ""}`.trimEnd());
  const label = job?.state === "held" ? "NOT SENT (held in the outbox until someone fixes it)" : LABEL[r.status];
  // Server-supplied words reach the terminal only through the sanitiser (no escape sequences).
  say(`${label}: ${cleanServerText(r.message)}`);
  for (const l of rcpt) say(l);
  say(`  server ${o.server.host}:${o.server.port}${r.tls ? `, ${r.tls.protocol}` : ""}${r.bodyMode ? `, body ${r.bodyMode}` : ""}, ` +
    `${r.wireBytes} bytes on the wire, ${r.roundTrips} round trips${r.parts.total > 1 ? `, ${r.parts.sent}/${r.parts.total} parts` : ""}`);
  if (r.status !== "sent" && r.adminHint) say(`  hint: ${cleanServerText(r.adminHint.split("\n")[0]!)}`);
  if (r.stage) say(`  failed at ${r.stage}${r.command ? ` (${r.command})` : ""}`);
  const note = jobNote(job);
  if (note) say(cleanServerText(note));
  if (f.json) out(jsonResult(r, job, plaintext));
  return exitCodeFor(r);
}

/** A TLS-first port under --tls starttls: a configuration error (exit 2); the job it left is dropped. */
async function wrongTlsMode(f: SendFlags, o: SessionOptions, job: JobRef | null, err: (s: string) => void): Promise<number> {
  if (job) {
    const { Outbox, outboxOptionsFromBoard } = await import("../outbox/index.js");
    await (await Outbox.open(outboxOptionsFromBoard(o.board, { dir: job.dir }))).cancel(job.id);
  }
  const e = new ConfigError("OPTION_INVALID", "--tls", tlsFirstMessage(o.server.host, o.server.port));
  err(`mfp-mail: ${e.message}`);
  if (f.json) process.stdout.write(jsonResult({ ...configFailure(e), id: "TLS_FIRST_PORT" }) + "\n");
  return 2;
}

export function sendCommand(): Command {
  return new Command("send")
    .description("send a message with attachments or a simulated scan through the wasm SMTP core")
    .option("--server <host>", "SMTP server name (or --preset)")
    .option("--port <n>", "server port (default 587; 465 with --tls implicit)")
    .addOption(new Option("--tls <mode>", "starttls | implicit | none (default starttls)"))
    .option("--require-tls", "fail unless STARTTLS succeeds (never a silent downgrade)")
    .option("--ca <file>", "PEM CA bundle to trust for the server certificate")
    .option("--insecure-skip-verify", "do not check the server certificate (lab only; warns)")
    .option("--client-cert <file>", "PEM client certificate (certificate-based relay connectors)")
    .option("--client-key <file>", "PEM key of the client certificate")
    .addOption(new Option("--auth <mech>", "none | plain | login | xoauth2 (default none)"))
    .option("--user <name>", "SASL user (default: --from)")
    .option("--password-env <VAR>", "environment variable holding the password (never in argv; prompted on a TTY)")
    .option("--tenant <tenant>", "app-only XOAUTH2: Entra ID tenant (GUID or domain); with --client-id and --client-secret-env")
    .option("--client-id <id>", "app-only XOAUTH2: application (client) id of the app registration")
    .option("--client-secret-env <VAR>", "app-only XOAUTH2: environment variable holding the client secret (never in argv)")
    .option("--authority <url>", "app-only XOAUTH2: identity platform base URL (default https://login.microsoftonline.com)")
    .option("--from <address>", "sender address")
    .option("--to <address>", "recipient; repeatable, or several comma-separated", repeat)
    .option("--cc <address>", "copy recipient; repeatable, or several comma-separated", repeat)
    .option("--subject <text>", "subject")
    .option("--body <text>", "body text")
    .option("--body-file <file>", "body text from a file")
    .option("--attach <file>", "attach a file, repeatable", repeat)
    .option("--allow-empty", "send a 0-byte attachment (refused otherwise)")
    .option("--scan-pages <n>", "attach a simulated scan of N pages (PDF)")
    .option("--scan-size <bytes>", "size of the simulated scan (default 200 KiB per page)")
    .option("--scan-format <pdf|tiff>", "simulated scan as a PDF (default) or a multi-page TIFF")
    .option("--scan-rate <bytes/s>", "scanner speed of the simulated scan (default unlimited)")
    .option("--preset <name>", "m365-submission | m365-hve | m365-direct-send | m365-relay | generic")
    .option("--board <file>", "board profile (name in boards/ or a JSON file)")
    .option("--allow-plaintext-auth", "allow credentials without TLS (lab only; warns loudly)")
    .option("--ehlo-name <name>", "name sent in EHLO (default mfp-mail.localdomain)")
    .option("--timeout <ms>", "one timeout for every phase (default: the board's RFC 5321 values)")
    .option("--no-dsn", "do not ask the server for delivery status notifications (RFC 3461; the board's smtp.dsn is the default)")
    .option("--no-queue", "send directly, without storing the message in the durable outbox first (a failed send is then not retried: exit 5)")
    .option("--outbox <dir>", "outbox directory (default: the board's outbox.dir, or $MFP_OUTBOX_DIR)")
    .option("--dns-server <ip[:port]>", "DNS server(s) for the MX lookup of m365-direct-send / m365-relay (default $MFP_DNS_SERVER, else the system's)")
    .option("--json", "print the result as one JSON object on the last stdout line")
    .action(async (f: SendFlags) => {
      process.exitCode = await runSend(f);
    });
}
