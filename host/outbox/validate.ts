// Shape check of a job.json read back from disk: anything a torn write, a bad flash sector or a
// hand edit can produce is caught here, and the job is quarantined rather than crashing the queue.
// Also the check that a job's settings hold no secret (the outbox stores settings only).
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
  // A text-only message has no scans; a job always has the list.
  if (!Array.isArray(data.scans)) return "job.json has no scan list";
  for (const s of data.scans) {
    if (!isObj(s) || !isStr(s.file) || !/^scan-\d+$/.test(s.file) || !isStr(s.fileName) || !isStr(s.mimeType) || !isNum(s.size) || !isStr(s.sha256)) {
      return "job.json has a malformed scan entry";
    }
  }
  if (!Array.isArray(data.attempts)) return "job.json has no attempt history";
  // Jobs written before job states existed have neither field: they are queued.
  if (data.state !== undefined && data.state !== "queued" && data.state !== "held") return `job.json has an unknown state ${JSON.stringify(data.state)}`;
  if (data.state === "held" && (!isObj(data.held) || !isStr(data.held.reason) || !isStr(data.held.cause))) return "job.json is held without a reason";
  return null;
}

const SECRET_KEY = /^(password|passwd|pass|secret|token|accesstoken|access_token|refreshtoken|refresh_token|clientsecret|client_secret|bearer)$/i;

/** Path of the first key in `value` that names a secret with a non-empty string value, or null. */
export function findSecret(value: unknown, path: string): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findSecret(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY.test(k) && typeof v === "string" && v.length > 0) return `${path}.${k}`;
      const hit = findSecret(v, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return null;
}
