// Crash-safe file primitives. POSIX rename(2) replaces a directory entry atomically, but the new
// name is only durable once the parent directory is fsync'ed, and the data only once the file is
// fsync'ed before the rename (ext4 auto_da_alloc and friends are not a guarantee). Every write
// that a restart relies on goes: write temp → fsync file → rename → fsync directory.
import { createHash } from "node:crypto";
import { open, rename, mkdir, rm, stat } from "node:fs/promises";
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** fsync a directory so the entries created/renamed/removed in it survive power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Write `data` to `tmpPath` (created 0600), fsync, rename over `path`, fsync the directory. With
 * `exclusive` the temporary file is created with O_EXCL: never follow or reuse a file someone
 * placed at that name (the caller then picks a name of its own, e.g. with a random part).
 */
export async function atomicWrite(path: string, data: string | Uint8Array, tmpPath = `${path}.tmp`, o: { exclusive?: boolean } = {}): Promise<void> {
  const fh = await open(tmpPath, o.exclusive ? "wx" : "w", 0o600);
  try {
    try {
      await fh.writeFile(data);
      await fh.chmod(0o600); // the umask can only remove bits, but a reused file keeps its own
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

/**
 * The directories of `dir` that do not exist yet, outermost first. Node's own `mkdir({recursive})`
 * is not used: procfs (and a dangling symlink) answer ENOENT for a child of a directory that
 * exists, and Node then re-creates the parent and retries forever at full CPU (`--outbox /proc/x`).
 * Here each missing level is made once, from the outside in, and any error is final.
 */
function missingLevels(dir: string): string[] {
  const missing: string[] = [];
  for (let p = resolve(dir); !exists(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  return missing;
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Create `dir` and its missing parents (mode 0700); bounded, the first error is thrown. */
export async function ensureDir(dir: string): Promise<void> {
  for (const level of missingLevels(dir)) {
    await mkdir(level, { mode: 0o700 }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST" || !(await stat(level)).isDirectory()) throw e;
    });
  }
  if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: "ENOTDIR" });
}

/** Why a directory could not be made, in plain words after the errno ("ENOENT: …"). */
export function dirFailure(err: unknown): string {
  const code = errnoOf(err);
  const why: Record<string, string> = {
    ENOENT: "this place cannot hold directories (a virtual file system such as /proc, or a broken link)",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOTDIR: "a part of the path is a file, not a directory",
    ENOSPC: "no space left on the device",
  };
  return why[code] ? `${code}: ${why[code]}` : code;
}

/** True for "no space left" and "quota exceeded". */
export function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

export function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | null)?.code ?? String(err);
}

/** Large reads: 1 MiB per read, one reused buffer (64 KiB reads cost 16× the system calls). */
const COPY_BLOCK = 1 << 20;

/** fsync one file. */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, "r+");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Copy src to dest (created 0600, fsync'ed); the SHA-256 and count of the bytes written. */
export async function copyHashed(src: string, dest: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  const from = await open(src, "r");
  try {
    const to = await open(dest, "w", 0o600);
    try {
      const buf = Buffer.allocUnsafe(COPY_BLOCK);
      for (;;) {
        const { bytesRead } = await from.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        const piece = buf.subarray(0, bytesRead);
        hash.update(piece);
        await to.write(piece, 0, bytesRead);
        size += bytesRead;
      }
      await to.sync();
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
  return { sha256: hash.digest("hex"), size };
}

/** SHA-256 of a file, read in COPY_BLOCK pieces. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(COPY_BLOCK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest("hex");
}
