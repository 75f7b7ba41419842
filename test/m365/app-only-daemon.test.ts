// App-only jobs retry in the daemon: `mfp-mail send --tenant --client-id --client-secret-env`
// meets graylisting (451 4.7.500), the scan stays queued with the client-credential settings —
// tenant, client id, authority and the NAME of the secret's variable, never the secret — and a
// separate `mfp-mail daemon` process gets a fresh token from the identity endpoint and delivers
// when the retry is due (the board's first retry after 1 s, so the test need not wait a minute).
// Real CLI processes, the loopback identity endpoint, the Exchange-Online-like fixture.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { IdentityServer } from "../oauth/identity-server.js";
import { filesUnder } from "../oauth/cli-lab.js";
import { cli } from "../cli/run.js";
import { cliSend, openLab, type Lab } from "./lab.js";

const USER = "scanner@contoso.com";
const SECRET = "app-secret-H5~qW8.daemon-only-in-env";

describe("app-only XOAUTH2 jobs are retried by the daemon with a fresh token", () => {
  let lab: Lab;
  let idp: IdentityServer;
  before(async () => {
    lab = await openLab();
    idp = new IdentityServer({ clientSecret: SECRET });
    idp.account = USER;
    await idp.start();
  });
  after(async () => {
    await lab?.close();
    await idp?.stop();
  });

  it("queued by send, delivered by the daemon; the job holds the settings, not the secret", async () => {
    const s = await lab.fixture({ mode: "submission", graylist: true, mailboxes: { [USER]: { tokenCheck: (t) => idp.isValidAccessToken(t, USER) } } });
    const board = await lab.board("node-tls", 1000);
    const outbox = lab.outbox();
    const env = { MFP_TEST_APP_SECRET: SECRET };
    const first = await cliSend(s, board, outbox, [
      "--preset", "m365-submission", "--from", USER, "--to", "ap@contoso.com",
      "--tenant", idp.tenant, "--client-id", idp.clientId, "--client-secret-env", "MFP_TEST_APP_SECRET", "--authority", idp.authority,
    ], env);
    assert.deepEqual([first.run.code, first.json.id], [4, "M365_GRAYLISTED"], first.run.stderr);
    assert.equal(first.jobs.length, 1);
    const conn = first.jobs[0]!.connection as Record<string, unknown>;
    assert.deepEqual(conn.appOnly, { tenant: idp.tenant, clientId: idp.clientId, secretEnv: "MFP_TEST_APP_SECRET", authority: idp.authority });
    for (const f of await filesUnder(outbox)) assert.ok(!(await readFile(f, "latin1")).includes(SECRET), `no secret in ${f}`);

    const grantsBefore = idp.requests.filter((q) => q.grantType === "client_credentials").length;
    const d = await cli(["daemon", "--outbox", outbox, "--board", board, "--drain", "--poll", "200"], { ...env, MFP_MAIL_TOKEN: "" }, 30_000);
    assert.equal(d.code, 0, `${d.stdout}\n${d.stderr}`);
    assert.match(d.stdout, /^sent /m);
    assert.equal(idp.requests.filter((q) => q.grantType === "client_credentials").length, grantsBefore + 1, "the daemon fetched its own token");
    assert.equal(s.received.length, 1);
    assert.equal(s.received[0]!.user, USER);
    assert.ok(!d.stdout.includes(SECRET) && !d.stderr.includes(SECRET));
  });

  it("the daemon without the secret's variable says which variable is missing and sends nothing", async () => {
    const s = await lab.fixture({ mode: "submission", graylist: true, mailboxes: { [USER]: { tokenCheck: (t) => idp.isValidAccessToken(t, USER) } } });
    const board = await lab.board("node-tls", 1000);
    const outbox = lab.outbox();
    await cliSend(s, board, outbox, [
      "--preset", "m365-submission", "--from", USER, "--to", "ap@contoso.com",
      "--tenant", idp.tenant, "--client-id", idp.clientId, "--client-secret-env", "MFP_TEST_APP_SECRET", "--authority", idp.authority,
    ], { MFP_TEST_APP_SECRET: SECRET });
    const d = await cli(["daemon", "--outbox", outbox, "--board", board, "--drain", "--poll", "200"], { MFP_TEST_APP_SECRET: "" }, 10_000);
    assert.match(d.stdout, /MFP_TEST_APP_SECRET is (empty|not set)/);
    assert.equal(s.received.length, 0);
  });
});
