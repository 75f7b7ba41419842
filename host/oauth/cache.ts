// The token cache: one JSON file in the outbox storage directory holding each signed-in
// account's refresh token (and the last access token with its expiry, so a new process need not
// refresh before every send).
//
// - Mode 0600, directory 0700: only the device's mail user reads it.
// - Written atomically: a temporary file in the same directory (created 0600 with O_EXCL),
//   fsync, rename over the old file, fsync the directory — a power cut leaves the old file or the
//   new one, never half of one.
// - Nothing from it is ever logged; errors name the file, never its contents.

import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { atomicWrite } from "../base/durable.js";
import { OAuthError } from "./errors.js";

export const CACHE_FILE_NAME = "oauth-tokens.json";
const LOCK_FILE_NAME = ".oauth-tokens.lock";
/** A refresh takes a second or two; a lock this old belongs to a process that hung or died. */
const STALE_LOCK_MS = 120_000;
const LOCK_POLL_MS = 100;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export interface CacheEntry {
  /** Mailbox (XOAUTH2 user). */
  account: string;
  authority: string;
  tenant: string;
  clientId: string;
  scope: string;
  refreshToken: string;
  accessToken?: string;
  /** ms since the epoch */
  expiresAt?: number;
  /** ms since the epoch, when this entry was last written */
  updatedAt: number;
}

interface CacheFile {
  version: 1;
  entries: CacheEntry[];
}

export class TokenCache {
  readonly path: string;
  constructor(readonly dir: string) {
    this.path = join(dir, CACHE_FILE_NAME);
  }

  /** The entry for this account (and client, when given), or undefined when none is cached. */
  async get(account: string, clientId?: string): Promise<CacheEntry | undefined> {
    const file = await this.read();
    return file.entries.find((e) => sameAccount(e.account, account) && (clientId === undefined || e.clientId === clientId));
  }

  async list(): Promise<CacheEntry[]> {
    return (await this.read()).entries;
  }

  /** Insert or replace the entry for (account, clientId). */
  async put(entry: CacheEntry): Promise<void> {
    const file = await this.read();
    const entries = file.entries.filter((e) => !(sameAccount(e.account, entry.account) && e.clientId === entry.clientId));
    entries.push(entry);
    await this.write({ version: 1, entries });
  }

  async remove(account: string, clientId?: string): Promise<boolean> {
    const file = await this.read();
    const entries = file.entries.filter((e) => !(sameAccount(e.account, account) && (clientId === undefined || e.clientId === clientId)));
    if (entries.length === file.entries.length) return false;
    await this.write({ version: 1, entries });
    return true;
  }

  /**
   * Run fn while holding the cache's lock file, so two processes (the outbox daemon and a CLI
   * send) never spend the same rotating refresh token. The lock is a file created with O_EXCL
   * holding the owner's pid; a lock whose owner is gone, or older than STALE_LOCK_MS, is broken.
   * Waits at most timeoutMs (in steps of the injected clock's sleep), then fails with OAUTH_CACHE.
   */
  async withLock<T>(fn: () => Promise<T>, o: { sleep?: (ms: number) => Promise<void>; timeoutMs?: number } = {}): Promise<T> {
    const lock = join(this.dir, LOCK_FILE_NAME);
    const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const tries = Math.max(1, Math.ceil((o.timeoutMs ?? 30_000) / LOCK_POLL_MS));
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE }).catch(() => undefined);
    for (let i = 0; ; i++) {
      try {
        const fh = await open(lock, "wx", FILE_MODE);
        await fh.writeFile(String(process.pid));
        await fh.close();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new OAuthError("OAUTH_CACHE", `cannot lock the token cache in ${this.dir}: ${(e as Error).message}`);
        }
      }
      if (await lockIsStale(lock)) {
        await unlink(lock).catch(() => undefined);
        continue;
      }
      if (i + 1 >= tries) throw new OAuthError("OAUTH_CACHE", `the token cache in ${this.dir} stayed locked by another process`);
      await sleep(LOCK_POLL_MS);
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  private async read(): Promise<CacheFile> {
    let text: string;
    try {
      const st = await stat(this.path);
      // Someone loosened the mode (a copy, a restore): tighten it before reading secrets from it.
      if ((st.mode & 0o077) !== 0) await chmod(this.path, FILE_MODE);
      text = await readFile(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, entries: [] };
      throw new OAuthError("OAUTH_CACHE", `cannot read the token cache ${this.path}: ${(e as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text) as CacheFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.entries)) throw new Error("unknown layout");
      return parsed;
    } catch {
      throw new OAuthError("OAUTH_CACHE", `the token cache ${this.path} is damaged: sign in again (mfp-mail login)`);
    }
  }

  private async write(file: CacheFile): Promise<void> {
    const tmp = join(this.dir, `.${CACHE_FILE_NAME}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
      await atomicWrite(this.path, JSON.stringify(file, null, 1) + "\n", tmp, { exclusive: true });
    } catch (e) {
      throw new OAuthError("OAUTH_CACHE", `cannot write the token cache ${this.path}: ${(e as Error).message}`);
    }
  }
}

async function lockIsStale(lock: string): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([readFile(lock, "utf8"), stat(lock)]);
    if (Date.now() - st.mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - st.mtimeMs > 1000; // being written
    try {
      process.kill(pid, 0); // signal 0: existence check only
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  } catch {
    return false; // vanished meanwhile: the next open() will tell
  }
}

/** Mailbox local parts are case-sensitive in theory, never in Exchange; domains never are. */
function sameAccount(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
