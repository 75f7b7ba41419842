// After a cut: what the disk held when the device process died, the restart (a fresh outbox
// delivers whatever is queued, as the daemon does), and the verdict — was any accepted scan lost,
// and was every duplicate inside the documented window (the server had the message before the
// cut, and the job still listed that recipient as pending on disk)?
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultBoard } from "../host/config/board.js";
import { Outbox } from "../host/outbox/index.js";
import { sessionDeliver } from "../host/outbox/session-deliver.js";
import type { JobRecord } from "../host/outbox/types.js";
import type { Received } from "../test/outbox/helpers.js";
import { seededBytes } from "./seeded.js";
import type { Scenario } from "./scenario.js";
import { createHash } from "node:crypto";

export interface RunFacts {
  s: Scenario;
  dir: string;
  /** The device process printed "enqueued": enqueue() had returned. */
  enqueued: boolean;
  /** When the driver saw the device process end (ms, this process's clock). */
  diedAt: number;
}

export interface Verdict {
  accepted: boolean;
  delivered: boolean;
  held: boolean;
  notDelivered: boolean;
  partial: boolean;
  lost: string[];
  duplicatesInWindow: number;
  problems: string[];
}

/** job.json files as the dead process left them (no recovery yet). */
function snapshot(dir: string): JobRecord[] {
  const jobs = join(dir, "jobs");
  if (!existsSync(jobs)) return [];
  return readdirSync(jobs).flatMap((id) => {
    try {
      return [JSON.parse(readFileSync(join(jobs, id, "job.json"), "utf8")) as JobRecord];
    } catch {
      return [];
    }
  });
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The restart: open the outbox (sweeps crash leftovers) and deliver every queued job until none is left. */
async function restart(dir: string): Promise<Outbox> {
  const outbox = await Outbox.open({ dir });
  const deliver = sessionDeliver({ board: defaultBoard() });
  for (let round = 0; round < 6; round++) {
    const queued = (await outbox.list()).filter((j) => j.state === "queued");
    if (queued.length === 0) break;
    for (const j of queued) await outbox.deliverNow(j.id, deliver);
  }
  return outbox;
}

export async function verify(f: RunFacts, received: Received[]): Promise<Verdict> {
  const before = snapshot(f.dir);
  const mine = () => received.filter((m) => m.subject === f.s.subject);
  const outbox = await restart(f.dir);
  const after = await outbox.list();
  const reports = await outbox.reports(10);
  const v: Verdict = { accepted: false, delivered: false, held: false, notDelivered: false, partial: false, lost: [], duplicatesInWindow: 0, problems: [] };
  const got = mine();
  v.accepted = f.enqueued || before.length > 0 || got.length > 0 || reports.length > 0;
  v.held = after.some((j) => j.state === "held");
  v.notDelivered = reports.some((r) => r.final === "not-delivered");
  v.partial = reports.some((r) => r.final === "partial");
  const want = f.s.scans.map((x) => sha(seededBytes(`soak-scan-${x.seed}`, x.size)));
  for (const m of got) {
    const shas = m.attachments.map((a) => a.sha256);
    if (JSON.stringify(shas) !== JSON.stringify(want)) v.problems.push(`run ${f.s.run}: a copy arrived with different bytes`);
  }
  if (!v.accepted) {
    if (got.length > 0) v.problems.push(`run ${f.s.run}: arrived without a job`);
    return v;
  }
  for (const rcpt of f.s.deliverable) {
    const copies = got.filter((m) => m.to.includes(rcpt)).sort((a, b) => a.at - b.at);
    if (copies.length === 0) v.lost.push(rcpt);
    if (copies.length < 2) continue;
    const pendingOnDisk = before.some((j) => j.recipients.some((r) => r.address === rcpt && r.state === "pending"));
    if (copies.length === 2 && copies[0]!.at < f.diedAt && pendingOnDisk) v.duplicatesInWindow++;
    else v.problems.push(`run ${f.s.run}: ${copies.length} copies to ${rcpt} outside the window (first ${copies[0]!.at - f.diedAt} ms from the cut, pending on disk: ${pendingOnDisk})`);
  }
  v.delivered = f.s.deliverable.length > 0 && v.lost.length === 0;
  if (f.s.kind === "held") {
    // The scan must still be on the device, intact.
    const job = after.find((j) => j.state === "held");
    if (!job) v.lost.push(`held scan of run ${f.s.run}`);
    else await outbox.store.scanSources(job).catch((e: Error) => v.problems.push(`run ${f.s.run}: held scan damaged: ${e.message}`));
  }
  if (f.s.kind === "partial-5xx" && !v.partial) v.problems.push(`run ${f.s.run}: one recipient refused, but no partial report`);
  if (f.s.kind === "refused" && !v.notDelivered) v.problems.push(`run ${f.s.run}: refused, but no not-delivered report`);
  if (after.some((j) => j.state === "queued")) v.problems.push(`run ${f.s.run}: still queued after the restart`);
  for (const d of ["tmp", "quarantine", "trash"]) {
    if (readdirSync(join(f.dir, d)).length > 0) v.problems.push(`run ${f.s.run}: ${d}/ not empty after the restart`);
  }
  return v;
}
