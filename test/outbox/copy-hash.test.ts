// The durable copy of `mfp-mail send --attach FILE`: the scan is hashed while it is copied (one
// read of the user's file), and the immediate first send does not hash the copy again; any later
// attempt (the daemon, another process) re-checks the SHA-256 before sending.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OutboxStore } from "../../host/outbox/store.js";
import { copyHashed } from "../../host/base/durable.js";
import { scanBytes, suiteDir } from "./helpers.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const base = { from: "scanner@contoso.com", recipients: ["a@contoso.com"], message: { subject: "s" }, connection: { host: "mx.invalid", port: 25 } };

test("copyHashed: the copy is byte-identical and its SHA-256 and size are those of the bytes", async () => {
  const dir = suiteDir("copyhash");
  const bytes = scanBytes(7, (3 << 20) + 12345); // more than one 1 MiB block, not a multiple of it
  writeFileSync(join(dir, "in.pdf"), bytes);
  const r = await copyHashed(join(dir, "in.pdf"), join(dir, "out.pdf"));
  assert.equal(r.size, bytes.length);
  assert.equal(r.sha256, sha(bytes));
  assert.equal(sha(readFileSync(join(dir, "out.pdf"))), sha(bytes));
});

test("the first send after enqueue uses the hash taken while copying; later attempts re-check it", async () => {
  const dir = suiteDir("hashonce");
  const bytes = scanBytes(8, 1 << 20);
  const file = join(dir, "scan.pdf");
  writeFileSync(file, bytes);
  const store = await OutboxStore.open(join(dir, "outbox"));
  const job = await store.enqueue({ ...base, scans: [{ path: file }] });
  assert.equal(job.scans[0]!.sha256, sha(bytes));
  // Damage the stored copy behind the store's back: only a re-hash can notice.
  const copy = join(dir, "outbox", "jobs", job.id, job.scans[0]!.file);
  const damaged = Buffer.from(bytes);
  damaged[1000] ^= 0xff;
  writeFileSync(copy, damaged);
  const first = await store.scanSources(job);
  assert.equal(first.length, 1, "the immediate first send does not read the copy for a hash");
  await assert.rejects(store.scanSources(job), /damaged/, "every later attempt verifies the SHA-256");
});
