// `mfp-mail doctor` for Microsoft 365 at the end of 2026: the dated basic-auth readiness text and
// its two ways forward, High Volume Email, Reject Direct Send, an XOAUTH2 token near expiry
// (501 5.5.127), app-only sign-in, and what the device's outbox knows about the account (a
// backoff Microsoft imposed, the last refusal) — against the Exchange-Online-like fixture.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { doctorAction } from "../../host/commands/doctor.js";
import { runDoctor } from "../../host/doctor/doctor.js";
import { defaultBoard } from "../../host/config/board.js";
import { IdentityServer } from "../oauth/identity-server.js";
import { cliSend, openLab, type Lab } from "./lab.js";

let lab: Lab;
before(async () => { lab = await openLab(); });
after(async () => { await lab?.close(); });

async function doctor(o: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ code: number; text: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const lines: string[] = [];
  try {
    const code = await doctorAction({ timeout: "5000", outbox: join(lab.dir, "no-outbox"), ...o } as never, (s) => lines.push(s));
    return { code, text: lines.join("\n") };
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}
const jwt = (expSeconds: number) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ exp: expSeconds, aud: "https://outlook.office.com" })).toString("base64url")}.sig`;

describe("doctor: basic-auth switch-off readiness", () => {
  const input = { preset: "m365-submission", board: defaultBoard(), from: "scanner@contoso.com", user: "scanner@contoso.com", password: "pw", noProbe: true };
  it("before the date: Microsoft switches it off at the end of December 2026; both ways forward", async () => {
    const r = await runDoctor({ ...input, now: new Date("2026-12-05T10:00:00Z") });
    const c = r.checks.find((x) => x.id === "M365_BASIC_AUTH")!;
    assert.equal(c.status, "warn");
    assert.match(c.title, /switches basic authentication for SMTP AUTH off by default at the end of December 2026 \(removed in the second half of 2027\)/);
    assert.match(c.fix!, /mfp-mail login --preset m365-submission --tenant <tenant> --client-id <app id>/);
    assert.match(c.fix!, /--auth xoauth2 --tenant <tenant> --client-id <app id> --client-secret-env <VAR>/);
    assert.match(c.fix!, /550 5\.7\.30/);
  });
  it("after the date: it has been off by default since the end of December 2026", async () => {
    const r = await runDoctor({ ...input, now: new Date("2027-02-01T10:00:00Z") });
    assert.match(r.checks.find((x) => x.id === "M365_BASIC_AUTH")!.title, /since the end of December 2026 Microsoft 365 has basic authentication for SMTP AUTH off by default/);
  });
  it("no warning when the device signs in with XOAUTH2", async () => {
    const r = await runDoctor({ ...input, password: undefined, token: "tok", now: new Date("2026-12-05T10:00:00Z") });
    assert.equal(r.checks.find((x) => x.id === "M365_BASIC_AUTH"), undefined);
  });
  it("against the fixture with basic auth off: the live AUTH shows 5.7.30 with the panel sentence", async () => {
    const s = await lab.fixture({ mode: "submission", mailboxes: { "legacy@contoso.com": { password: "pw", basicAuthOff: true } } });
    const r = await doctor({ preset: "m365-submission", host: "localhost", port: String(s.port), ca: s.caFile, from: "legacy@contoso.com", user: "legacy@contoso.com", auth: "login", passwordEnv: "PW" }, { PW: "pw" });
    assert.equal(r.code, 3);
    assert.match(r.text, /⚠ Password sign-in \(LOGIN\/PLAIN\)/);
    assert.match(r.text, /✗ Sign-in with LOGIN failed: 550 5\.7\.30 Basic authentication is not supported for Client Submission\. \(the panel says "Password sign-in is switched off for this mailbox; sign in with Microsoft on the panel\."\)/);
    // --json: the failing check says where the session failed — the state, not "Failed".
    const j = await doctor({ preset: "m365-submission", host: "localhost", port: String(s.port), ca: s.caFile, from: "legacy@contoso.com", user: "legacy@contoso.com", auth: "login", passwordEnv: "PW", json: true }, { PW: "pw" });
    const failed = (JSON.parse(j.text) as { checks: { id: string; status: string; stage?: string; command?: string }[] }).checks.filter((c) => c.status === "error");
    assert.deepEqual(failed.map((c) => [c.id, c.stage, c.command]), [["M365_BASIC_AUTH_OFF", "Auth", "AUTH"]]);
  });
});

describe("doctor: High Volume Email, Direct Send, tokens", () => {
  it("m365-hve: defaults, LOGIN accepted until September 2028, external recipients warned, live probe with CHUNKING/BINARYMIME", async () => {
    const s = await lab.fixture({ mode: "hve", mailboxes: { "scanner@contoso.com": { password: "pw" } } });
    const r = await doctor({ preset: "m365-hve", host: "localhost", port: String(s.port), ca: s.caFile, from: "scanner@contoso.com", user: "scanner@contoso.com", to: ["ap@contoso.com", "x@fabrikam.com"], passwordEnv: "PW" }, { PW: "pw" });
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /✓ Preset m365-hve: localhost:\d+, TLS required \(≥ 1\.2\), AUTH LOGIN\/XOAUTH2/);
    assert.match(r.text, /• High Volume Email accepts password sign-in \(LOGIN\) until September 2028/);
    assert.match(r.text, /⚠ High Volume Email cannot reach x@fabrikam\.com \(outside contoso\.com\)/);
    assert.match(r.text, /CHUNKING yes, BINARYMIME yes/);
    assert.match(r.text, /✓ Signed in with LOGIN/);
    const defaults = await doctor({ preset: "m365-hve", from: "scanner@contoso.com", user: "scanner@contoso.com", probe: false });
    assert.match(defaults.text, /✓ Preset m365-hve: smtp-hve\.office365\.com:587, TLS required/);
  });
  it("m365-direct-send names Reject Direct Send (5.7.68) and its fix", async () => {
    const r = await doctor({ preset: "m365-direct-send", server: "contoso-com.mail.protection.outlook.com", from: "scanner@contoso.com", to: ["ap@contoso.com"], probe: false });
    assert.match(r.text, /• Direct Send works only while the tenant accepts it \(Get-OrganizationConfig \| fl RejectDirectSend\)\n {4}→ With RejectDirectSend \$true every scan gets 550 5\.7\.68: use m365-relay/);
  });
  it("an XOAUTH2 token near expiry is warned about (501 5.5.127); a fresh one is fine", async () => {
    const dir = lab.dir;
    const soon = join(dir, "token-soon");
    const fresh = join(dir, "token-fresh");
    await writeFile(soon, jwt(Math.floor(Date.now() / 1000) + 300));
    await writeFile(fresh, jwt(Math.floor(Date.now() / 1000) + 3600));
    const a = await doctor({ preset: "m365-submission", from: "s@contoso.com", user: "s@contoso.com", tokenFile: soon, probe: false });
    assert.match(a.text, /⚠ The XOAUTH2 token expires in [45] min\n {4}→ Exchange Online refuses tokens that are about to expire \(501 5\.5\.127\)/);
    const b = await doctor({ preset: "m365-submission", from: "s@contoso.com", user: "s@contoso.com", tokenFile: fresh, probe: false });
    assert.match(b.text, /✓ XOAUTH2 token valid for (59|60) more min/);
  });
  it("app-only flags: doctor signs in with a client-credentials token", async () => {
    const idp = new IdentityServer({ clientSecret: "doctor-secret" });
    idp.account = "scanner@contoso.com";
    await idp.start();
    try {
      const s = await lab.fixture({ mode: "submission", mailboxes: { "scanner@contoso.com": { tokenCheck: (t) => idp.isValidAccessToken(t, "scanner@contoso.com") } } });
      const base = { preset: "m365-submission", host: "localhost", port: String(s.port), ca: s.caFile, from: "scanner@contoso.com", user: "scanner@contoso.com", tenant: idp.tenant, clientId: idp.clientId, clientSecretEnv: "APP_SECRET", authority: idp.authority };
      const r = await doctor(base, { APP_SECRET: "doctor-secret" });
      assert.equal(r.code, 0, r.text);
      assert.match(r.text, /✓ Signed in with XOAUTH2/);
      assert.doesNotMatch(r.text, /doctor-secret|Password sign-in/);
      const bad = await doctor(base, { APP_SECRET: "wrong" });
      assert.equal(bad.code, 2);
      assert.match(bad.text, /✗ App-only sign-in: .*invalid_client/);
    } finally {
      await idp.stop();
    }
  });
});

describe("doctor: what the device's outbox knows", () => {
  it("after 550 5.2.252 the account backoff and the last refusal are shown before the next scan", async () => {
    const s = await lab.fixture({ mode: "submission", mailboxes: { "scanner@contoso.com": { token: "tok" } }, answers: [{ at: "MAIL", reply: "550 5.2.252 Sender throttled due to continuous send as denied errors." }] });
    const outbox = lab.outbox();
    const sent = await cliSend(s, await lab.board("node-tls"), outbox, ["--preset", "m365-submission", "--from", "scanner@contoso.com", "--to", "ap@contoso.com"], { MFP_MAIL_TOKEN: "tok" });
    assert.equal(sent.json.id, "M365_THROTTLED");
    const r = await doctor({ preset: "m365-submission", from: "scanner@contoso.com", user: "scanner@contoso.com", outbox, probe: false });
    assert.match(r.text, /⚠ No scan from scanner@contoso\.com goes out before \d{4}-\d\d-\d\dT[\d:.]+Z: Microsoft 365 told the account to wait\n {4}→ After: .*5\.2\.252/);
    assert.match(r.text, /⚠ Last attempt for scanner@contoso\.com \(.*\): 550 5\.2\.252 \(M365_THROTTLED\)\n {4}→ Exchange Online throttles SMTP AUTH/);
    assert.equal(r.code, 0, "informational: the configuration itself is fine");
  });
});
