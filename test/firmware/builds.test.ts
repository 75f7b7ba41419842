// The two core builds: a board names its build (core.simd), the host loads it, and both builds
// put the same bytes on the wire — BDAT chunk boundaries included, which depend on how the MIME
// writer's staging fills, not only on what it encodes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Core, coreWasmPath } from "../../host/core/core.js";
import { parseBoard, resolveBoard } from "../../host/config/board.js";
import { ConfigError } from "../../host/config/errors.js";
import { sendMessage } from "../../host/session/driver.js";
import { simulatedScan } from "../../host/scan/index.js";
import { startChunkingMta } from "../../host/sim/chunking-mta.js";
import { loopbackServerCredentials } from "../../host/sim/selfsigned.js";
import { options, recorder, parse, attachmentSha, sha256, board, USER, PASSWORD } from "../session/lab.js";

test("the board selects the core build: arm boards the no-SIMD file, the desktop and unnamed boards the SIMD one", async () => {
  for (const [name, file] of [["arm-64mb", "core.nosimd.wasm"], ["arm-256mb", "core.nosimd.wasm"], ["sim-desktop", "core.wasm"]] as const) {
    const core = await Core.create(resolveBoard(name).core);
    assert.ok(core.wasmFile.endsWith(`/build/${file}`), `${name}: ${core.wasmFile}`);
  }
  const { simd: _omitted, ...noField } = resolveBoard("sim-desktop").core;
  assert.ok((await Core.create(noField)).wasmFile.endsWith("/build/core.wasm"));
  // the firmware build really has no SIMD instruction, the other one does
  assert.doesNotMatch(readFileSync(coreWasmPath(false).replace(/\.wasm$/, ".wat"), "utf8"), /v128|i8x16|i32x4/);
  assert.match(readFileSync(coreWasmPath(true).replace(/\.wasm$/, ".wat"), "utf8"), /v128/);
});

test("a board's core.simd must be true or false", () => {
  const raw = JSON.parse(readFileSync(new URL("../../boards/arm-64mb.json", import.meta.url), "utf8"));
  raw.core.simd = "no";
  assert.throws(() => parseBoard(raw), (e: unknown) => e instanceof ConfigError && /\$\.core\.simd/.test(`${e.message} ${JSON.stringify(e)}`));
});

test("SIMD and no-SIMD builds send the same BDAT chunks for base64 in CHUNKING (several staging sizes)", { timeout: 120_000 }, async () => {
  const creds = loopbackServerCredentials(["localhost", "127.0.0.1"]);
  const mta = await startChunkingMta({ key: creds.server.key, cert: creds.server.cert, authenticate: (_m, u, s) => u === USER && s === PASSWORD });
  try {
    const scan = simulatedScan({ pages: 3, bytes: 700_000, seed: 33 });
    for (const outCap of [16384, 65536, 262144]) {
      const runs: string[][] = [];
      for (const simd of [true, false]) {
        const b = board();
        const rec = recorder();
        const r = await sendMessage(options({ port: mta.port, ca: creds.ca.cert }, rec, {
          // BINARYMIME off and CHUNKING asked for: base64 in BDAT chunks (without `chunking` a
          // server without BINARYMIME gets DATA)
          scan, chunking: true, board: { ...b, core: { ...b.core, outCap, simd }, smtp: { ...b.smtp, binaryMime: false } },
        }));
        assert.equal(r.status, "sent", r.message);
        assert.equal(r.bodyMode, "chunked");
        assert.equal(attachmentSha(await parse(mta.messages.at(-1)!.data!)), await sha256(scan));
        runs.push(rec.commands.filter((c) => c.startsWith("BDAT")));
      }
      assert.ok(runs[0]!.length > 3, `outCap ${outCap}: ${runs[0]!.length} chunks`);
      assert.deepEqual(runs[1], runs[0], `outCap ${outCap}: BDAT chunk sizes differ between the builds`);
    }
  } finally {
    await mta.close();
  }
});
