// Shared by the XOAUTH2 end-to-end suites: the real CLI as a child process (with every process's
// argv sampled while it runs, to prove no secret is ever an argument), and a loopback lab — an
// smtp-server over STARTTLS that validates bearer tokens with the local identity endpoint, plus
// a board file whose outbox (and token cache) is in a temp directory.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { createCa, issueServerCert } from "../../host/sim/selfsigned.js";
import type { IdentityServer } from "./identity-server.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "host/cli.ts");

export interface Run { code: number | null; stdout: string; stderr: string; argvSeen: string[] }
export interface Auth { user: string; ok: boolean }
export interface Delivered { from: string; to: string[]; subject: string; text: string }

/** Every process's command line, read from /proc (Linux); empty elsewhere. */
async function allCmdlines(): Promise<string[]> {
  let pids: string[];
  try {
    pids = (await readdir("/proc")).filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const p of pids) {
    try {
      out.push((await readFile(`/proc/${p}/cmdline`, "utf8")).replace(/\0/g, " "));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return out;
}

/** Run the CLI with extra environment; sample every process's arguments while it runs (≤ 600 samples). */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      cwd: ROOT, env: { ...process.env, MFP_DEBUG: "", MFP_MAIL_TOKEN: "", ...env }, stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const argvSeen = new Set<string>();
    let running = true;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    void (async () => {
      for (let i = 0; running && i < 600; i++) {
        for (const c of await allCmdlines()) argvSeen.add(c);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      running = false;
      clearTimeout(timer);
      resolve({ code, stdout, stderr, argvSeen: [...argvSeen] });
    });
  });
}

export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export interface BearerLab {
  port: number;
  dir: string;
  caFile: string;
  boardFile: string;
  /** every AUTH the server saw, in order */
  auths: Auth[];
  delivered: Delivered[];
  close(): Promise<void>;
}

/**
 * An smtp-server (STARTTLS, XOAUTH2 only, MAIL needs AUTH) whose onAuth asks `idp` whether the
 * bearer token is valid; a refused token gets the 334 error challenge with `scope` (RFC 7628
 * §3.2.2, as Exchange does), which smtp-server answers with 535 after the client's empty line.
 */
export async function startBearerLab(idp: IdentityServer, name: string, scope: string): Promise<BearerLab> {
  const auths: Auth[] = [];
  const delivered: Delivered[] = [];
  const ca = createCa(`${name} CA`);
  const cert = issueServerCert(ca, { names: ["localhost", "127.0.0.1"] });
  const smtp = new SMTPServer({
    key: cert.key, cert: cert.cert, minVersion: "TLSv1.2",
    authMethods: ["XOAUTH2"], logger: false,
    onAuth(auth, _session, cb) {
      const ok = auth.method === "XOAUTH2" && idp.isValidAccessToken(auth.accessToken ?? "", auth.username ?? "");
      auths.push({ user: auth.username ?? "", ok });
      if (ok) return cb(null, { user: auth.username });
      return cb(null, { data: { status: "401", schemes: "bearer", scope } } as never);
    },
    onMailFrom(_a, session, cb) {
      cb(session.user ? undefined : Object.assign(new Error("5.7.57 Client not authenticated"), { responseCode: 530 }));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((m) => {
        delivered.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: m.subject ?? "",
          text: m.text ?? "",
        });
        cb(null, "2.6.0 Queued mail for delivery");
      }, (e: Error) => cb(e));
    },
  });
  smtp.on("error", () => {});
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
  const port = (smtp.server.address() as AddressInfo).port;

  const dir = await mkdtemp(join(tmpdir(), `mfp-${name}-`));
  const caFile = join(dir, "ca.pem");
  await writeFile(caFile, ca.cert);
  const board = JSON.parse(await readFile(join(ROOT, "boards/sim-desktop.json"), "utf8"));
  delete board.$schema;
  board.name = name;
  board.outbox.dir = join(dir, "outbox");
  const boardFile = join(dir, "board.json");
  await writeFile(boardFile, JSON.stringify(board));
  return {
    port, dir, caFile, boardFile, auths, delivered,
    close: async () => {
      await new Promise<void>((r) => smtp.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
