// `mfp-mail sim --panel` as a child process: it prints the panel's loopback address, serves the
// page and the API, runs a scan over the API (progress and the final message as Server-Sent
// Events), and stops cleanly (exit 0) on SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("../../host/cli.ts", import.meta.url));

/** Read SSE frames from the panel until `until` says stop (bounded by timeoutMs). */
async function readEvents(url: string, until: (event: string, data: any) => boolean, start: () => Promise<void>, timeoutMs = 60_000) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const seen: { event: string; data: any }[] = [];
  try {
    const res = await fetch(`${url}api/events`, { signal: ac.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    let started = false;
    for (;;) {
      if (!started) { started = true; await start(); }
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (!event || data === undefined) continue;
        const parsed = JSON.parse(data);
        seen.push({ event, data: parsed });
        if (until(event, parsed)) { ac.abort(); return seen; }
      }
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  return seen;
}

test("sim --panel: prints the URL, serves the panel, sends over the API, exits 0 on SIGTERM", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "sim", "--panel", "--rate", "4000000"], {
    cwd: ROOT, env: { ...process.env, MFP_DEBUG: "" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const kill = setTimeout(() => child.kill("SIGKILL"), 90_000);
  try {
    const until = Date.now() + 30_000;
    let url = "";
    while (!(url = /panel {5}open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1] ?? "")) {
      assert.ok(Date.now() < until, `no panel URL printed: ${stdout}${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(stdout, /server {4}smtp-server on 127\.0\.0\.1:\d+/);
    const html = await (await fetch(url)).text();
    assert.match(html, /<button type="submit" id="scan-button" class="start" data-t="scan.start">Scan to Email<\/button>/);
    const state = await (await fetch(`${url}api/state`)).json() as { defaults: { filename: string } };
    assert.match(state.defaults.filename, /^Scan_\d{4}-\d\d-\d\d_\d{4}\.pdf$/);
    // Bad input is refused with a plain message (HTTP 400).
    const json = { "content-type": "application/json" };
    const bad = await fetch(`${url}api/scan`, { method: "POST", headers: json, body: JSON.stringify({ to: ["a@b.example"], pages: 0, resolution: 300, colour: "mono" }) });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: "Pages must be 1 to 500" });
    // What another web page could send without a preflight (text/plain form post) is refused.
    const form = await fetch(`${url}api/scan`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ to: ["a@b.example"], pages: 1, resolution: 150, colour: "mono" }) });
    assert.equal(form.status, 415);
    // A request whose Host is not loopback (DNS rebinding) is refused.
    const { request } = await import("node:http");
    const rebound = await new Promise<number>((resolve, reject) => {
      const r = request(`${url}api/state`, { headers: { host: "evil.example:80" } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      r.on("error", reject);
      r.end();
    });
    assert.equal(rebound, 403);

    let jobId = "";
    const events = await readEvents(url, (e, d) => e === "done" && d.jobId === jobId, async () => {
      const r = await fetch(`${url}api/scan`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ to: ["frontdesk@contoso.com"], subject: "", filename: "", pages: 3, resolution: 150, colour: "mono" }),
      });
      assert.equal(r.status, 202);
      jobId = ((await r.json()) as { jobId: string }).jobId;
    });
    const phases = events.filter((e) => e.event === "progress").map((e) => e.data.phase as string);
    for (const p of ["Connecting", "Securing", "Signing in", "Sending page 3 of 3"]) assert.ok(phases.includes(p), `${p} in ${phases.join(" | ")}`);
    const done = events.at(-1)!.data;
    assert.deepEqual(done, { jobId, status: "sent", outcome: "Sent", userMessage: "Sent.", texts: { outcome: { en: "Sent", de: "Gesendet" }, message: { en: "Sent.", de: "Gesendet." } } });
    // The simulator's console says what arrived and what the panel showed.
    const lineUntil = Date.now() + 10_000;
    while (!/panel {5}Scan_.*\.pdf \(3 pages, \d+ bytes\): sent — Sent/.test(stdout)) {
      assert.ok(Date.now() < lineUntil, stdout);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(stdout, /arrived {3}\d+ bytes via DATA 8BITMIME over TLS for frontdesk@contoso\.com/);

    child.kill("SIGTERM");
    assert.equal(await exited, 0, stdout + stderr);
    assert.match(stdout, /stopping {2}panel, SMTP server and sign-in service/);
    assert.doesNotMatch(stderr.split("\n").filter((l) => !l.startsWith("npm warn")).join("\n"), /\S/);
  } finally {
    clearTimeout(kill);
    child.kill("SIGKILL");
  }
});

test("sim (npm start) ends with the hint that starts the panel", async () => {
  const r = spawn(process.execPath, ["--import", "tsx", CLI, "sim", "--pages", "1"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  r.stdout.on("data", (d) => (out += d));
  const kill = setTimeout(() => r.kill("SIGKILL"), 60_000);
  const code = await new Promise<number | null>((resolve) => r.on("close", resolve));
  clearTimeout(kill);
  assert.equal(code, 0, out);
  assert.match(out, /npm start -- --panel \(mfp-mail sim --panel\) prints its http:\/\/127\.0\.0\.1 address/);
});
