import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { K } from "../../host/core/abi.js";

test("release core.wasm loads and carves its buffers", async () => {
  const bytes = await readFile(new URL("../../build/core.wasm", import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error("abort"); } } });
  const x = instance.exports as Record<string, any>;
  assert.equal(x.configure(4096, 8192, 1024, 512), 0);
  assert.ok(x.info(K.InfoInPtr) > 0 && x.info(K.InfoOutPtr) > 0);
  assert.equal(x.outLen(), 0);
});
