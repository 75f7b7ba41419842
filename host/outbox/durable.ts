// Crash-safe file primitives. POSIX rename(2) replaces a directory entry atomically, but the new
// name is only durable once the parent directory is fsync'ed, and the data only once the file is
// fsync'ed before the rename (ext4 auto_da_alloc and friends are not a guarantee). Every write
// that a restart relies on goes: write temp → fsync file → rename → fsync directory.
import { open, rename, mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";

/** fsync a directory so the entries created/renamed/removed in it survive power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Write `data` to `tmpPath`, fsync, rename over `path`, fsync the directory. */
export async function atomicWrite(path: string, data: string | Uint8Array, tmpPath = `${path}.tmp`): Promise<void> {
  try {
    const fh = await open(tmpPath, "w", 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmpPath, path);
  } catch (err) {
    await rm(tmpPath, { force: true }).catch(() => {});
    throw err;
  }
  await fsyncDir(dirname(path));
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** True for "no space left" and "quota exceeded". */
export function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

export function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | null)?.code ?? String(err);
}
