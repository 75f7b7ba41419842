// `mfp-mail sim` (npm start) as a child process: offline, one command, exit 0 only when what
// arrived (parsed with mailparser) matches the scanned bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cli, lastJson, STACK } from "./run.js";

test("sim: default run (smtp-server, STARTTLS, AUTH PLAIN) prints what arrived and exits 0", async () => {
  const r = await cli(["sim", "--pages", "3"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stderr, STACK);
  assert.match(r.stdout, /server {4}smtp-server on 127\.0\.0\.1:\d+/);
  assert.match(r.stdout, /Sending page 3 of 3/);
  assert.match(r.stdout, /subject Scan from the simulator \(3 pages\)/);
  assert.match(r.stdout, /file {4}Scan_\d{4}-\d\d-\d\d_\d{4}\.pdf \(application\/pdf, \d+ bytes/);
  assert.match(r.stdout, /OK: the attachment that arrived is byte-identical to the scan/);
});

test("sim --mta chunking --auth xoauth2 --json: BDAT + BINARYMIME, matched", async () => {
  const r = await cli(["sim", "--pages", "4", "--mta", "chunking", "--auth", "xoauth2", "--json"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const j = lastJson(r);
  assert.equal(j.matched, true);
  assert.equal(j.status, "sent");
  assert.equal(j.bodyMode, "binarymime");
  assert.equal((j.arrived as { via: string }[])[0]!.via, "BDAT BINARYMIME");
});

test("sim --server-size: the scan is split into several messages that rejoin byte-identical", async () => {
  const r = await cli(["sim", "--pages", "6", "--size", "1200000", "--server-size", "400000", "--json"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const j = lastJson(r);
  assert.equal(j.matched, true);
  assert.ok((j.parts as { total: number }).total >= 3);
  assert.equal((j.arrived as unknown[]).length, (j.parts as { total: number }).total);
});

test("sim with a bad option: exit 2, one line", async () => {
  const r = await cli(["sim", "--pages", "zero"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--pages/);
  assert.doesNotMatch(r.stderr, STACK);
});

test("sim --format tiff: a multi-page TIFF arrives byte-identical", async () => {
  const r = await cli(["sim", "--pages", "3", "--format", "tiff", "--json"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const j = lastJson(r);
  assert.equal(j.matched, true);
  const att = (j.arrived as { attachments: { filename: string; contentType: string }[] }[])[0]!.attachments[0]!;
  assert.match(att.filename, /\.tif$/);
  assert.equal(att.contentType, "image/tiff");
});
