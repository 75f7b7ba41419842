// A by-hand demonstration (not a test): the loopback identity endpoint and a token-checking
// smtp-server, then the real CLI — login, send, server-side token expiry, send again.
// Everything listens on 127.0.0.1, port 0, and stops at the end.
//   node --import tsx test/oauth/demo.ts
// docs/oauth.md shows its output.

import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SMTPServer } from "smtp-server";
import { createCa, issueServerCert } from "../../host/sim/selfsigned.js";
import { IdentityServer } from "./identity-server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const USER = "scanner@contoso.com";

const idp = new IdentityServer({ interval: 1, polls: ["authorization_pending", "ok"], tenant: "contoso.com" });
idp.account = USER;
await idp.start();
const ca = createCa("demo CA");
const cert = issueServerCert(ca, { names: ["localhost", "127.0.0.1"] });
let auths = 0;
const smtp = new SMTPServer({
  key: cert.key, cert: cert.cert, authMethods: ["XOAUTH2"], logger: false,
  onAuth(a, _s, cb) {
    auths++;
    if (idp.isValidAccessToken(a.accessToken ?? "", a.username ?? "")) return cb(null, { user: a.username });
    cb(null, { data: { status: "401", schemes: "bearer" } } as never);
  },
  onData(s, _x, cb) {
    s.resume();
    s.on("end", () => cb(null, "2.6.0 Queued mail for delivery"));
  },
});
await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
const port = (smtp.server.address() as AddressInfo).port;
const dir = await mkdtemp(join(tmpdir(), "mfp-demo-"));
await writeFile(join(dir, "ca.pem"), ca.cert);
const board = JSON.parse(await readFile(join(ROOT, "boards/sim-desktop.json"), "utf8"));
delete board.$schema;
board.outbox.dir = join(dir, "outbox");
await writeFile(join(dir, "board.json"), JSON.stringify(board));

async function run(args: string[]): Promise<void> {
  console.log(`$ mfp-mail ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" ")}`);
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "host/cli.ts"), ...args], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise((r) => child.on("close", r));
  clearTimeout(timer);
  console.log(`(exit ${code})\n`);
}

try {
  await run(["login", "--preset", "m365-submission", "--board", join(dir, "board.json"), "--tenant", "contoso.com", "--client-id", idp.clientId, "--user", USER, "--authority", idp.authority]);
  const send = ["send", "--board", join(dir, "board.json"), "--server", "127.0.0.1", "--port", String(port), "--require-tls", "--ca", join(dir, "ca.pem"),
    "--auth", "xoauth2", "--user", USER, "--from", USER, "--to", "accounting@contoso.com", "--subject", "Scan 0001", "--body", "Scanned document attached."];
  await run(send);
  console.log(`[server: ${auths} AUTH so far; now it stops accepting the token]\n`);
  idp.expireAllAccessTokens();
  await run(send);
  console.log(`[server: ${auths} AUTH in total; token refreshes: ${idp.grants("refresh_token")}]`);
} finally {
  await new Promise<void>((r) => smtp.close(() => r()));
  await idp.stop();
  await rm(dir, { recursive: true, force: true });
}
