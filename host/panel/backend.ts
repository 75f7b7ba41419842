// The front panel's PanelBackend over the device's own modules: the simulated scanner
// (host/scan), the outbox (host/outbox: a scan is made durable, then tried at once, exactly as
// `mfp-mail send` does), the session (host/session/driver.ts: wasm core + transport), the reply
// classification (host/config/replies.ts, via SessionResult.userMessage), doctor and OAuth.
// Nothing here speaks HTTP (host/panel/server.ts does) and nothing here knows it is a simulator
// (host/sim/panel.ts wires the embedded server in).
import { randomUUID } from "node:crypto";
import type { Board } from "../config/board.js";
import { mailboxProblem, needsSmtpUtf8 } from "../config/address.js";
import { defaultScanName } from "../scan/simulated-pdf.js";
import type { Outbox } from "../outbox/index.js";
import { OutboxError, type Deliver } from "../outbox/types.js";
import type { AuthOptions, ServerOptions, SessionResult } from "../session/types.js";
import type { Check } from "../doctor/doctor.js";
import { outcomeLine, say } from "../text/outcomes.js";
import { detailSentence } from "../text/sanitize.js";
import { localized, type Localized } from "../text/translate.js";
import { PANEL_TEXTS } from "./texts.js";
import { outboxRow } from "./outbox-row.js";
import { runScanJob, ScanJobControl, type ScanJobContext, type ScanJobInput } from "./scan-job.js";
import {
  PanelInputError,
  type DoctorCheck, type OutboxRow, type PanelBackend, type PanelDone, type PanelProgress, type PanelState,
  type ScanRequest, type SigninEvent, type StopChoice,
} from "./server.js";

export { bytesPerPage } from "./scan-job.js";

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
  /** The session's result (a scan stopped before any session ran is not reported here). */
  result: SessionResult;
  done: PanelDone;
}

/** "Scan_2026-11-23_1042" + the file type's extension (a typed .pdf/.tif/.tiff is replaced to match). */
function fileNameFrom(input: string, now: Date, format: "pdf" | "tiff"): string {
  const ext = format === "tiff" ? "tif" : "pdf";
  const name = input.trim() || defaultScanName(now, ext);
  if (/[\\/\u0000-\u001f]/.test(name)) throw new PanelInputError("File name must not contain / or \\", "error.fileName");
  return `${name.replace(/\.(pdf|tiff?)$/i, "")}.${ext}`;
}

/** What the backend's parts share: its options, the clock and the scan jobs still running. */
interface BackendContext {
  o: PanelBackendOptions;
  now: () => Date;
  /** Scan jobs still running, so the page can stop them. */
  running: Map<string, ScanJobControl>;
}

function validateRecipients(to: string[]): string[] {
  const out: string[] = [];
  for (const raw of to) {
    const a = raw.trim();
    if (!a) continue;
    const why = mailboxProblem(a, { smtpUtf8: needsSmtpUtf8(a) });
    if (why) throw new PanelInputError(`"${a}" is not an e-mail address: ${why}`, "error.address", { address: a, why });
    if (!out.some((x) => x.toLowerCase() === a.toLowerCase())) out.push(a);
  }
  if (out.length === 0) throw new PanelInputError("Enter at least one recipient", "scan.needRecipient");
  if (out.length > 100) throw new PanelInputError("At most 100 recipients per scan", "error.tooMany", { n: 100 });
  return out;
}

/** The page's settings and language: device, catalogue, address book, defaults and the time. */
function panelState({ o, now }: BackendContext): PanelState {
  const d = now();
  return {
    device: o.device,
    language: o.board.panel?.language ?? "en",
    clock: o.board.panel?.clock ?? "24h",
    texts: PANEL_TEXTS,
    notSent: localized(outcomeLine("failed")),
    me: o.me,
    addressBook: o.board.addressBook.map((e) => ({ name: e.name, address: e.address })),
    defaults: { subject: `Scan from ${o.device}`, filename: defaultScanName(d) },
    time: d.toISOString(),
  };
}

/** The request checked and completed (recipients, subject, file name); PanelInputError when bad. */
function scanJobInput({ o, now }: BackendContext, req: ScanRequest): Omit<ScanJobInput, "jobId"> {
  const to = validateRecipients(req.to);
  const d = now();
  const subject = req.subject.trim() || `Scan from ${o.device}`;
  if (subject.length > 200) throw new PanelInputError("Subject must be at most 200 characters", "error.subjectLong", { n: 200 });
  const fileName = fileNameFrom(req.filename, d, req.format ?? "pdf");
  return { req, to, subject, fileName };
}

