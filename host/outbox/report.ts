// The final word on a job: delivered, partly delivered, or not delivered — kept as a small JSON
// file in <outbox>/reports/ (the newest REPORTS_KEPT) for the panel and `mfp-mail queue`.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { atomicWrite, ensureDir } from "../base/durable.js";
import { removedForSpace } from "./notices.js";
import type { JobRecord, JobRecipient } from "./types.js";

/**
 * "not-delivered" only after a server's 5xx refusal; "cancelled" by a person; "removed-for-space"
 * by the storage-pressure rule (the oldest held job makes room for a new scan).
 */
export type FinalState = "sent" | "partial" | "not-delivered" | "cancelled" | "removed-for-space";

/** How a job ended when no delivery decided it. */
export type EndedBy = "cancelled" | "removed-for-space";

export interface FinalReport {
  id: string;
  final: FinalState;
  at: number;
  createdAt: number;
  attempts: number;
  /** Plain words for the panel / the user. */
  summary: string;
  recipients: JobRecipient[];
  scans: string[];
}

const REPORTS_KEPT = 200;

export function finalState(job: JobRecord, endedBy?: EndedBy): FinalState {
  if (endedBy) return endedBy;
  const delivered = job.recipients.filter((r) => r.state === "delivered").length;
  if (delivered === job.recipients.length) return "sent";
  return delivered > 0 ? "partial" : "not-delivered";
}

export async function writeReport(dir: string, job: JobRecord, at: number, why: string, endedBy?: EndedBy): Promise<FinalReport> {
  const final = finalState(job, endedBy);
  const failed = job.recipients.filter((r) => r.state !== "delivered");
  const names = jobTitle(job);
  const summary =
    final === "sent"
      ? `${names} delivered to ${job.recipients.length} recipient(s)`
      : final === "cancelled"
        ? `${names}: cancelled, not delivered to ${failed.map((r) => r.address).join(", ")}`
        : final === "removed-for-space"
          ? removedForSpace(names, why)
          : `${names}: NOT DELIVERED to ${failed.map((r) => `${r.address} (${r.code ?? "-"}${r.enhanced ? " " + r.enhanced : ""} ${r.message ?? ""})`).join(", ")}; ${why}`;
  const report: FinalReport = { id: job.id, final, at, createdAt: job.createdAt, attempts: job.attemptCount, summary, recipients: job.recipients, scans: job.scans.map((s) => s.fileName) };
  try {
    await ensureDir(dir);
    await atomicWrite(join(dir, `${job.id}.json`), JSON.stringify(report, null, 1));
    const names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
    for (const old of names.slice(0, Math.max(0, names.length - REPORTS_KEPT))) await rm(join(dir, old), { force: true });
  } catch {
    // The report is informative; a full disk must not keep a delivered job in the queue.
  }
  return report;
}

/** The scans' file names, or the subject of a text-only message. */
export function jobTitle(job: JobRecord): string {
  if (job.scans.length > 0) return job.scans.map((s) => s.fileName).join(", ");
  const subject = (job.message as { subject?: unknown } | null)?.subject;
  return typeof subject === "string" && subject ? `message "${subject}"` : "text message";
}

export async function readReports(dir: string, limit = 20): Promise<FinalReport[]> {
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort().slice(-limit);
  } catch {
    return [];
  }
  const out: FinalReport[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(await readFile(join(dir, n), "utf8")) as FinalReport);
    } catch {
      // skip a damaged report
    }
  }
  return out;
}
