// The front panel's PanelBackend over the device's own modules: the simulated scanner
// (host/scan), the outbox (host/outbox: a scan is made durable, then tried at once, exactly as
// `mfp-mail send` does), the session (host/session/driver.ts: wasm core + transport), the reply
// classification (host/config/replies.ts, via SessionResult.userMessage), doctor and OAuth.
// Nothing here speaks HTTP (host/panel/server.ts does) and nothing here knows it is a simulator
// (host/sim/panel.ts wires the embedded server in).
import { createHash, randomUUID } from "node:crypto";
import type { Board } from "../config/board.js";
import { mailboxProblem, needsSmtpUtf8 } from "../config/address.js";
import { simulatedScan, minimumSize, defaultScanName } from "../scan/simulated-pdf.js";
import { simulatedTiff, minimumTiffSize } from "../scan/simulated-tiff.js";
import type { ScanSource } from "../scan/types.js";
import { sendViaOutbox } from "../outbox/send.js";
import type { Outbox } from "../outbox/index.js";
import { jobTitle } from "../outbox/report.js";
import { OutboxError, type Deliver, type JobRecord } from "../outbox/types.js";
import type { AuthOptions, Progress, ServerOptions, SessionResult } from "../session/types.js";
import type { Check } from "../doctor/doctor.js";
import { outcomeLine, say } from "../text/outcomes.js";
import { cleanServerText, detailSentence } from "../text/sanitize.js";
import {
  PanelInputError,
  type DoctorCheck, type OutboxRow, type PanelBackend, type PanelDone, type PanelProgress, type PanelState,
  type ScanRequest, type SigninEvent,
} from "./server.js";

export interface PanelBackendOptions {
  board: Board;
  /** Shown in the status bar and in the default subject ("Scan from <device>"). */
  device: string;
  /** Reverse-path and From header. */
  from: string;
  /** "Send to me": the signed-in user's own address (null hides the button). */
  me: string | null;
  server: ServerOptions;
  /** The credentials the device holds in memory (never written to the outbox). */
  auth: AuthOptions;
  outbox: Outbox;
  /** Delivery for outbox retries (Retry now): the same session, secrets looked up at delivery. */
  retryDeliver: Deliver;
  /** Scan engine speed in bytes per second (default unlimited). */
  scanRate?: number;
  /** Host clock (default: now) — the default file name and subject come from it. */
  now?: () => Date;
  /** Setup screen: run doctor for this device's settings. */
  doctor?: () => Promise<Check[]>;
  /** Sign in screen: run the device-code flow; onPrompt shows the code. */
  signIn?: (onPrompt: (p: { userCode: string; verificationUri: string }) => void) => Promise<{ account: string }>;
  /** Told about every finished scan job (tests, the sim's console line). */
  onFinished?: (f: FinishedScan) => void;
}

export interface FinishedScan {
  jobId: string;
  outboxJobId: string | null;
  scan: { fileName: string; size: number; pages: number; sha256: string };
  result: SessionResult;
  done: PanelDone;
}

/**
 * Simulated scan size for a page at a resolution and colour mode. Real scanners land near these
 * figures for a JPEG-compressed A4 page: about 25 KiB at 150 dpi black and white, growing with the
 * square of the resolution and about 3× for greyscale, 6× for colour.
 */
export function bytesPerPage(resolution: number, colour: ScanRequest["colour"]): number {
  const factor = colour === "mono" ? 1 : colour === "grey" ? 3 : 6;
  return Math.round(25 * 1024 * factor * (resolution / 150) ** 2);
}

/** "Scan_2026-11-23_1042" + the file type's extension (a typed .pdf/.tif/.tiff is replaced to match). */
function fileNameFrom(input: string, now: Date, format: "pdf" | "tiff"): string {
  const ext = format === "tiff" ? "tif" : "pdf";
  const name = input.trim() || defaultScanName(now, ext);
  if (/[\\/\u0000-\u001f]/.test(name)) throw new PanelInputError("File name must not contain / or \\");
  return `${name.replace(/\.(pdf|tiff?)$/i, "")}.${ext}`;
}

/** Wrap a scan so the panel sees pages being scanned and the bytes' SHA-256 as they are read. */
function watchedScan(scan: ScanSource, pages: number, onPage: (n: number) => void): { source: ScanSource; sha256: () => string } {
  const hash = createHash("sha256");
  let digest = "";
  const ends = scan.pageEnds ?? [scan.size];
  let first = true;
  const source: ScanSource = {
    fileName: scan.fileName,
    mimeType: scan.mimeType,
    size: scan.size,
    ...(scan.pageEnds ? { pageEnds: scan.pageEnds } : {}),
    replayable: scan.replayable,
    async *chunks() {
      // Only the first pass is the scan engine at work; later reads are replays from storage.
      const watching = first;
      first = false;
      let offset = 0;
      let page = 0;
      for await (const c of scan.chunks()) {
        offset += c.length;
        if (watching) {
          hash.update(c);
          while (page < ends.length && offset >= ends[page]!) onPage(Math.min(pages, ++page));
        }
        yield c;
      }
      if (watching) digest = hash.digest("hex");
    },
  };
  return { source, sha256: () => digest };
}