/** What the page is told when a job ends on an error of ours rather than the session's. */
function internalFailure(jobId: string, e: unknown): PanelDone {
  const userMessage = `${say("INTERNAL_ERROR")} ${detailSentence(e instanceof Error ? e.message : String(e))}`;
  const outcome = outcomeLine("failed");
  return { jobId, status: "failed", outcome, userMessage, texts: { outcome: localized(outcome), message: localized(userMessage) } };
}

/** A scan job's lifecycle: checked, registered so it can be stopped, run, its end reported. */
function startScanJob(ctx: BackendContext, req: ScanRequest, progress: (p: PanelProgress) => void, done: (d: PanelDone) => void): string {
  const { o, now, running } = ctx;
  const checked = scanJobInput(ctx, req);
  const jobId = randomUUID();
  const control = new ScanJobControl();
  running.set(jobId, control);
  const job: ScanJobContext = { board: o.board, device: o.device, from: o.from, server: o.server, auth: o.auth, outbox: o.outbox, now, ...(o.scanRate ? { scanRate: o.scanRate } : {}) };
  runScanJob(job, { jobId, ...checked }, control, progress)
    .then((r) => {
      done(r.done);
      if (r.result) o.onFinished?.({ jobId, ...r, result: r.result });
    })
    .catch((e) => done(internalFailure(jobId, e)))
    .finally(() => running.delete(jobId));
  return jobId;
}

function stopScanJob(running: Map<string, ScanJobControl>, jobId: string, choice: StopChoice): boolean {
  const control = running.get(jobId);
  if (!control) return false;
  control.stop(choice);
  return true;
}

async function outboxRows(outbox: Outbox): Promise<OutboxRow[]> {
  const jobs = await outbox.list();
  return jobs.map((j) => outboxRow(j, Date.now()));
}

async function outboxNotices(outbox: Outbox): Promise<Localized[]> {
  const removed = (await outbox.reports(50)).filter((r) => r.final === "removed-for-space");
  return removed.slice(-3).reverse().map((r) => localized(r.summary));
}

/** The Outbox screen's Retry now and Cancel; a job that is gone is the person's to know of. */
async function outboxAction(o: PanelBackendOptions, id: string, action: "retry" | "cancel"): Promise<void> {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(id)) throw new PanelInputError("That job is no longer in the Outbox", "error.noJob");
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
    if (e instanceof OutboxError) throw e.code === "JOB_NOT_FOUND" ? new PanelInputError("That job is no longer in the Outbox", "error.noJob") : new PanelInputError(e.message);
    throw e;
  }
}

/** The Sign in screen: one device-code flow at a time, its code and result told to the page as events. */
function signInFlow(signIn: PanelBackendOptions["signIn"]): PanelBackend["signIn"] {
  let signingIn = false;
  return async (events: (e: SigninEvent) => void) => {
    if (!signIn) {
      events({ state: "error", message: "Sign-in is not set up on this device (no identity provider configured)" });
      return;
    }
    if (signingIn) {
      events({ state: "error", message: "A sign-in is already waiting for its code to be entered" });
      return;
    }
    signingIn = true;
    try {
      const r = await signIn((p) => events({ state: "code", userCode: p.userCode, verificationUri: p.verificationUri }));
      events({ state: "done", account: r.account });
    } catch (e) {
      events({ state: "error", message: `Sign-in failed: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      signingIn = false;
    }
  };
}

async function doctorChecks(doctor: PanelBackendOptions["doctor"]): Promise<DoctorCheck[]> {
  if (!doctor) return [{ level: "warn", text: "No setup check configured for this device" }];
  const checks = await doctor();
  return checks.map((c) => ({ level: c.status === "info" ? "info" : c.status, text: c.title, ...(c.fix ? { fix: c.fix } : {}) }));
}

export function createPanelBackend(o: PanelBackendOptions): PanelBackend {
  const ctx: BackendContext = { o, now: o.now ?? (() => new Date()), running: new Map() };
  return {
    state: () => panelState(ctx),
    startScan: (req, progress, done) => startScanJob(ctx, req, progress, done),
    stopScan: (jobId, choice) => stopScanJob(ctx.running, jobId, choice),
    outbox: () => outboxRows(o.outbox),
    outboxNotices: () => outboxNotices(o.outbox),
    outboxAction: (id, action) => outboxAction(o, id, action),
    signIn: signInFlow(o.signIn),
    doctor: () => doctorChecks(o.doctor),
  };
}
