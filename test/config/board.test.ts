// Board profiles: the shipped boards validate, bad fields are refused with their JSON path, and
// the small board's buffers really keep the core within 128 KiB of linear memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boardNames, defaultBoard, loadBoard, parseBoard, resolveBoard, retryDelay, type Board } from "../../host/config/board.js";
import { ConfigError } from "../../host/config/errors.js";
import { Core } from "../../host/core/core.js";

const sim = (): Board & Record<string, unknown> => structuredClone(defaultBoard()) as Board & Record<string, unknown>;

function refused(data: unknown): ConfigError {
  try {
    parseBoard(data);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e;
  }
  assert.fail("board was accepted");
}

test("the three shipped boards load and validate", () => {
  assert.deepEqual(boardNames(), ["sim-desktop", "arm-64mb", "arm-256mb"]);
  for (const n of boardNames()) {
    const b = resolveBoard(n);
    assert.equal(b.name, n);
    assert.ok(b.scan.chunkMax <= b.core.inCap);
    assert.equal(b.tls.minVersion, "TLSv1.2");
  }
  assert.equal(defaultBoard().name, "sim-desktop");
});

test("shipped timeouts are the RFC 5321 §4.5.3.2 values", () => {
  for (const n of boardNames()) {
    const t = resolveBoard(n).timeouts;
    assert.deepEqual([t.greeting, t.mail, t.rcpt, t.dataInit, t.dataBlock, t.dataTerm], [300000, 300000, 300000, 120000, 180000, 600000]);
  }
});

test("a wrong type is refused with the field's JSON path and reason code", () => {
  const b = sim();
  (b.core as Record<string, unknown>).inCap = "16k";
  const e = refused(b);
  assert.equal(e.code, "BOARD_INVALID");
  assert.equal(e.field, "$.core.inCap");
  assert.match(e.message, /type: must be a whole number, got "16k"/);
});

test("missing, unknown, out-of-range and enum fields each name their path", () => {
  const missing = sim();
  delete (missing.timeouts as Partial<Board["timeouts"]>).dataTerm;
  assert.equal(refused(missing).field, "$.timeouts.dataTerm");

  const unknown = sim();
  (unknown.smtp as Record<string, unknown>).binaryMIME = true;
  const eu = refused(unknown);
  assert.equal(eu.field, "$.smtp.binaryMIME");
  assert.match(eu.message, /not a known board field/);

  const small = sim();
  small.core.lineMax = 100;
  const es = refused(small);
  assert.equal(es.field, "$.core.lineMax");
  assert.match(es.message, /minimum: must be >= 512, got 100/);

  const engine = sim();
  (engine.tls as Record<string, unknown>).engine = "openssl";
  const ee = refused(engine);
  assert.equal(ee.field, "$.tls.engine");
  assert.match(ee.message, /"node-tls", "mbedtls-wasm"/);

  const tls11 = sim();
  (tls11.tls as Record<string, unknown>).minVersion = "TLSv1.1";
  assert.equal(refused(tls11).field, "$.tls.minVersion");

  const preset = sim();
  (preset as Record<string, unknown>).defaultPreset = "office365";
  assert.equal(refused(preset).field, "$.defaultPreset");
});

test("cross-field rules: chunk larger than the core's input buffer, bad address-book entry", () => {
  const chunk = sim();
  chunk.scan.chunkMax = chunk.core.inCap + 1;
  const ec = refused(chunk);
  assert.equal(ec.field, "$.scan.chunkMax");
  assert.match(ec.message, /must fit the core's input buffer/);

  const tls13 = sim();
  tls13.tls = { engine: "mbedtls-wasm", minVersion: "TLSv1.3" };
  const et = refused(tls13);
  assert.equal(et.field, "$.tls.minVersion");
  assert.match(et.message, /TLS 1\.2 only/);

  const book = sim();
  book.addressBook[1]!.address = "accounting at contoso.com";
  const eb = refused(book);
  assert.equal(eb.field, "$.addressBook[1].address");
  assert.match(eb.message, /not an e-mail address: .*has no @/);
});

test("loadBoard: unreadable file, not JSON, and a valid file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "mfp-board-"));
  try {
    assert.throws(() => loadBoard(join(dir, "missing.json")), (e: unknown) => e instanceof ConfigError && e.code === "BOARD_UNREADABLE");
    await writeFile(join(dir, "bad.json"), "{ name: 'x' }");
    assert.throws(() => loadBoard(join(dir, "bad.json")), (e: unknown) => e instanceof ConfigError && e.code === "BOARD_NOT_JSON");
    const b = sim();
    b.name = "lab-board";
    await writeFile(join(dir, "lab.json"), JSON.stringify(b));
    assert.equal(resolveBoard(join(dir, "lab.json")).name, "lab-board");
    assert.throws(() => resolveBoard("no-such-board"), (e: unknown) => e instanceof ConfigError && e.code === "BOARD_UNKNOWN" && /arm-64mb/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("retry delays grow by the multiplier and stop at maxDelay", () => {
  const b = resolveBoard("arm-64mb");
  assert.equal(retryDelay(b, 1), 60000);
  assert.equal(retryDelay(b, 2), 120000);
  assert.equal(retryDelay(b, 20), b.retry.maxDelay);
});

test("each board's buffers keep the real core within its memoryMax (arm-64mb ≤ 128 KiB)", async () => {
  // Everything the core carves: buffers at configure(), the MIME stage, then the session's slots,
  // recipient arena and event queue on the first session call, and the pending-reply queue at EHLO.
  for (const n of boardNames()) {
    const b = resolveBoard(n);
    const core = await Core.create(b.core);
    assert.equal(core.setInt(core.k.FieldMimeStage!, 4096), 0, `${n}: setInt(FieldMimeStage)`);
    core.setString(core.k.FieldClientName!, "mfp.contoso.com");
    core.start();
    core.feed(new TextEncoder().encode("220 mx.contoso.com ESMTP\r\n"));
    assert.match(new TextDecoder().decode(core.takeOut()), /^EHLO mfp\.contoso\.com\r\n$/);
    core.feed(new TextEncoder().encode("250-mx.contoso.com\r\n250-PIPELINING\r\n250 SIZE 36700160\r\n"));
    const mem = core.memoryBytes();
    assert.ok(mem <= b.core.memoryMax, `${n}: core memory ${mem} > memoryMax ${b.core.memoryMax}`);
    if (n === "arm-64mb") assert.ok(mem <= 128 * 1024, `arm-64mb core uses ${mem} bytes`);
  }
});
