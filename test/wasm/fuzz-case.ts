// The fuzz generator of the compiled core (test/wasm/fuzz.test.ts runs it; the firmware lane
// records its cases as session tapes): random and mutated server byte streams, fed in random
// splits, with random board sizes and configurations. Each case checks that the core never
// traps, never stops making progress, never grows its memory, never sends AUTH in plaintext
// unless allowed, and always ends in one of its named states with the event that explains it.
// Seeded (mulberry32): a case is replayed from its seed alone.
import assert from "node:assert/strict";
import { Core, STATE_NAMES, type CoreEvent, type CoreSizes } from "../../host/core/core.js";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => { // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = (s: string) => Buffer.from(s, "latin1");
const EHLO_FULL = "250-mx.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250-SIZE 100000\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n";
const SNIPPETS = [
  "220 mx ESMTP\r\n", EHLO_FULL, "250 ok\r\n", "250 2.1.5 ok\r\n", "354 go\r\n", "221 bye\r\n", "235 2.7.0 ok\r\n",
  "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n", "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n", "421 4.3.2 closing\r\n",
  "550 5.1.1 unknown\r\n", "535 5.7.139 no\r\n", "552 5.3.4 too big\r\n", "220 2.0.0 ready to start TLS\r\n",
  "502 5.5.2 what\r\n", "451 4.7.500 busy (AS761)\r\n", "250-", "\r\n", "\n", "\r", "2", "25", "250 ", "x".repeat(700),
];

interface Ctx {
  core: Core;
  r: () => number;
  events: CoreEvent[];
  tls: boolean;
  allowPlain: boolean;
  drainOut: number; // probability of taking the output after a step
  sent: string[];   // commands since the server last answered (reactive mode)
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** Mutate a byte stream: flips, inserts, deletions, duplications, truncation. */
function mutate(r: () => number, b: Buffer): Buffer {
  const a = [...b];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n && a.length; i++) {
    const at = Math.floor(r() * a.length);
    const op = Math.floor(r() * 6);
    if (op === 0) a[at] = Math.floor(r() * 256);
    else if (op === 1) a.splice(at, 0, pick(r, [0x0d, 0x0a, 0x2d, 0x20, 0x00, 0x35, 0x32]));
    else if (op === 2) a.splice(at, 1 + Math.floor(r() * 8));
    else if (op === 3) a.splice(at, 0, ...a.slice(at, at + 1 + Math.floor(r() * 40)));
    else if (op === 4) a.length = at;
    else a.splice(at, 0, ...enc(pick(r, SNIPPETS)));
  }
  return Buffer.from(a);
}

/** A well-formed reply to each command the core just sent (from its CommandSent events). */
function replyTo(r: () => number, cmd: string): string {
  if (cmd.startsWith("EHLO")) return EHLO_FULL;
  if (cmd.startsWith("HELO")) return "250 mx\r\n";
  if (cmd === "STARTTLS") return "220 2.0.0 ready to start TLS\r\n";
  if (cmd === "AUTH LOGIN") return "334 VXNlcm5hbWU6\r\n";
  if (cmd.startsWith("**** (username)")) return "334 UGFzc3dvcmQ6\r\n";
  if (cmd.startsWith("AUTH") || cmd.startsWith("****")) return pick(r, ["235 2.7.0 ok\r\n", "535 5.7.139 no\r\n", "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n"]);
  if (cmd === "") return "535 5.7.8 no\r\n";
  if (cmd.startsWith("MAIL")) return "250 2.1.0 ok\r\n";
  if (cmd.startsWith("RCPT")) return r() < 0.8 ? "250 2.1.5 ok\r\n" : "550 5.1.1 unknown\r\n";
  if (cmd === "DATA") return "354 go\r\n";
  if (cmd.startsWith("BDAT")) return "250 2.0.0 ok\r\n";
  if (cmd === ".") return r() < 0.9 ? "250 2.0.0 queued\r\n" : "552 5.3.4 too big\r\n";
  if (cmd === "QUIT") return "221 bye\r\n";
  if (cmd === "RSET") return "250 flushed\r\n";
  return "500 what\r\n";
}

function act(c: Ctx, e: CoreEvent): void {
  const { core, r } = c;
  const k = core.k;
  if (e.kind === k.EventCommandSent) c.sent.push(e.text);
  if (e.kind === k.EventCommandSent && e.text.startsWith("AUTH")) {
    assert.ok(c.tls || c.allowPlain, "AUTH sent without TLS and without permission");
  }
  if (r() < 0.05) return; // sometimes the host is slow to react
  if (e.kind === k.EventNeedTlsUpgrade) { c.tls = true; core.tlsUpgraded(); }
  else if (e.kind === k.EventNeedAccessToken) core.accessToken(pick(r, ["tok", "x".repeat(9000), "a\r\nb", ""]));
  else if (e.kind === k.EventReadyForEnvelope) {
    if (r() < 0.2) core.quit();
    else core.sendEnvelope(Math.floor(r() * 200_000), Math.floor(r() * 5) - (r() < 0.1 ? 1 : 0));
  } else if (e.kind === k.EventReadyForBody) {
    const body = Buffer.from(Array.from({ length: Math.floor(r() * 3000) }, () => pick(r, [0x2e, 0x0d, 0x0a, 0x41, 0x00, 0xff, 0x20])));
    let off = 0;
    for (let g = 0; g < 200 && off < body.length; g++) {
      const n = core.bodyWrite(body.subarray(off, off + 1 + Math.floor(r() * 600)));
      off += n;
      if (n === 0) core.takeOut();
    }
    for (let g = 0; g < 5 && core.bodyEnd() === k.StatusBusy; g++) core.takeOut();
    if (r() < 0.3) core.quit();
  } else if (e.kind === k.EventFailed) {
    const x = r();
    if (x < 0.3) core.rset();
    else if (x < 0.6) core.quit();
  } else if (e.kind === k.EventMessageAccepted && r() < 0.3) core.quit();
}

function feedSplit(c: Ctx, bytes: Buffer): void {
  let off = 0;
  while (off < bytes.length) {
    const n = 1 + Math.floor(c.r() * Math.min(bytes.length - off, pick(c.r, [1, 3, 17, 200, 5000])));
    c.core.feed(bytes.subarray(off, off + n));
    off += n;
    for (let e = c.core.nextEvent(); e; e = c.core.nextEvent()) { c.events.push(e); act(c, e); }
    if (c.r() < c.drainOut) c.core.takeOut();
  }
}

/** The seed of case i of a run started from `base` (printed, so any case can be replayed). */
export function caseSeed(base: number, i: number): number {
  return (base + i * 0x9e3779b1) >>> 0;
}

/**
 * One fuzz case: a core of random board sizes (made by `create`, so a caller can record it),
 * a random configuration and a random server. Throws when a property does not hold; returns the
 * event names and the final state reached (coverage).
 */
export async function fuzzCase(seed: number, create: (sizes: CoreSizes) => Promise<Core> = (s) => Core.create(s)): Promise<string[]> {
  const r = rng(seed);
  const core = await create({
    inCap: pick(r, [64, 100, 4096]), outCap: pick(r, [1024, 4096, 16384]),
    lineMax: pick(r, [512, 1024]), eventTextCap: pick(r, [64, 512]),
  });
  const k = core.k;
  const c: Ctx = { core, r, events: [], tls: false, allowPlain: r() < 0.3, drainOut: 0.3 + r() * 0.7, sent: [] };
  core.setString(k.FieldClientName, "mfp.test");
  core.setString(k.FieldMailFrom, "s@example.com");
  for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) core.setString(k.FieldRcptTo, `r${i}@example.com`);
  core.setString(k.FieldUsername, "u@example.com");
  core.setString(k.FieldPassword, "pw");
  core.setInt(k.FieldTlsPolicy, Math.floor(r() * 3));
  core.setInt(k.FieldAuthMechs, Math.floor(r() * 8));
  core.setInt(k.FieldAllowPlaintextAuth, c.allowPlain ? 1 : 0);
  core.setInt(k.FieldUsePipelining, r() < 0.7 ? 1 : 0);
  core.setInt(k.FieldAllRecipientsRequired, r() < 0.2 ? 1 : 0);
  if (r() < 0.2) core.setInt(k.FieldBdatChunk, 1 + Math.floor(r() * 500));
  core.start();
  const mem0 = core.memoryBytes();
  const mode = r();
  if (mode < 0.3) { // blind: random snippets, possibly mutated
    const parts = Array.from({ length: 1 + Math.floor(r() * 12) }, () => enc(pick(r, SNIPPETS)));
    let stream = Buffer.concat(parts);
    if (r() < 0.7) stream = mutate(r, stream);
    feedSplit(c, stream);
  } else if (mode < 0.4) { // pure noise
    feedSplit(c, Buffer.from(Array.from({ length: Math.floor(r() * 2000) }, () => Math.floor(r() * 256))));
  } else { // reactive: answer what the core sent, mutating some answers
    feedSplit(c, enc("220 mx ESMTP\r\n"));
    for (let turn = 0; turn < 40; turn++) {
      const sent = c.sent.splice(0);
      if (!sent.length) break;
      let answer = Buffer.concat(sent.map((s) => enc(replyTo(r, s))));
      if (r() < 0.15) answer = mutate(r, answer);
      core.takeOut();
      feedSplit(c, answer);
    }
  }
  const state = core.stateName();
  assert.ok((STATE_NAMES as readonly string[]).includes(state), `undefined state ${state}`);
  assert.equal(core.memoryBytes(), mem0, "linear memory grew");
  assert.ok(core.outLen() <= 16384);
  const all = c.events;
  if (state === "Failed") {
    const f = all.find((e) => e.kind === k.EventFailed);
    if (f) assert.ok(f.reason > 0 && (f.text.length > 0 || f.code > 0), "Failed event without a reason or words");
  }
  // after a Failed event nothing may move forward, unless RSET (a fresh transaction) went out
  let failed = false;
  for (const e of all) {
    if (e.kind === k.EventFailed) failed = true;
    else if (e.kind === k.EventCommandSent && e.text === "RSET") failed = false;
    else if (failed) {
      assert.ok(!["ReadyForEnvelope", "ReadyForBody", "MessageAccepted", "NeedTlsUpgrade", "Authenticated"].includes(e.name), `${e.name} after Failed`);
    }
  }
  return [...new Set(c.events.map((e) => e.name).concat(["state:" + state]))];
}
