// The outbox on disk: one directory per job, committed by a single atomic rename.
//
//   <dir>/tmp/<pid>-<id>/     a job being written (scan files + job.json), invisible to readers
//   <dir>/jobs/<id>/          an accepted job: job.json + scan-0, scan-1 …
//   <dir>/trash/<id>/         a job being removed (renamed here first, then deleted)
//   <dir>/quarantine/<id>/    a damaged job, with REASON.txt
//   <dir>/locks/<id>          pid of the process delivering the job now
//
// Why plain files and not SQLite or a journal: scans are large blobs that belong in files anyway,
// a job is written once and updated a few times, node 20 has no built-in SQLite (a native addon
// is a cross-compilation burden on MFP firmware), and rename(2) + fsync gives exactly the two
// guarantees needed: a job is either wholly in jobs/ or not there, and a job.json is either the
// old or the new version. A crash at any point leaves at most a tmp/ or trash/ entry, swept by
// the next open().
import { createHash, randomBytes } from "node:crypto";
import { link, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileSource } from "../scan/file.js";
import type { ScanSource } from "../scan/types.js";
import { atomicWrite, copyHashed, dirFailure, ensureDir, errnoOf, fsyncDir, hashFile, isNoSpace, syncFile } from "../base/durable.js";
import { OutboxError, type Json, type JobRecord, type JobScan, type RateLimits } from "./types.js";
import { type Clock, systemClock } from "../base/clock.js";
import { JobLocks, pidAlive } from "./lock.js";
import { checkJobShape, findSecret } from "./validate.js";

/** A scan to queue: a ScanSource (copied in) or a file path (moved in when `adopt`, else copied). */
export type ScanInput = ScanSource | { path: string; adopt?: boolean; fileName?: string; mimeType?: string; pageEnds?: number[] };

export interface EnqueueInput {
  from: string;
  recipients: string[];
  account?: string;
  limits?: RateLimits;
  message?: Json;
  connection?: Json;
  scans: ScanInput[];
}

export interface StoreOptions {
  maxMessages?: number;
  maxBytes?: number;
  clock?: Clock;
}

export interface Quarantined {
  id: string;
  reason: string;
}

export class OutboxStore {
  readonly jobsDir: string;
  readonly tmpDir: string;
  readonly trashDir: string;
  readonly quarantineDir: string;
  readonly locksDir: string;
  readonly clock: Clock;
  private readonly locks: JobLocks;
  /** Damaged jobs moved aside by this instance, for the caller to report. */
  readonly quarantined: Quarantined[] = [];

  /** Jobs this store enqueued and hashed in this process, not yet read back by scanSources(). */
  private readonly justWritten = new Set<string>();

  private constructor(readonly dir: string, private readonly opts: StoreOptions) {
    this.jobsDir = join(dir, "jobs");
    this.tmpDir = join(dir, "tmp");
    this.trashDir = join(dir, "trash");
    this.quarantineDir = join(dir, "quarantine");
    this.locksDir = join(dir, "locks");
    this.locks = new JobLocks(this.locksDir);
    this.clock = opts.clock ?? systemClock;
  }

  /** Open (creating if needed) and recover: sweep what a crash left half-done. */
  static async open(dir: string, opts: StoreOptions = {}): Promise<OutboxStore> {
    const s = new OutboxStore(dir, opts);
    try {
      for (const d of [dir, s.jobsDir, s.tmpDir, s.trashDir, s.quarantineDir, s.locksDir]) await ensureDir(d);
    } catch (err) {
      throw new OutboxError("OUTBOX_UNWRITABLE", `cannot create the outbox in ${dir}: ${dirFailure(err)}`);
    }
    await s.recover();
    return s;
  }

