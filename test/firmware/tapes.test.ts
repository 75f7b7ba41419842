// Session tapes (host/tape/): a real session recorded through the session code replays byte for
// byte in every engine; a changed output or input byte is found at its call; passwords and
// tokens never reach a tape; partly taken data is not stored twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { sendMessage } from "../../host/session/driver.js";
import { coreWasmPath, instantiateCore, loadCoreModule, Core } from "../../host/core/core.js";
import { MimeWriter } from "../../host/core/mime.js";
import { Cursor, records, Tag } from "../../host/tape/format.js";
import { FileTape, flushPendingTapes } from "../../host/tape/recorder.js";
import { replayFile } from "../../host/tape/replay.js";
import { UNTAPED, type RawCore } from "../../host/tape/core-calls.js";
import { server, options, recorder, USER, PASSWORD } from "../session/lab.js";
import { build, missingFor, replayCommand } from "./toolchain.js";

/** Run `f` with MFP_TAPE_DIR pointing at a fresh directory; returns the tape files it wrote. */
async function taped(f: () => Promise<unknown>): Promise<Buffer[]> {
  const dir = mkdtempSync(join(tmpdir(), "mfp-tape-test-"));
  const before = process.env.MFP_TAPE_DIR;
  process.env.MFP_TAPE_DIR = dir;
  try {
    await f();
  } finally {
    if (before === undefined) delete process.env.MFP_TAPE_DIR;
    else process.env.MFP_TAPE_DIR = before;
  }
  flushPendingTapes(); // a session's last records are otherwise written at exit

  const files = readdirSync(dir).sort().map((n) => readFileSync(join(dir, n)));
  rmSync(dir, { recursive: true, force: true });
  return files;
}

async function replayBoth(tape: Buffer): Promise<string[]> {
  const out: string[] = [];
  for (const simd of [true, false]) {
    const module = await loadCoreModule(coreWasmPath(simd));
    for (const r of replayFile(tape, () => instantiateCore(module) as unknown as RawCore)) {
      if (r.divergence) out.push(`${simd ? "simd" : "nosimd"} call ${r.divergence.call} ${r.divergence.op}: ${r.divergence.expected} / ${r.divergence.got}`);
      assert.ok(r.calls > 10, `only ${r.calls} calls replayed`);
    }
  }
  return out;
}

/** A copy of the tape with one byte changed inside the n-th record with this tag and op. */
function tamper(tape: Buffer, tag: number, pick: (payload: Buffer) => number | null): Buffer {
  const t = Buffer.from(tape);
  for (const r of records(t)) {
    if (r.tag !== tag) continue;
    const at = pick(t.subarray(r.start, r.end));
    if (at === null) continue;
    t[r.start + at] ^= 0x01;
    return t;
  }
  throw new Error("nothing to tamper with");
}

