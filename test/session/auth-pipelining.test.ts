// AUTH PLAIN heading the pipelined envelope (RFC 4954 §4, core FieldPipelineAuth; fewer round
// trips): through the real CLI, STARTTLS, against the chunking MTA on loopback. A good password
// delivers in 4 client round trips (EHLO | STARTTLS | EHLO | AUTH+MAIL+RCPT+BDAT LAST+QUIT); a
// wrong one still ends as AUTH_FAILED, nothing delivered, the pipelined commands drained.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { loopbackServerCredentials } from "../../host/sim/selfsigned.js";
import { startChunkingMta } from "../../host/sim/chunking-mta.js";
import { cli } from "../cli/run.js";

const PASS = "pw-" + randomBytes(6).toString("hex");

async function withMta(fn: (port: number, dir: string, delivered: () => number) => Promise<void>): Promise<void> {
  const { ca, server } = loopbackServerCredentials();
  const dir = mkdtempSync(join(tmpdir(), "mfp-authpipe-"));
  writeFileSync(join(dir, "ca.pem"), ca.cert);
  writeFileSync(join(dir, "scan.pdf"), randomBytes(300 * 1024));
  const mta = await startChunkingMta({ key: server.key, cert: server.cert, authenticate: (_m, u, p) => u === "dev" && p === PASS });
  try {
    await fn(mta.port, dir, () => mta.messages.length);
  } finally {
    await mta.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function send(port: number, dir: string, password: string) {
  return cli([
    "send", "--server", "localhost", "--port", String(port), "--tls", "starttls", "--require-tls", "--ca", join(dir, "ca.pem"),
    "--auth", "plain", "--user", "dev", "--password-env", "AUTHPIPE_PW", "--from", "scanner@example.com",
    "--to", "desk@example.com", "--subject", "Scan", "--body", "Scanned.", "--attach", join(dir, "scan.pdf"), "--json",
  ], { AUTHPIPE_PW: password }, 60_000);
}

test("AUTH PLAIN, MAIL, RCPT, the body and QUIT go out in one group: 4 round trips, delivered", async () => {
  await withMta(async (port, dir, delivered) => {
    const r = await send(port, dir, PASS);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(j.status, "sent");
    assert.equal(j.bodyMode, "binarymime");
    assert.ok(j.roundTrips <= 4, `round trips ${j.roundTrips}`);
    // EHLO, STARTTLS and the EHLO after it each wait for their reply: a counter that never
    // moves (0) must not pass for "few round trips".
    assert.ok(j.roundTrips >= 3, `round trips ${j.roundTrips}`);
    assert.equal(delivered(), 1);
  });
});

test("a wrong password with the pipelined envelope: AUTH_FAILED (exit 3), nothing delivered, no hang", async () => {
  await withMta(async (port, dir, delivered) => {
    const r = await send(port, dir, "wrong-" + PASS);
    assert.equal(r.killed, false, "the CLI hung");
    assert.equal(r.code, 3, r.stderr);
    const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(j.status, "failed");
    assert.equal(j.id, "AUTH_FAILED");
    assert.equal(j.code, 535);
    assert.equal(delivered(), 0);
  });
});