export function createPanelBackend(o: PanelBackendOptions): PanelBackend {
  const now = o.now ?? (() => new Date());
  let signingIn = false;

  function validateRecipients(to: string[]): string[] {
    const out: string[] = [];
    for (const raw of to) {
      const a = raw.trim();
      if (!a) continue;
      const why = mailboxProblem(a, { smtpUtf8: needsSmtpUtf8(a) });
      if (why) throw new PanelInputError(`"${a}" is not an e-mail address: ${why}`);
      if (!out.some((x) => x.toLowerCase() === a.toLowerCase())) out.push(a);
    }
    if (out.length === 0) throw new PanelInputError("Enter at least one recipient");
    if (out.length > 100) throw new PanelInputError("At most 100 recipients per scan");
    return out;
  }

  async function runJob(jobId: string, req: ScanRequest, to: string[], subject: string, fileName: string,
    progress: (p: PanelProgress) => void, done: (d: PanelDone) => void): Promise<void> {
    const pages = req.pages;
    const tiff = req.format === "tiff";
    const bytes = Math.max(tiff ? minimumTiffSize(pages) : minimumSize(pages), pages * bytesPerPage(req.resolution, req.colour) + 8192);
    let pagesScanned = 0;
    let last: PanelProgress = { jobId, phase: `Scanning page 1 of ${pages}`, pagesScanned: 0, pages, bytesSent: 0, bytesTotal: 0, rateBps: 0 };
    let lastSent = 0;
    const emit = (p: Partial<PanelProgress>, force = false) => {
      last = { ...last, ...p };
      const t = Date.now();
      // Coalesce byte counts to about 10 updates a second; phase changes always go out.
      if (force || t - lastSent >= 100) {
        lastSent = t;
        progress(last);
      }
    };
    emit({}, true);
    const scanOptions = {
      pages, bytes, chunkSize: o.board.scan.chunkMax, fileName, date: now(),
      ...(o.scanRate ? { rateBytesPerSec: o.scanRate } : {}),
    };
    const scan = tiff ? simulatedTiff(scanOptions) : simulatedScan(scanOptions);
    const watched = watchedScan(scan, pages, (n) => {
      pagesScanned = n;
      emit({ pagesScanned: n, phase: n < pages ? `Scanning page ${n + 1} of ${pages}` : "Scanned" }, true);
    });
    let sendStart = 0;
    let lastText = "";
    const onProgress = (p: Progress) => {
      if (p.phase === "Sending" && sendStart === 0) sendStart = Date.now();
      const secs = sendStart ? (Date.now() - sendStart) / 1000 : 0;
      const changed = p.text !== lastText;
      lastText = p.text;
      emit({
        phase: p.text, pagesScanned, bytesSent: p.bytesSent, bytesTotal: p.bytesTotal,
        rateBps: secs > 0.05 ? Math.round(p.bytesSent / secs) : 0,
      }, changed);
    };
    let result: SessionResult;
    let outboxJobId: string | null = null;
    let held = false;
    try {
      const r = await sendViaOutbox({
        outbox: o.outbox,
        session: {
          server: o.server, auth: o.auth, board: o.board, onProgress,
          message: { from: o.from, to, subject, text: `Scanned ${pages} page${pages === 1 ? "" : "s"} on ${o.device}.\r\n`, attachments: [watched.source] },
        },
      });
      result = r.result;
      outboxJobId = r.jobState ? r.jobId : null;
      held = r.jobState === "held";
    } catch (e) {
      // The scan could not even be queued (storage full, outbox full …): say so on the panel.
      const why = e instanceof OutboxError ? e.message : e instanceof Error ? e.message : String(e);
      const d: PanelDone = { jobId, status: "failed", outcome: outcomeLine("failed"), userMessage: `${say("OUTBOX_UNWRITABLE")} ${detailSentence(why)}` };
      done(d);
      return;
    }
    const status = result.status;
    let userMessage = result.userMessage ?? result.message;
    // A scan larger than the board's split size went out as several messages (host/mime split plan).
    const { sent, total } = result.parts;
    if (total > 1 && (status === "sent" || status === "partial")) userMessage = say("PARTS", { text: userMessage, n: total });
    else if (total > 1 && sent > 0) userMessage += ` ${say("PARTS_DELIVERED", { sent, total })}`;
    if (held) userMessage += ` ${say("HELD_IN_OUTBOX")}`;
    else if (status === "queued" && outboxJobId) userMessage += ` ${say("IN_OUTBOX")}`;
    const d: PanelDone = { jobId, status, outcome: outcomeLine(held ? "held" : status), userMessage, ...(held ? { held } : {}) };
    done(d);
    o.onFinished?.({
      jobId, outboxJobId, result, done: d,
      scan: { fileName: scan.fileName, size: scan.size, pages, sha256: watched.sha256() },
    });
  }

  return {
    state(): PanelState {
      const d = now();
      return {
        device: o.device,
        me: o.me,
        addressBook: o.board.addressBook.map((e) => ({ name: e.name, address: e.address })),
        defaults: { subject: `Scan from ${o.device}`, filename: defaultScanName(d) },
        time: d.toISOString(),
      };
    },

    startScan(req, progress, done) {
      const to = validateRecipients(req.to);
      const d = now();
      const subject = req.subject.trim() || `Scan from ${o.device}`;
      if (subject.length > 200) throw new PanelInputError("Subject must be at most 200 characters");
      const fileName = fileNameFrom(req.filename, d, req.format ?? "pdf");
      const jobId = randomUUID();
      runJob(jobId, req, to, subject, fileName, progress, done)
        .catch((e) => done({ jobId, status: "failed", outcome: outcomeLine("failed"), userMessage: `${say("INTERNAL_ERROR")} ${detailSentence(e instanceof Error ? e.message : String(e))}` }));
      return jobId;
    },

    async outbox(): Promise<OutboxRow[]> {
      const jobs = await o.outbox.list();
      return jobs.map((j) => outboxRow(j, Date.now()));
    },

    async outboxNotices(): Promise<string[]> {
      const removed = (await o.outbox.reports(50)).filter((r) => r.final === "removed-for-space");
      return removed.slice(-3).reverse().map((r) => r.summary);
    },

    async outboxAction(id, action) {
      if (!/^[A-Za-z0-9._-]{1,100}$/.test(id)) throw new PanelInputError("No such job");
      try {
        if (action === "cancel") {
          await o.outbox.cancel(id);
          return;
        }
        // Retry now: a held job is released, then delivered at once (the backoff is skipped,
        // rate limits still apply).
        await o.outbox.retryNow(id);
        await o.outbox.deliverNow(id, o.retryDeliver);
      } catch (e) {
        if (e instanceof OutboxError) throw new PanelInputError(e.code === "JOB_NOT_FOUND" ? "That job is no longer in the Outbox" : e.message);
        throw e;
      }
    },

    async signIn(events: (e: SigninEvent) => void) {
      if (!o.signIn) {
        events({ state: "error", message: "Sign-in is not set up on this device (no identity provider configured)" });
        return;
      }
      if (signingIn) {
        events({ state: "error", message: "A sign-in is already waiting for its code to be entered" });
        return;
      }
      signingIn = true;
      try {
        const r = await o.signIn((p) => events({ state: "code", userCode: p.userCode, verificationUri: p.verificationUri }));
        events({ state: "done", account: r.account });
      } catch (e) {
        events({ state: "error", message: `Sign-in failed: ${e instanceof Error ? e.message : String(e)}` });
      } finally {
        signingIn = false;
      }
    },

    async doctor(): Promise<DoctorCheck[]> {
      if (!o.doctor) return [{ level: "warn", text: "No setup check configured for this device" }];
      const checks = await o.doctor();
      return checks.map((c) => ({ level: c.status === "info" ? "info" : c.status, text: c.title, ...(c.fix ? { fix: c.fix } : {}) }));
    },
  };
}

/** One Outbox line: what, to whom, where it stands, when it is tried next, what the last try said. */
export function outboxRow(j: JobRecord, nowMs: number): OutboxRow {
  const pending = j.recipients.filter((r) => r.state === "pending").map((r) => r.address);
  const delivered = j.recipients.filter((r) => r.state === "delivered").length;
  const last = j.attempts.at(-1);
  const held = j.state === "held";
  const state = held ? "Held" : j.attemptCount === 0 ? "Waiting" : j.nextAttemptAt <= nowMs ? "Due now" : `Retry ${j.attemptCount + 1}`;
  return {
    id: j.id,
    title: `${jobTitle(j)} → ${pending.join(", ")}${delivered ? ` (${delivered} delivered)` : ""}`,
    state,
    nextAttemptAt: !held && j.nextAttemptAt > nowMs ? new Date(j.nextAttemptAt).toISOString() : null,
    lastMessage: last ? cleanServerText(last.message) : null, // the server's words: sanitised
    alert: held ? cleanServerText(j.held?.reason ?? "Held") : null,
  };
}