function nativeReplay(engine: "x86_64" | "armv7", tape: Buffer): { status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), "mfp-tape-native-"));
  try {
    writeFileSync(join(dir, "t.tape"), tape);
    const [cmd, args] = replayCommand(engine, [join(dir, "t.tape")]);
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return { status: r.status, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a STARTTLS + AUTH PLAIN session on tape: no password, replays in both V8 builds; a changed byte is found at its call", async () => {
  const srv = await server();
  let tape: Buffer;
  try {
    [tape] = (await taped(() => sendMessage(options(srv, recorder())))) as [Buffer];
    assert.equal((await srv.waitForMessages(1)).length, 1);
  } finally {
    await srv.close();
  }
  assert.ok(tape, "one tape written");
  const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString("base64");
  assert.equal(tape.indexOf(PASSWORD), -1, "the password is on the tape");
  assert.equal(tape.indexOf(plain), -1, "the AUTH PLAIN response is on the tape");
  assert.ok(tape.indexOf("test-password-") >= 0, "the test value stands in for it");
  assert.deepEqual(await replayBoth(tape), []);

  // an output byte: the wire bytes of the first take
  const out = tamper(tape, Tag.Out, (p) => (p.length > 8 ? 6 : null));
  const outDiv = (await replayBoth(out))[0] ?? "";
  assert.match(outDiv, /^simd call \d+ outConsume/);
  // an input byte: a reply code digit in the server's first bytes (220 → 230)
  const feed = tamper(tape, Tag.Data, (p) => {
    const c = new Cursor(p, 0);
    if (c.str() !== "feed") return null;
    c.str();
    c.pos += 1 + 8 * p[c.pos]! + 4 + 4; // argc, args, reuse, tail length
    return p[c.pos + 1] === 0x32 ? c.pos + 1 : null;
  });
  assert.match((await replayBoth(feed))[0] ?? "", /^simd call \d+ /);

  for (const engine of ["x86_64", "armv7"] as const) {
    if (missingFor(engine) || build(engine)) continue;
    assert.equal(nativeReplay(engine, tape).status, 0, `${engine} replays the tape`);
    const bad = nativeReplay(engine, out);
    assert.equal(bad.status, 1, `${engine} finds the changed byte`);
    assert.match(bad.stdout, /^DIVERGE \S+#0 call \d+ outConsume: expected O \d+ bytes got O \d+ bytes$/m);
  }
});

test("XOAUTH2 on tape: the token and its initial response are replaced, the replay still matches", async () => {
  const srv = await server();
  const token = "good-token";
  try {
    const tokenProvider = { getAccessToken: async () => token, invalidate: () => {} };
    const [tape] = await taped(() => sendMessage(options(srv, recorder(), { auth: { mechanism: "xoauth2", user: USER, tokenProvider } })));
    assert.equal(srv.messages.length, 1);
    const ir = Buffer.from(`user=${USER}\x01auth=Bearer ${token}\x01\x01`).toString("base64");
    assert.equal(tape!.indexOf(token), -1);
    assert.equal(tape!.indexOf(ir), -1);
    assert.deepEqual(await replayBoth(tape!), []);
  } finally {
    await srv.close();
  }
});

test("data a call takes in parts is taped once: a 1 MiB attachment through a 4 KiB staging area", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mfp-tape-size-"));
  try {
    const target = new FileTape(join(dir, "t.tape"));
    const core = await Core.create({ inCap: 65536, outCap: 8192, lineMax: 1024, eventTextCap: 256 }, { tape: { target, origin: "size test" } });
    const mime = new MimeWriter(core);
    mime.configure(4096);
    const data = randomBytes(1 << 20);
    let wire = 0;
    await mime.write({
      from: { address: "a@example.com" }, to: [{ address: "b@example.com" }], subject: "s", date: "Mon, 23 Nov 2026 12:00:00 +0000",
      messageId: "<t@example.com>", text: "t", attachments: [{ filename: "a.bin", type: "application/octet-stream", size: data.length, source: () => [data] }],
    }, {}, (b) => { wire += b.length; });
    target.flush();
    const tape = readFileSync(join(dir, "t.tape"));
    // the attachment is offered 64 KiB at a time and taken ~3 KiB per call: without reuse the
    // tape would hold it ~10 times over
    assert.ok(tape.length < (data.length + wire) * 1.1, `tape ${tape.length} B for ${data.length} B in, ${wire} B out`);
    assert.deepEqual(await replayBoth(tape), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every function the core exports is bound for tapes in C and in TypeScript (a call the replayer cannot make is a divergence)", async () => {
  const module = await loadCoreModule(coreWasmPath(false));
  const exported = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
  const bind = readFileSync(new URL("../../native/firmware/core-bind.c", import.meta.url), "utf8");
  // the C replayer's ops table names each call it can make; UNTAPED calls are read inside the
  // event and output records instead
  const bound = new Set([...bind.matchAll(/\b(?:CALL|KEYED|WHOLE)\((\w+)|\{"(\w+)", op_/g)].map((m) => m[1] ?? m[2]));
  const unbound = exported.filter((n) => !bound.has(n) && !UNTAPED.has(n));
  assert.deepEqual(unbound, [], `exports native/firmware/core-bind.c cannot replay: ${unbound.join(", ")}`);
  assert.ok(exported.length > 10);
});
