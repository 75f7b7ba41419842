// One Scan to Email job on the panel: the simulated scanner feeds the outbox (the scan is made
// durable first, exactly as `mfp-mail send` does), then the session sends it. The page sees pages
// while the scanner works and bytes while the session sends, and a person may stop either:
//   - while scanning, nothing is stored yet: the pages read so far are discarded;
//   - while sending, the stored job is kept in the Outbox or deleted, as the person chose. What
//     the server had not accepted with its final 250 is never called sent (the session decides
//     that, host/session/driver.ts); a stop that comes after the 250 reports the send as it was.
import { createHash } from "node:crypto";
import type { Board } from "../config/board.js";
import { simulatedScan, minimumSize } from "../scan/simulated-pdf.js";
import { simulatedTiff, minimumTiffSize } from "../scan/simulated-tiff.js";
import type { ScanSource } from "../scan/types.js";
import { sendViaOutbox } from "../outbox/send.js";
import type { Outbox } from "../outbox/index.js";
import { OutboxError } from "../outbox/types.js";
import type { AuthOptions, Progress, ServerOptions, SessionResult } from "../session/types.js";
import { outcomeLine, say } from "../text/outcomes.js";
import { detailSentence } from "../text/sanitize.js";
import { localized } from "../text/translate.js";
import type { PanelDone, PanelProgress, PanelStep, ScanRequest, StopChoice } from "./server.js";

export interface ScanJobContext {
  board: Board;
  device: string;
  from: string;
  server: ServerOptions;
  auth: AuthOptions;
  outbox: Outbox;
  scanRate?: number;
  now: () => Date;
}

export interface ScanJobInput { jobId: string; req: ScanRequest; to: string[]; subject: string; fileName: string }

export interface ScanJobRecord {
  outboxJobId: string | null;
  scan: { fileName: string; size: number; pages: number; sha256: string };
  result: SessionResult | null;
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

/** The scan engine stopped on request: the enqueue that reads it fails, nothing is stored. */
class ScanStopped extends Error {}

/** A job the page may stop: which stage it is in and what the person chose. */
export class ScanJobControl {
  stage: "scanning" | "sending" = "scanning";
  choice: StopChoice | null = null;
  readonly abort = new AbortController();

  stop(choice: StopChoice): void {
    if (this.choice) return;
    this.choice = choice;
    // While scanning, the scanner itself stops at its next chunk; while sending, the session.
    if (this.stage === "sending") this.abort.abort();
  }
}

/** Wrap a scan so the panel sees pages as they are scanned, and a stop ends the first read. */
function watchedScan(scan: ScanSource, pages: number, control: ScanJobControl, onPage: (n: number) => void): { source: ScanSource; sha256: () => string } {
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
        if (watching && control.choice) throw new ScanStopped("the scan was stopped");
        offset += c.length;
        if (watching) {
          hash.update(c);
          while (page < ends.length && offset >= ends[page]!) onPage(Math.min(pages, ++page));
        }
        yield c;
      }
      if (watching) {
        // A stop pressed while the last page was read still discards: the send has not begun.
        if (control.choice) throw new ScanStopped("the scan was stopped");
        digest = hash.digest("hex");
        control.stage = "sending";
      }
    },
  };
  return { source, sha256: () => digest };
}

/** The session's progress line as a catalogue step (host/panel/texts.ts) the page can tell in its language. */
function sessionStep(p: Progress): PanelStep {
  if (p.phase === "Sending" && p.page !== undefined && p.pages !== undefined) return { key: "phase.sendingPage", values: { page: p.page, pages: p.pages } };
  if (p.phase === "Sending" && p.messages && p.messages > 1) return { key: "phase.sendingPart", values: { part: p.message ?? 1, parts: p.messages } };
  const keys: Record<string, string> = { Connecting: "phase.connecting", Securing: "phase.securing", "Signing in": "phase.signingIn", Sending: "phase.sending" };
  return { key: keys[p.phase] ?? "phase.sending" };
}

function doneWith(jobId: string, status: PanelDone["status"], outcomeOf: string, userMessage: string, extra: Partial<PanelDone> = {}): PanelDone {
  const outcome = outcomeLine(outcomeOf);
  return { jobId, status, outcome, userMessage, texts: { outcome: localized(outcome), message: localized(userMessage) }, ...extra };
}

/** What the panel says about a finished send (parts of a split scan, held or waiting in the Outbox). */
function sentMessage(result: SessionResult, held: boolean, stored: boolean): string {
  const status = result.status;
  let userMessage = result.userMessage ?? result.message;
  const { sent, total } = result.parts;
  if (total > 1 && (status === "sent" || status === "partial")) userMessage = say("PARTS", { text: userMessage, n: total });
  else if (total > 1 && sent > 0) userMessage += ` ${say("PARTS_DELIVERED", { sent, total })}`;
  if (held) userMessage += ` ${say("HELD_IN_OUTBOX")}`;
  else if (status === "queued" && stored) userMessage += ` ${say("IN_OUTBOX")}`;
  return userMessage;
}

