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
import { chmod, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { OAuthError } from "./errors.js";

export const CACHE_FILE_NAME = "oauth-tokens.json";
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
      // 'wx' = O_CREAT|O_EXCL: never follow or reuse a file someone placed at that name.
      const fh = await open(tmp, "wx", FILE_MODE);
      try {
        await fh.writeFile(JSON.stringify(file, null, 1) + "\n", "utf8");
        await fh.chmod(FILE_MODE); // the umask can only remove bits, but be explicit
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
      await syncDir(this.dir);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw new OAuthError("OAUTH_CACHE", `cannot write the token cache ${this.path}: ${(e as Error).message}`);
    }
  }
}

/** Mailbox local parts are case-sensitive in theory, never in Exchange; domains never are. */
function sameAccount(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some file systems refuse fsync on a directory, which is harmless.
  try {
    const d = await open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}