  private async recover(): Promise<void> {
    // A tmp entry belongs to a live enqueue only while its writer runs.
    for (const name of await readdir(this.tmpDir)) {
      const pid = Number(name.split("-")[0]);
      if (pid !== process.pid && !pidAlive(pid)) await rm(join(this.tmpDir, name), { recursive: true, force: true });
    }
    // Removal was committed by the rename into trash/; finish it.
    for (const name of await readdir(this.trashDir)) await rm(join(this.trashDir, name), { recursive: true, force: true });
    // A job.json rewrite interrupted before its rename leaves job.json.<pid>.tmp beside the intact old version.
    for (const id of await readdir(this.jobsDir)) {
      for (const name of await readdir(join(this.jobsDir, id)).catch(() => [] as string[])) {
        const m = /^job\.json\.(\d+)\.tmp$/.exec(name);
        if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) await rm(join(this.jobsDir, id, name), { force: true });
      }
    }
    await this.locks.sweep();
  }

  private newId(): string {
    // Time-ordered so a directory listing is the queue order.
    return `${this.clock.now().toString(36).padStart(9, "0")}-${randomBytes(5).toString("hex")}`;
  }

  /** Accept a job: when this resolves the job is durable; if it rejects, nothing is visible. */
  async enqueue(input: EnqueueInput): Promise<JobRecord> {
    if (input.recipients.length === 0) throw new OutboxError("BAD_JOB", "a job needs at least one recipient");
    for (const [field, value] of [["message", input.message], ["connection", input.connection]] as const) {
      const hit = value === undefined ? null : findSecret(value, field);
      if (hit) throw new OutboxError("SECRET_IN_JOB", `${hit} looks like a secret; the outbox stores settings only (name the environment variable or token source instead)`);
    }
    const sizes = await Promise.all(input.scans.map(async (s) => ("path" in s ? (await stat(s.path)).size : s.size)));
    await this.checkCapacity(sizes.reduce((a, b) => a + b, 0));

    const id = this.newId();
    const work = join(this.tmpDir, `${process.pid}-${id}`);
    // Scan files adopted into the job: hard-linked in, the caller's name removed only after the
    // commit, so a crash before it leaves the scan where it was (never swept with tmp/).
    const adopted: string[] = [];
    try {
      await ensureDir(work);
      const scans: JobScan[] = [];
      for (let i = 0; i < input.scans.length; i++) scans.push(await this.writeScan(work, `scan-${i}`, input.scans[i]!, adopted));
      const now = this.clock.now();
      const job: JobRecord = {
        version: 1,
        id,
        createdAt: now,
        account: input.account ?? input.from,
        limits: input.limits ?? {},
        from: input.from,
        recipients: input.recipients.map((address) => ({ address, state: "pending" })),
        message: input.message ?? null,
        connection: input.connection ?? null,
        scans,
        attempts: [],
        attemptCount: 0,
        nextAttemptAt: now,
        state: "queued",
        windowStartedAt: now,
        windowAttempts: 0,
      };
      const fh = await open(join(work, "job.json"), "w", 0o600);
      try {
        await fh.writeFile(JSON.stringify(job, null, 1));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsyncDir(work);
      // The commit point: one rename makes the whole job visible.
      await rename(work, join(this.jobsDir, id));
      await fsyncDir(this.jobsDir);
      for (const path of adopted) await rm(path, { force: true });
      this.justWritten.add(id);
      return job;
    } catch (err) {
      await rm(work, { recursive: true, force: true }).catch(() => {});
      if (err instanceof OutboxError) throw err;
      if (isNoSpace(err)) {
        throw new OutboxError("STORAGE_FULL", "storage full: the scan was not queued (the jobs already queued are intact). Free space on the device or wait for queued jobs to be delivered, then scan again.");
      }
      const code = (err as { code?: string }).code;
      if (code?.startsWith("SCAN_")) throw err;
      throw new OutboxError("OUTBOX_UNWRITABLE", `cannot write the job to ${this.dir}: ${errnoOf(err)}`);
    }
  }

  private async writeScan(work: string, file: string, input: ScanInput, adopted: string[]): Promise<JobScan> {
    const dest = join(work, file);
    if ("path" in input) {
      const src = await fileSource(input.path, { fileName: input.fileName, mimeType: input.mimeType, pageEnds: input.pageEnds });
      let moved = false;
      if (input.adopt) {
        // The outbox takes ownership of the scan file: a hard link, no copy (same file system).
        try {
          await link(input.path, dest);
          adopted.push(input.path);
          moved = true;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
        }
      }
      // One pass: the copy is hashed while it is written (a copy, then a hash of the copy, read
      // the scan twice); an adopted file is read once for its hash.
      let sha256: string;
      if (moved) {
        sha256 = await hashFile(dest);
        await syncFile(dest);
        await fsyncDir(work);
      } else {
        const copied = await copyHashed(input.path, dest);
        if (copied.size !== src.size) throw new OutboxError("BAD_JOB", `the scan "${src.fileName}" changed while it was being queued (${copied.size} bytes, ${src.size} expected)`);
        sha256 = copied.sha256;
      }
      return { file, fileName: src.fileName, mimeType: src.mimeType, size: src.size, sha256, pageEnds: src.pageEnds ? [...src.pageEnds] : undefined };
    }
    const hash = createHash("sha256");
    let size = 0;
    const fh = await open(dest, "w", 0o600);
    try {
      for await (const chunk of input.chunks()) {
        hash.update(chunk);
        size += chunk.length;
        await fh.write(chunk);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (size !== input.size) throw new OutboxError("BAD_JOB", `the scan "${input.fileName}" delivered ${size} bytes, ${input.size} were announced`);
    return { file, fileName: input.fileName, mimeType: input.mimeType, size, sha256: hash.digest("hex"), pageEnds: input.pageEnds ? [...input.pageEnds] : undefined };
  }

  private async checkCapacity(newBytes: number): Promise<void> {
    const { maxMessages, maxBytes } = this.opts;
    if (maxMessages === undefined && maxBytes === undefined) return;
    const ids = await this.ids();
    if (maxMessages !== undefined && ids.length >= maxMessages) {
      throw new OutboxError("OUTBOX_FULL", `the outbox already holds ${ids.length} jobs (the limit is ${maxMessages}); the scan was not queued`);
    }
    if (maxBytes !== undefined) {
      let bytes = newBytes;
      for (const id of ids) {
        const job = await this.read(id).catch(() => null);
        for (const s of job?.scans ?? []) bytes += s.size;
      }
      if (bytes > maxBytes) throw new OutboxError("OUTBOX_FULL", `queued scans would take ${bytes} bytes, over the outbox limit of ${maxBytes}; the scan was not queued`);
    }
  }

  /** Job ids in queue order. */
  async ids(): Promise<string[]> {
    return (await readdir(this.jobsDir)).filter((n) => !n.startsWith(".")).sort();
  }

  /** Read one job; throws on a damaged job (callers use load() to quarantine instead). */
  private async read(id: string): Promise<JobRecord> {
    const text = await readFile(join(this.jobsDir, id, "job.json"), "utf8");
    const job = JSON.parse(text) as unknown;
    const why = checkJobShape(job, id);
    if (why) throw new Error(why);
    const j = job as JobRecord;
    // Jobs written before states and retention windows existed: queued, window from enqueue.
    j.state ??= "queued";
    j.windowStartedAt ??= j.createdAt;
    j.windowAttempts ??= j.attemptCount;
    return j;
  }

  /** One job, or null when it is gone or was quarantined. Checks the scan files' sizes. */
  async load(id: string): Promise<JobRecord | null> {
    let job: JobRecord;
    try {
      job = await this.read(id);
      for (const s of job.scans) {
        const st = await stat(join(this.jobsDir, id, s.file));
        if (st.size !== s.size) throw new Error(`scan file ${s.file} has ${st.size} bytes, the job says ${s.size}`);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && !(await exists(join(this.jobsDir, id)))) return null; // removed meanwhile
      // An I/O error (EIO, EMFILE …) says nothing about the job itself: never quarantine on it.
      if (code !== undefined && code !== "ENOENT") throw err;
      await this.quarantine(id, err instanceof Error ? err.message : String(err));
      return null;
    }
    return job;
  }

  /** Every readable job, in order; damaged ones are quarantined on the way. */
  async list(): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (const id of await this.ids()) {
      const job = await this.load(id);
      if (job) out.push(job);
    }
    return out;
  }

  /** Replace job.json atomically (the old or the new version survives a crash, never a mix). */
  async update(job: JobRecord): Promise<void> {
    const dir = join(this.jobsDir, job.id);
    await atomicWrite(join(dir, "job.json"), JSON.stringify(job, null, 1), join(dir, `job.json.${process.pid}.tmp`));
  }

  /** Remove a job: the rename into trash/ is the commit point. */
  async remove(id: string): Promise<void> {
    const to = join(this.trashDir, `${id}-${process.pid}`);
    try {
      await rename(join(this.jobsDir, id), to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    await fsyncDir(this.jobsDir);
    await rm(to, { recursive: true, force: true });
  }

  /** Move a damaged job aside with a note saying why; the rest of the queue goes on. */
  async quarantine(id: string, reason: string): Promise<void> {
    const to = join(this.quarantineDir, id);
    try {
      await rm(to, { recursive: true, force: true });
      await rename(join(this.jobsDir, id), to);
      await fsyncDir(this.jobsDir);
      await writeFile(join(to, "REASON.txt"), `${new Date(this.clock.now()).toISOString()} job ${id} quarantined: ${reason}\n`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    this.quarantined.push({ id, reason });
  }

  /** Quarantined jobs on disk, with their reasons. */
  async listQuarantine(): Promise<Quarantined[]> {
    const out: Quarantined[] = [];
    for (const id of (await readdir(this.quarantineDir)).sort()) {
      const reason = (await readFile(join(this.quarantineDir, id, "REASON.txt"), "utf8").catch(() => "(no reason recorded)")).trim();
      out.push({ id, reason });
    }
    return out;
  }

  /** Scan sources over the job's own files, re-checked against their SHA-256 first — except
   *  right after this store wrote and hashed them (the immediate first send of `mfp-mail send`):
   *  nothing else has touched the files since, and a re-hash read the whole scan once more. */
  async scanSources(job: JobRecord): Promise<ScanSource[]> {
    const out: ScanSource[] = [];
    const fresh = this.justWritten.delete(job.id);
    for (const s of job.scans) {
      const path = join(this.jobsDir, job.id, s.file);
      const sha = fresh ? s.sha256 : await hashFile(path);
      if (sha !== s.sha256) throw new Error(`scan file ${s.file} is damaged (SHA-256 ${sha.slice(0, 12)}…, expected ${s.sha256.slice(0, 12)}…)`);
      out.push(await fileSource(path, { fileName: s.fileName, mimeType: s.mimeType, pageEnds: s.pageEnds }));
    }
    return out;
  }

  /**
   * Take the delivery lock of a job (one sender per job across processes). Returns a release
   * function, or null when another live process holds it. A lock of a dead process is taken over.
   */
  lock(id: string): Promise<(() => Promise<void>) | null> {
    return this.locks.lock(id);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
