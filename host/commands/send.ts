// `mfp-mail send` — one message (a scan or files) through the wasm core to an SMTP server.
// The flag contract is fixed by issue 4; scripts rely on it:
//   --server --port --tls starttls|implicit|none --require-tls --ca --insecure-skip-verify
//   --client-cert --client-key --auth none|plain|login|xoauth2 --user --password-env VAR
//   (app-only XOAUTH2: --tenant --client-id --client-secret-env VAR [--authority URL])
//   --from --to… --cc… --subject --body|--body-file --attach FILE… --scan-pages N --preset
//   --board --allow-plaintext-auth --json
// Exit codes: 0 sent (or partial: the message went out, some recipients refused), 2 config
// error, 3 permanent rejection, 4 transient failure. With --json the last stdout line is the
// SessionResult as one JSON object.
import { Command, Option } from "commander";
import { ConfigError } from "../config/errors.js";
import { sendMessage } from "../session.js";
import { resolve } from "node:path";
import type { Progress, SessionResult } from "../session/types.js";
import { prepareSend, type SendFlags } from "../cli/send-options.js";
import { progressView } from "../cli/progress.js";

const repeat = (v: string, prev: string[] = []): string[] => [...prev, v];

export function exitCodeFor(r: SessionResult): number {
  if (r.status === "sent" || r.status === "partial") return 0;
  if (r.configError) return 2;
  return r.status === "queued" ? 4 : 3;
}

/** JSON contract of issue 4 (plus a few extra fields scripts may ignore). */
export function jsonResult(r: SessionResult): string {
  return JSON.stringify({
    status: r.status, code: r.code, enhanced: r.enhanced, message: r.message,
    recipients: r.recipients.map((x) => ({ address: x.address, accepted: x.accepted, code: x.code })),
    wireBytes: r.wireBytes, roundTrips: r.roundTrips,
    id: r.id, parts: r.parts, ...(r.bodyMode ? { bodyMode: r.bodyMode } : {}),
    ...(r.tls ? { tls: { protocol: r.tls.protocol, cipher: r.tls.cipher } } : {}),
    ...(r.coreMemoryBytes !== undefined ? { coreMemoryBytes: r.coreMemoryBytes } : {}),
  });
}

function configFailure(e: ConfigError): SessionResult {
  return {
    status: "failed", code: 0, enhanced: "", message: e.message, recipients: [], wireBytes: 0, roundTrips: 0,
    messageAccepted: false, transient: false, configError: true, id: e.code, parts: { sent: 0, total: 0 },
  };
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
  let jobNote = "";
  try {
    const session = { ...prepared.options, onProgress: (p: Progress) => view.update(p), signal: ac.signal };
    if (f.queue !== false && session.message.attachments.length > 0) {
      // Durable first (issue 6): the scan is in the outbox before the first byte goes out; a
      // transient failure leaves it there for `mfp-mail daemon`. --no-queue skips this, and a
      // text-only message (no scan to lose) is sent directly.
      const { Outbox, outboxOptionsFromBoard } = await import("../outbox/index.js");
      const { sendViaOutbox } = await import("../outbox/send.js");
      try {
        const outbox = await Outbox.open(outboxOptionsFromBoard(session.board, f.outbox ? { dir: resolve(f.outbox) } : {}));
        const q = await sendViaOutbox({
          outbox, session, ...(f.passwordEnv ? { passwordEnv: f.passwordEnv } : {}),
          ...(f.clientCert ? { clientCertFile: resolve(f.clientCert) } : {}), ...(f.clientKey ? { clientKeyFile: resolve(f.clientKey) } : {}),
          ...(f.preset ? { preset: f.preset } : {}), ...(prepared.appOnly ? { appOnly: prepared.appOnly } : {}),
        });
        r = q.result;
        if (r.status === "queued") jobNote = `  kept in the outbox ${outbox.dir} as job ${q.jobId}; mfp-mail daemon retries it`;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (!(e instanceof Error) || !code || !/^(STORAGE_FULL|OUTBOX_FULL|OUTBOX_UNWRITABLE|BAD_JOB|SECRET_IN_JOB)$/.test(code)) throw e;
        err(`mfp-mail: the outbox cannot take the scan (${code}): ${e.message}`);
        if (f.json) out(jsonResult({ ...configFailure(new ConfigError("OPTION_INVALID", "--outbox", e.message)), id: code }));
        return code === "BAD_JOB" || code === "SECRET_IN_JOB" ? 2 : 4;
      }
    } else {
      r = await sendMessage(session);
    }
  } finally {
    view.stop();
    process.off("SIGINT", onSig);
    process.off("SIGTERM", onSig);
  }
  const o = prepared.options;
  const rcpt = r.recipients.map((x) => `  ${x.accepted ? "✓" : "✗"} ${x.address} ${x.code || ""}`.trimEnd());
  const label = { sent: "SENT", partial: "PARTLY SENT", queued: "NOT SENT (temporary failure, try again later)", failed: "NOT SENT" }[r.status];
  say(`${label}: ${r.message}`);
  for (const l of rcpt) say(l);
  say(`  server ${o.server.host}:${o.server.port}${r.tls ? `, ${r.tls.protocol}` : ""}${r.bodyMode ? `, body ${r.bodyMode}` : ""}, ` +
    `${r.wireBytes} bytes on the wire, ${r.roundTrips} round trips${r.parts.total > 1 ? `, ${r.parts.sent}/${r.parts.total} parts` : ""}`);
  if (r.status !== "sent" && r.adminHint) say(`  hint: ${r.adminHint.split("\n")[0]}`);
  if (jobNote) say(jobNote);
  if (f.json) out(jsonResult(r));
  return exitCodeFor(r);
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
    .option("--to <address>", "recipient, repeatable", repeat)
    .option("--cc <address>", "copy recipient, repeatable", repeat)
    .option("--subject <text>", "subject")
    .option("--body <text>", "body text")
    .option("--body-file <file>", "body text from a file")
    .option("--attach <file>", "attach a file, repeatable", repeat)
    .option("--scan-pages <n>", "attach a simulated scan of N pages (PDF)")
    .option("--scan-size <bytes>", "size of the simulated scan (default 200 KiB per page)")
    .option("--scan-format <pdf|tiff>", "simulated scan as a PDF (default) or a multi-page TIFF")
    .option("--scan-rate <bytes/s>", "scanner speed of the simulated scan (default unlimited)")
    .option("--preset <name>", "m365-submission | m365-hve | m365-direct-send | m365-relay | generic")
    .option("--board <file>", "board profile (name in boards/ or a JSON file)")
    .option("--allow-plaintext-auth", "allow credentials without TLS (lab only; warns loudly)")
    .option("--ehlo-name <name>", "name sent in EHLO (default mfp-mail.localdomain)")
    .option("--timeout <ms>", "one timeout for every phase (default: the board's RFC 5321 values)")
    .option("--no-queue", "send directly, without storing the scan in the durable outbox first (a failed send is then not retried)")
    .option("--outbox <dir>", "outbox directory (default: the board's outbox.dir, or $MFP_OUTBOX_DIR)")
    .option("--dns-server <ip[:port]>", "DNS server(s) for the MX lookup of m365-direct-send / m365-relay (default $MFP_DNS_SERVER, else the system's)")
    .option("--json", "print the result as one JSON object on the last stdout line")
    .action(async (f: SendFlags) => {
      process.exitCode = await runSend(f);
    });
}
