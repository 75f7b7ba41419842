// Outbox costs on this machine's disk: enqueue (stream copy + SHA-256 + fsync), adopting a scan
// file by hard link, the fsync'ed job.json rewrite every attempt pays, and the bytes a job adds.
//   node --import tsx bench/outbox.ts [MiB]
import { mkdtempSync, rmSync, writeFileSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { OutboxStore } from "../host/outbox/store.js";
import type { ScanSource } from "../host/scan/types.js";

const mib = Number(process.argv[2] ?? 50);
const root = mkdtempSync(join(tmpdir(), "mfp-outbox-bench-"));
const store = await OutboxStore.open(join(root, "outbox"));
const chunk = randomBytes(1 << 20);
const source: ScanSource = {
  fileName: "scan.pdf", mimeType: "application/pdf", size: mib << 20, replayable: true,
  async *chunks() { for (let i = 0; i < mib; i++) yield chunk; },
};
const base = { from: "scanner@contoso.com", recipients: ["a@contoso.com"], message: { subject: "s" }, connection: { host: "smtp.office365.com", port: 587 } };

let t = performance.now();
const job = await store.enqueue({ ...base, scans: [source] });
const enqueueMs = performance.now() - t;

const file = join(root, "scan-adopt.pdf");
writeFileSync(file, randomBytes(mib << 20));
t = performance.now();
await store.enqueue({ ...base, scans: [{ path: file, adopt: true }] });
const adoptMs = performance.now() - t;

const N = 50;
t = performance.now();
for (let i = 0; i < N; i++) {
  job.nextAttemptAt++;
  await store.update(job);
}
const updateMs = (performance.now() - t) / N;

const jobDir = join(root, "outbox", "jobs", job.id);
const overhead = readdirSync(jobDir).filter((f) => !f.startsWith("scan-")).reduce((a, f) => a + statSync(join(jobDir, f)).size, 0);
console.log(`enqueue ${mib} MiB from a stream (copy + SHA-256 + fsync + rename): ${enqueueMs.toFixed(0)} ms (${(mib / (enqueueMs / 1000)).toFixed(0)} MiB/s)`);
console.log(`enqueue ${mib} MiB by adopting the file (hard link + SHA-256 + fsync): ${adoptMs.toFixed(0)} ms`);
console.log(`job.json rewrite (temp + fsync + rename + fsync dir), mean of ${N}: ${updateMs.toFixed(2)} ms`);
console.log(`job.json size besides the scan: ${overhead} bytes`);
rmSync(root, { recursive: true, force: true });
