// A failure keeps the state it failed in and the command whose reply failed it (the core is in
// Failed by the time the host sees the event, so the stage must come from the event itself).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { probeSession, sendMessage } from "../../host/session/driver.js";
import { server, options, recorder, USER, PASSWORD } from "../session/lab.js";
import type { SimServer } from "../../host/sim/server.js";

let srv: SimServer;
before(async () => { srv = await server({ authMethods: ["PLAIN"] }); });
after(async () => { await srv.close(); });

test("a refused AUTH probe (doctor) reports stage Auth and the AUTH command", async () => {
  const o = options(srv, recorder(), { auth: { mechanism: "plain", user: USER, password: "not-" + PASSWORD } });
  const { result, probe } = await probeSession({ ...o, message: { ...o.message, attachments: [] } });
  assert.equal(probe.readyForEnvelope, false);
  assert.equal(probe.stage, "Auth");
  assert.deepEqual([probe.failure?.reason, probe.failure?.stage, probe.failure?.command, probe.failure?.code], ["AuthFailed", "Auth", "AUTH", 535]);
  assert.deepEqual([result.stage, result.command, result.id], ["Auth", "AUTH", "AUTH_FAILED"]);
});

test("a refused recipient names RCPT TO at Envelope; a send that worked names nothing", async () => {
  const refusing = await server({ rcptReply: () => [550, "5.1.1 No such user"] });
  try {
    const r = await sendMessage(options(refusing, recorder()));
    assert.deepEqual([r.status, r.stage, r.command], ["failed", "Envelope", "RCPT TO"], r.message);
  } finally {
    await refusing.close();
  }
  const ok = await sendMessage(options(srv, recorder()));
  assert.equal(ok.status, "sent", ok.message);
  assert.equal(ok.stage, undefined);
});
