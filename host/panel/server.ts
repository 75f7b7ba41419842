// The simulator's front panel: a small HTTP server on 127.0.0.1 that serves the panel page and a
// JSON + Server-Sent-Events API. What the buttons do is the PanelBackend's business (the same
// session, outbox, OAuth and doctor code the CLI uses); this file only speaks HTTP.
import http from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, normalize } from "node:path";
import type { AddressInfo } from "node:net";
import type { Language, Localized } from "../text/translate.js";
import type { PanelTexts } from "./texts.js";

export interface ScanRequest {
  to: string[];
  subject: string;
  filename: string;
  pages: number;
  resolution: number;
  colour: "mono" | "grey" | "colour";
  /** Scan file type (default PDF). */
  format?: "pdf" | "tiff";
}

/** A line from the panel's catalogue (host/panel/texts.ts): the page tells it in its language. */
export interface PanelStep { key: string; values?: Record<string, string | number> }

/** What a person may choose when stopping: discard (while scanning), keep or delete the stored job. */
export type StopChoice = "discard" | "keep" | "delete";

export interface PanelProgress {
  jobId: string;
  /** Scanning: pages count; sending: bytes count (the scan is stored in the Outbox by then). */
  stage: "scanning" | "sending";
  /** The line in English ("Scanning page 2 of 12", "Sending page 3 of 12"); `step` is the same line as a catalogue key. */
  phase: string;
  step: PanelStep;
  pagesScanned: number;
  pages: number;
  bytesSent: number;
  bytesTotal: number;
  rateBps: number;
}

export interface PanelDone {
  jobId: string;
  status: "sent" | "partial" | "queued" | "not-sent-transient" | "failed";
  /** The last progress line: what became of the scan ("Sent", "Will retry", "Held", "Not sent" …). */
  outcome: string;
  userMessage: string;
  /** The scan is held in the Outbox until someone fixes the cause and retries (or cancels) it. */
  held?: boolean;
  /** `outcome` and `userMessage` in every panel language. */
  texts: { outcome: Localized; message: Localized };
  /** A person stopped the job: discarded while scanning, or kept in / deleted from the Outbox. */
  stopped?: "discarded" | "kept" | "deleted";
  /** Kept: when the Outbox tries it next (ISO 8601), null when it waits for a person. */
  nextAttemptAt?: string | null;
}

export interface OutboxRow {
  id: string;
  /** The scan's file name(s) ("text message" jobs have none). */
  files: string[];
  /** When the job was stored (ISO 8601): two jobs with the same file name are told apart by it. */
  createdAt: string;
  /** Recipients still waiting, and how many were delivered already. */
  recipients: string[];
  delivered: number;
  /** Pages of the scan when known, and its size in bytes. */
  pages: number | null;
  bytes: number;
  /** waiting: never tried; due: tried, next try now; retrying: tried, next try later; held: waits for a person. */
  state: "waiting" | "due" | "retrying" | "held";
  attempts: number;
  nextAttemptAt: string | null;
  /** The last attempt's words (server text, sanitised; not translated). */
  lastMessage: string | null;
  /** Held jobs: why a person must act, in every panel language; null for queued jobs. */
  alert: Localized | null;
}

export interface DoctorCheck {
  level: "ok" | "warn" | "error" | "info";
  text: string;
  fix?: string;
}

export type SigninEvent =
  | { state: "code"; userCode: string; verificationUri: string }
  | { state: "done"; account: string }
  | { state: "error"; message: string };

export interface PanelState {
  device: string;
  /** The board's panel language (the page starts in it; a person may switch) and clock format. */
  language: Language;
  clock: "24h" | "12h";
  /** The panel's own words in every language, keyed by id (host/panel/texts.ts). */
  texts: Record<Language, PanelTexts>;
  /** The outcome line for a scan refused before it started ("Not sent"), in every language. */
  notSent: Localized;
  me: string | null;
  addressBook: { name: string; address: string }[];
  defaults: { subject: string; filename: string };
  /** The device's clock (ISO 8601): the status bar shows it, the default file name comes from it. */
  time?: string;
}

export interface PanelBackend {
  state(): PanelState;
  /** Validate and start a scan-to-email job; throws PanelInputError for bad input. */
  startScan(request: ScanRequest, progress: (p: PanelProgress) => void, done: (d: PanelDone) => void): string;
  /** Stop a running scan job the way the person chose; false when it has already ended. */
  stopScan(jobId: string, choice: StopChoice): boolean;
  outbox(): Promise<OutboxRow[]>;
  /** Alerts about jobs that left without being sent (the storage-pressure rule), newest first. */
  outboxNotices?(): Promise<Localized[]>;
  outboxAction(id: string, action: "retry" | "cancel"): Promise<void>;
  signIn(events: (e: SigninEvent) => void): Promise<void>;
  doctor(): Promise<DoctorCheck[]>;
}

/** Bad input from the panel: shown to the user (HTTP 400); `key` names the line in the panel's
 *  catalogue so the page can tell it in its language, `message` is the English. */
export class PanelInputError extends Error {
  constructor(message: string, readonly key?: string, readonly values?: Record<string, string | number>) {
    super(message);
  }
}

function staticDir(): string {
  // Source tree (tsx) and compiled tree (dist/host/panel) both find host/panel/static.
  for (const rel of ["./static/", "../../../host/panel/static/"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  throw new Error("panel assets not found (host/panel/static)");
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".png": "image/png",
};

const MAX_BODY = 64 * 1024;

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new PanelInputError("Request too large");
    parts.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(parts).toString("utf8"));
  } catch {
    throw new PanelInputError("Request is not JSON");
  }
}

