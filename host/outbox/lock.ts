// One sender per job across processes: <outbox>/locks/<id> holds the pid of the process
// delivering the job. The pid is written to a private file first and then link(2)ed into place,
// so a lock never appears empty; the lock of a dead process is taken over.
import { link, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class JobLocks {
  constructor(readonly dir: string) {}

  /** Returns a release function, or null when another live process holds the lock. */
  async lock(id: string): Promise<(() => Promise<void>) | null> {
    const path = join(this.dir, id);
    for (let tries = 0; tries < 2; tries++) {
      const mine = join(this.dir, `.${id}.${process.pid}`);
      await writeFile(mine, String(process.pid), { mode: 0o600 });
      try {
        await link(mine, path);
        return async () => {
          await rm(path, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
        if (pid === process.pid || pidAlive(pid)) return null;
        await rm(path, { force: true });
      } finally {
        await rm(mine, { force: true });
      }
    }
    return null;
  }

  /** Release the locks (and half-made lock files) of processes that are gone. */
  async sweep(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(".")) {
        if (!pidAlive(Number(name.split(".").pop()))) await rm(join(this.dir, name), { force: true });
        continue;
      }
      const pid = Number((await readFile(join(this.dir, name), "utf8").catch(() => "")).trim());
      if (!pidAlive(pid)) await rm(join(this.dir, name), { force: true });
    }
  }
}
