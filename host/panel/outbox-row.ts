// One Outbox entry as the panel shows it: what (file, pages, size, when it was scanned), to whom,
// where it stands (tried how often, next try when), and what the last try said. The page words it
// in its language and the board's clock ("Tried 2 times · next try 14:05").
import type { JobRecord } from "../outbox/types.js";
import { cleanServerText } from "../text/sanitize.js";
import { localized } from "../text/translate.js";
import type { OutboxRow } from "./server.js";

export function outboxRow(j: JobRecord, nowMs: number): OutboxRow {
  const last = j.attempts.at(-1);
  const held = j.state === "held";
  const state = held ? "held" : j.attemptCount === 0 ? "waiting" : j.nextAttemptAt <= nowMs ? "due" : "retrying";
  const pageCounts = j.scans.map((s) => s.pageEnds?.length);
  return {
    id: j.id,
    files: j.scans.map((s) => s.fileName),
    createdAt: new Date(j.createdAt).toISOString(),
    recipients: j.recipients.filter((r) => r.state === "pending").map((r) => r.address),
    delivered: j.recipients.filter((r) => r.state === "delivered").length,
    pages: pageCounts.length > 0 && pageCounts.every((n) => n !== undefined) ? pageCounts.reduce((a, n) => a! + n!, 0)! : null,
    bytes: j.scans.reduce((a, s) => a + s.size, 0),
    state,
    attempts: j.attemptCount,
    nextAttemptAt: !held && j.nextAttemptAt > nowMs ? new Date(j.nextAttemptAt).toISOString() : null,
    lastMessage: last ? cleanServerText(last.message) : null, // the server's words: sanitised
    alert: held ? localized(cleanServerText(j.held?.reason ?? "Held")) : null,
  };
}