function parseScanRequest(body: unknown): ScanRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const to = Array.isArray(b.to) ? b.to.map(String) : [];
  const pages = Number(b.pages);
  const resolution = Number(b.resolution);
  const colour = String(b.colour);
  if (to.length === 0) throw new PanelInputError("Enter at least one recipient");
  if (!Number.isInteger(pages) || pages < 1 || pages > 500) throw new PanelInputError("Pages must be 1 to 500");
  if (![150, 300, 600].includes(resolution)) throw new PanelInputError("Resolution must be 150, 300 or 600 dpi");
  if (!["mono", "grey", "colour"].includes(colour)) throw new PanelInputError("Colour must be mono, grey or colour");
  const format = b.format === undefined ? "pdf" : String(b.format);
  if (format !== "pdf" && format !== "tiff") throw new PanelInputError("File type must be PDF or TIFF");
  return { to, subject: String(b.subject ?? ""), filename: String(b.filename ?? ""), pages, resolution, colour: colour as ScanRequest["colour"], format };
}

export interface PanelServer {
  url: string;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(data));
}

/** The open /api/events streams (Server-Sent Events): progress, results and sign-in reach the page here. */
class EventStreams {
  private readonly listeners = new Set<http.ServerResponse>();

  subscribe(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(": panel events\n\n");
    this.listeners.add(res);
    req.on("close", () => this.listeners.delete(res));
  }

  broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.listeners) res.write(frame);
  }

  /** An open stream would keep the server from closing. */
  endAll(): void {
    for (const res of this.listeners) res.end();
  }
}

/**
 * Only this machine's own panel page may drive the device: a Host other than the loopback
 * address (DNS rebinding) is refused, and POSTs must be JSON — a cross-origin JSON POST needs a
 * CORS preflight that this server never grants. Returns the refusal, or null to go on.
 */
function refusal(req: http.IncomingMessage): [status: number, error: string] | null {
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  if (host !== "127.0.0.1" && host !== "localhost") return [403, "Forbidden"];
  if (req.method === "POST" && !/^application\/json\b/i.test(req.headers["content-type"] ?? "")) return [415, "Requests must be JSON"];
  return null;
}

/** The JSON API: each route hands its work to the backend. False when `path` is none of them. */
async function answerApi(backend: PanelBackend, events: EventStreams, req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> {
  const get = req.method === "GET";
  const post = req.method === "POST";
  if (path === "/api/events") events.subscribe(req, res);
  else if (path === "/api/state" && get) json(res, 200, backend.state());
  else if (path === "/api/scan" && post) {
    const request = parseScanRequest(await readJson(req));
    const jobId = backend.startScan(request, (p) => events.broadcast("progress", p), (d) => events.broadcast("done", d));
    json(res, 202, { jobId });
  } else if (path === "/api/outbox" && get) {
    json(res, 200, { jobs: await backend.outbox(), notices: (await backend.outboxNotices?.()) ?? [] });
  } else if (path === "/api/signin" && post) {
    // The flow runs on; its code and result reach the page as "signin" events.
    backend.signIn((e) => events.broadcast("signin", e)).catch((err) => events.broadcast("signin", { state: "error", message: String(err?.message ?? err) }));
    json(res, 202, { ok: true });
  } else if (path === "/api/doctor" && get) json(res, 200, { checks: await backend.doctor() });
  else return post && await answerJobAction(backend, req, res, path);
  return true;
}

/** POST /api/scan/<id>/stop and /api/outbox/<id>/(retry|cancel): false when `path` is neither. */
async function answerJobAction(backend: PanelBackend, req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> {
  const stop = /^\/api\/scan\/([^/]+)\/stop$/.exec(path);
  if (stop) {
    const choice = String(((await readJson(req)) as { choice?: unknown }).choice);
    if (choice !== "discard" && choice !== "keep" && choice !== "delete") throw new PanelInputError("Stop needs a choice: discard, keep or delete");
    json(res, backend.stopScan(decodeURIComponent(stop[1]!), choice) ? 202 : 409, { ok: true });
    return true;
  }
  const action = /^\/api\/outbox\/([^/]+)\/(retry|cancel)$/.exec(path);
  if (!action) return false;
  await backend.outboxAction(decodeURIComponent(action[1]!), action[2] as "retry" | "cancel");
  json(res, 200, { ok: true });
  return true;
}

/** The page's own files from `root`, never a path outside it; false when there is no such file. */
async function serveStatic(root: string, path: string, res: http.ServerResponse): Promise<boolean> {
  const file = normalize(join(root, path === "/" ? "index.html" : path));
  const ext = file.slice(file.lastIndexOf("."));
  if (!file.startsWith(root) || !TYPES[ext] || !existsSync(file)) return false;
  res.writeHead(200, { "content-type": TYPES[ext], "cache-control": "no-store" });
  res.end(await readFile(file));
  return true;
}

export async function startPanel(backend: PanelBackend, port = 0): Promise<PanelServer> {
  const root = staticDir();
  const events = new EventStreams();
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://panel.invalid").pathname;
    try {
      const refused = refusal(req);
      if (refused) return json(res, refused[0], { error: refused[1] });
      if (await answerApi(backend, events, req, res, path)) return;
      if (req.method === "GET" && await serveStatic(root, path, res)) return;
      json(res, 404, { error: "Not found" });
    } catch (err) {
      // Bad input is the person's to fix (the page tells it in its language); anything else is ours.
      if (err instanceof PanelInputError) return json(res, 400, { error: err.message, ...(err.key ? { key: err.key, values: err.values ?? {} } : {}) });
      json(res, 500, { error: "The device could not do that. See the log." });
      console.error(`[panel] ${req.method} ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        events.endAll();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
