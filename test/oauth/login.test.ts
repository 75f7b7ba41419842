// `mfp-mail login` (runLogin) against the loopback identity endpoint: what the admin sees, the
// exit codes, the cache it leaves behind, and that no token reaches the output.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { runLogin, type LoginOptions } from "../../host/commands/login.js";
import { FakeClock, IdentityServer, type IdentityOptions } from "./identity-server.js";

let idp: IdentityServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await idp?.stop();
  idp = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function login(idpOptions: IdentityOptions, over: Partial<LoginOptions> = {}) {
  idp = new IdentityServer(idpOptions);
  await idp.start();
  const dir = await mkdtemp(join(tmpdir(), "mfp-login-"));
  dirs.push(dir);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLogin(
    { preset: "m365-submission", tenant: idp.tenant, clientId: idp.clientId, user: idp.account, authority: idp.authority, outbox: join(dir, "outbox"), ...over },
    { out: (l) => out.push(l), err: (l) => err.push(l), clock: new FakeClock() },
  );
  return { code, out, err, idp, storage: join(dir, "outbox") };
}

describe("mfp-mail login", () => {
  it("prints the code and the address, waits, and caches the sign-in with mode 0600", async () => {
    const r = await login({ polls: ["authorization_pending", "authorization_pending", "ok"] });
    assert.equal(r.code, 0, r.err.join("\n"));
    const text = r.out.join("\n");
    assert.match(text, new RegExp(`To sign in, open ${r.idp.authority}/devicelogin`));
    assert.match(text, /and enter the code BXQK-7RTM/);
    assert.match(text, /The code expires in 15 minutes/);
    assert.match(text, /Signed in as scanner@contoso\.example\./);
    const cachePath = join(r.storage, "oauth-tokens.json");
    assert.match(text, new RegExp(`Refresh token stored in ${cachePath} \\(mode 0600\\)`));
    assert.equal((await stat(cachePath)).mode & 0o777, 0o600);
    const cached = await readFile(cachePath, "utf8");
    assert.equal(r.idp.issued.length, 2);
    for (const t of r.idp.issued) {
      assert.ok(cached.includes(t), "the cache holds the tokens");
      assert.ok(!text.includes(t) && !r.err.join("\n").includes(t), "the output does not");
    }
  });

  it("a declined sign-in exits 3 with the panel sentence", async () => {
    const r = await login({ polls: ["authorization_pending", "access_denied"] });
    assert.equal(r.code, 3);
    assert.match(r.err[0]!, /^mfp-mail login: OAUTH_ACCESS_DENIED: device sign-in failed: access_denied \(HTTP 400\)/);
    assert.equal(r.err[1], "panel: Sign-in was declined; try again on the device.");
  });

  it("bad options exit 2 before any request", async () => {
    for (const [over, pattern] of [
      [{ preset: "m365-direct-send" }, /OPTION_INVALID: --preset: m365-direct-send sends without AUTH/],
      [{ preset: "nope" }, /PRESET_UNKNOWN/],
      [{ user: "not-an-address" }, /ADDRESS_INVALID: --user/],
      [{ authority: "http://login.example.com" }, /OAUTH_INSECURE_AUTHORITY/],
    ] as const) {
      const r = await login({}, over);
      assert.equal(r.code, 2, JSON.stringify(over));
      assert.match(r.err.join("\n"), pattern);
      assert.equal(r.idp.requests.length, 0);
      await idp!.stop();
      idp = undefined;
    }
  });
});