export async function runScanJob(ctx: ScanJobContext, input: ScanJobInput, control: ScanJobControl, progress: (p: PanelProgress) => void): Promise<ScanJobRecord> {
  const { jobId, req, to, subject, fileName } = input;
  const pages = req.pages;
  const tiff = req.format === "tiff";
  const bytes = Math.max(tiff ? minimumTiffSize(pages) : minimumSize(pages), pages * bytesPerPage(req.resolution, req.colour) + 8192);
  let last: PanelProgress = {
    jobId, stage: "scanning", phase: `Scanning page 1 of ${pages}`, step: { key: "phase.scanning", values: { page: 1, pages } },
    pagesScanned: 0, pages, bytesSent: 0, bytesTotal: 0, rateBps: 0,
  };
  let lastSent = 0;
  const emit = (p: Partial<PanelProgress>, force = false) => {
    last = { ...last, ...p, stage: control.stage };
    const t = Date.now();
    // Coalesce byte counts to about 10 updates a second; phase changes always go out.
    if (force || t - lastSent >= 100) {
      lastSent = t;
      progress(last);
    }
  };
  emit({}, true);
  const scanOptions = {
    pages, bytes, chunkSize: ctx.board.scan.chunkMax, fileName, date: ctx.now(),
    ...(ctx.scanRate ? { rateBytesPerSec: ctx.scanRate } : {}),
  };
  const scan = tiff ? simulatedTiff(scanOptions) : simulatedScan(scanOptions);
  const watched = watchedScan(scan, pages, control, (n) => {
    const more = n < pages;
    emit({ pagesScanned: n, phase: more ? `Scanning page ${n + 1} of ${pages}` : "Scanned", step: more ? { key: "phase.scanning", values: { page: n + 1, pages } } : { key: "phase.scanned" } }, true);
  });
  const record = (done: PanelDone, result: SessionResult | null, outboxJobId: string | null): ScanJobRecord =>
    ({ outboxJobId, result, done, scan: { fileName: scan.fileName, size: scan.size, pages, sha256: watched.sha256() } });
  let sendStart = 0;
  let lastText = "";
  const onProgress = (p: Progress) => {
    if (p.phase === "Sending" && sendStart === 0) sendStart = Date.now();
    const secs = sendStart ? (Date.now() - sendStart) / 1000 : 0;
    const changed = p.text !== lastText;
    lastText = p.text;
    emit({
      phase: p.text, step: sessionStep(p), bytesSent: p.bytesSent, bytesTotal: p.bytesTotal,
      rateBps: secs > 0.05 ? Math.round(p.bytesSent / secs) : 0,
    }, changed);
  };
  let r;
  try {
    r = await sendViaOutbox({
      outbox: ctx.outbox,
      session: {
        server: ctx.server, auth: ctx.auth, board: ctx.board, onProgress, signal: control.abort.signal,
        message: { from: ctx.from, to, subject, text: `Scanned ${pages} page${pages === 1 ? "" : "s"} on ${ctx.device}.\r\n`, attachments: [watched.source] },
      },
    });
  } catch (e) {
    if (control.choice) return record(doneWith(jobId, "failed", "failed", "Stopped.", { stopped: "discarded" }), null, null);
    // The scan could not even be queued (storage full, outbox full …): say so on the panel.
    const why = e instanceof OutboxError ? e.message : e instanceof Error ? e.message : String(e);
    return record(doneWith(jobId, "failed", "failed", `${say("OUTBOX_UNWRITABLE")} ${detailSentence(why)}`), null, null);
  }
  const result = r.result;
  const outboxJobId = r.jobState ? r.jobId : null;
  const held = r.jobState === "held";
  const delivered = result.status === "sent" || result.status === "partial";
  if (control.choice && !delivered && outboxJobId) {
    // Stopped while sending: nothing reached the server's final 250, so nothing counts as sent.
    if (control.choice !== "keep") {
      await ctx.outbox.cancel(outboxJobId);
      return record(doneWith(jobId, "failed", "failed", "Stopped.", { stopped: "deleted" }), result, null);
    }
    const job = await ctx.outbox.get(outboxJobId);
    const next = job && job.state === "queued" ? new Date(job.nextAttemptAt).toISOString() : null;
    return record(doneWith(jobId, result.status, held ? "held" : result.status, "Stopped.", { stopped: "kept", nextAttemptAt: next }), result, outboxJobId);
  }
  const done = doneWith(jobId, result.status, held ? "held" : result.status, sentMessage(result, held, outboxJobId !== null), held ? { held } : {});
  return record(done, result, outboxJobId);
}
