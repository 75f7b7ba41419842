// BDAT (RFC 3030) from the compiled core against a real receiver: the simulator's chunking MTA
// (CHUNKING + BINARYMIME, host/sim/chunking-mta.ts). smtp-server has no BDAT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { startChunkingMta } from "../../host/sim/chunking-mta.js";
import { drive } from "./drive.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test("BINARYMIME body in many pipelined BDAT chunks arrives byte-identical", async () => {
  const mta = await startChunkingMta({ keepData: true });
  try {
    const body = Buffer.concat([Buffer.from("Subject: scan\r\nContent-Type: application/pdf\r\n\r\n"), randomBytes(50_000)]);
    const r = await drive({
      port: mta.port, from: "scanner@example.com", to: ["a@example.com"], body,
      bodyMode: 2, // BodyModeBinaryMime, checked by name below
      configure(core) {
        assert.equal(core.k.BodyModeBinaryMime, 2);
        core.setInt(core.k.FieldBdatChunk, 7000);
      },
    });
    assert.equal(r.state, "Closed", JSON.stringify(r.events.filter((e) => e.name === "Failed")));
    const chunks = r.events.filter((e) => e.name === "CommandSent" && e.text.startsWith("BDAT "));
    assert.ok(chunks.length >= 8, `only ${chunks.length} BDAT commands`);
    assert.match(r.wire, /MAIL FROM:<scanner@example\.com>[^\r]* BODY=BINARYMIME/);
    const m = mta.messages.at(-1)!;
    assert.equal(m.via, "BDAT");
    assert.equal(m.body, "BINARYMIME");
    assert.equal(sha(m.data!), sha(body));
    // EHLO | MAIL+RCPT | all chunks + LAST | QUIT: chunks ride together with PIPELINING. A core
    // that opens the body right behind the pipelined RCPTs (RFC 2920 lets BDAT join the group)
    // saves one more: EHLO | MAIL+RCPT+chunks+LAST | QUIT.
    const names = r.events.map((e) => e.name);
    const bodyBeforeRcptReplies = names.indexOf("ReadyForBody") < names.indexOf("RecipientResult");
    assert.equal(r.roundTrips, bodyBeforeRcptReplies ? 3 : 4);
  } finally {
    await mta.close();
  }
});

test("plain CHUNKING: lines normalised to CRLF inside the chunks, one chunk at a time without PIPELINING", async () => {
  const mta = await startChunkingMta({ keepData: true });
  try {
    const body = Buffer.from("Subject: chunked\n\n.dot line\nbare LF\rbare CR\nend");
    const r = await drive({
      port: mta.port, from: "scanner@example.com", to: ["a@example.com"], body,
      bodyMode: 3, // BodyModeChunked
      configure(core) {
        assert.equal(core.k.BodyModeChunked, 3);
        core.setInt(core.k.FieldBdatChunk, 16);
        core.setInt(core.k.FieldUsePipelining, 0);
      },
    });
    assert.equal(r.state, "Closed", JSON.stringify(r.events.filter((e) => e.name === "Failed")));
    const m = mta.messages.at(-1)!;
    assert.equal(m.via, "BDAT");
    assert.equal(m.data!.toString("latin1"), "Subject: chunked\r\n\r\n.dot line\r\nbare LF\r\nbare CR\r\nend\r\n");
    const chunks = r.events.filter((e) => e.name === "CommandSent" && e.text.startsWith("BDAT ")).length;
    // every chunk waited for its reply: EHLO | MAIL | RCPT | each chunk … | BDAT LAST | QUIT
    assert.ok(chunks >= 4, `${chunks} chunks`);
    assert.equal(r.roundTrips, 3 + chunks + 1);
  } finally {
    await mta.close();
  }
});
