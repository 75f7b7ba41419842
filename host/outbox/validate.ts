// Shape check of a job.json read back from disk: anything a torn write, a bad flash sector or a
// hand edit can produce is caught here, and the job is quarantined rather than crashing the queue.
const isStr = (v: unknown): v is string => typeof v === "string";
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Why `data` is not a valid job record named `id`, or null when it is one. */
export function checkJobShape(data: unknown, id: string): string | null {
  if (!isObj(data)) return "job.json is not a JSON object";
  if (data.version !== 1) return `unknown job format version ${JSON.stringify(data.version)}`;
  if (data.id !== id) return `job.json names job ${JSON.stringify(data.id)}, its directory is ${id}`;
  if (!isNum(data.createdAt) || !isNum(data.nextAttemptAt) || !isNum(data.attemptCount)) return "job.json lacks its timestamps or attempt count";
  if (!isStr(data.from) || !isStr(data.account)) return "job.json lacks the sender or account";
  if (!isObj(data.limits)) return "job.json lacks its rate limits";
  if (!Array.isArray(data.recipients) || data.recipients.length === 0) return "job.json has no recipients";
  for (const r of data.recipients) {
    if (!isObj(r) || !isStr(r.address) || !["pending", "delivered", "failed"].includes(r.state as string)) return "job.json has a malformed recipient";
  }
  if (!Array.isArray(data.scans) || data.scans.length === 0) return "job.json has no scans";
  for (const s of data.scans) {
    if (!isObj(s) || !isStr(s.file) || !/^scan-\d+$/.test(s.file) || !isStr(s.fileName) || !isStr(s.mimeType) || !isNum(s.size) || !isStr(s.sha256)) {
      return "job.json has a malformed scan entry";
    }
  }
  if (!Array.isArray(data.attempts)) return "job.json has no attempt history";
  return null;
}
