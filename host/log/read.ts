// Reading the SMTP log back for `mfp-mail log`: the newest attempts, grouped.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LogRecord } from "./transcript.js";

export interface AttemptView {
  job: string;
  attempt: number;
  started: number;
  records: LogRecord[];
  end?: LogRecord;
}

/** The `limit` newest attempts (oldest first), optionally of one job. */
export function recentAttempts(dir: string, limit = 10, job?: string): AttemptView[] {
  const lines: string[] = [];
  for (const f of ["smtp.log.1", "smtp.log"]) {
    try {
      lines.push(...readFileSync(join(dir, f), "utf8").split("\n"));
    } catch {
      // not there yet
    }
  }
  const byKey = new Map<string, AttemptView>();
  for (const line of lines) {
    if (!line) continue;
    let rec: LogRecord;
    try {
      rec = JSON.parse(line) as LogRecord;
    } catch {
      continue; // a line cut by a crash or by rotation
    }
    if (job && rec.job !== job) continue;
    const key = `${rec.job}#${rec.attempt}`;
    let view = byKey.get(key);
    if (!view) byKey.set(key, (view = { job: rec.job, attempt: rec.attempt, started: rec.t, records: [] }));
    view.records.push(rec);
    if (rec.kind === "end") view.end = rec;
  }
  return [...byKey.values()].sort((a, b) => a.started - b.started).slice(-limit);
}

/** One attempt as text lines, the way `mfp-mail log` prints it. */
export function formatAttempt(v: AttemptView): string[] {
  const out = [`── job ${v.job} attempt ${v.attempt} · ${new Date(v.started).toISOString()}`];
  for (const r of v.records) {
    const dt = `+${String(r.t - v.started).padStart(6)} ms`;
    switch (r.kind) {
      case "connect":
        out.push(`${dt}  connect ${r.host}:${r.port}`);
        break;
      case "C":
        out.push(`${dt}  C: ${r.text}`);
        break;
      case "S":
        out.push(`${dt}  S: ${r.code}${r.enhanced ? " " + r.enhanced : ""} ${r.text ?? ""}`);
        break;
      case "tls":
        out.push(`${dt}  TLS ${r.tls?.protocol} ${r.tls?.cipher} peer="${r.tls?.peerSubject}" (${r.tls?.engine})`);
        break;
      case "body":
        out.push(`${dt}  body ${r.bytes} bytes`);
        break;
      case "outbox":
        out.push(`${dt}  outbox: ${r.text ?? ""}`);
        break;
      case "end":
        out.push(`${dt}  → ${r.status} ${r.code || ""}${r.enhanced ? " " + r.enhanced : ""} ${r.text ?? ""} (${r.ms} ms)`);
        break;
    }
  }
  if (!v.end && v.records.some((r) => r.kind !== "outbox")) out.push("           (no end record: the process stopped during this attempt)");
  return out;
}
