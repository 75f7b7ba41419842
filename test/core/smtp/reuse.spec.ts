// Connection reuse (RSET after a failed transaction, QUIT pipelined behind the message) and
// back-pressure (a full event queue makes feed() stop early, nothing lost), by scripted transcripts.
import { cfg, server, wire, drain, saw, kinds, failReason, body, clearSeen, begin, EHLO_PIPE } from "./script";
import { setInt, sendEnvelope, bodyEnd, quit, rset, feed, nextEvent } from "../../../assembly/smtp/abi";
import { State, state } from "../../../assembly/smtp/state";
import { inBase } from "../../../assembly/core/buffers";
import * as F from "../../../assembly/smtp/fields";
import * as E from "../../../assembly/smtp/events";

function toReady(ehlo: string): void {
  server("220 mx.example.com ESMTP\r\n", 1);
  expect(wire()).toBe("EHLO mfp.example.com\r\n");
  server(ehlo, 1);
}

describe("session: connection reuse and back-pressure", () => {
  it("sends RSET after a failed transaction and is ready for the next message", () => {
    begin();
    toReady(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("250 ok\r\n550 5.1.1 unknown\r\n554 5.5.1 no valid recipients\r\n");
    expect(failReason).toBe(E.ReasonAllRecipientsRejected);
    clearSeen();
    expect(rset()).toBe(0);
    expect(wire()).toBe("RSET\r\n");
    server("250 2.0.0 flushed\r\n");
    expect(saw(E.EventReadyForEnvelope)).toBe(true);
    expect(<i32>state).toBe(State.Ready);
    expect(sendEnvelope(0, F.BodyMode7Bit)).toBe(0);
  });

  it("does not RSET after a failure outside a transaction", () => {
    begin();
    setInt(F.FieldAuthMechs, F.MechPlain);
    setInt(F.FieldAllowPlaintextAuth, 1);
    toReady("250-mx\r\n250 AUTH PLAIN\r\n");
    wire();
    server("535 5.7.8 no\r\n");
    expect(rset()).toBe(E.ReasonBadState);
  });

  it("pipelines QUIT behind the end of the message", () => {
    begin();
    toReady(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("250 ok\r\n250 ok\r\n354 go\r\n");
    body("hi\r\n");
    bodyEnd();
    expect(quit()).toBe(0);
    expect(wire()).toBe("hi\r\n.\r\nQUIT\r\n");
    server("250 2.0.0 queued\r\n221 2.0.0 bye\r\n");
    expect(saw(E.EventMessageAccepted)).toBe(true);
    expect(saw(E.EventReadyForEnvelope)).toBe(true); // only from the EHLO, not after the message
    expect(<i32>state).toBe(State.Closed);
  });

  it("stops consuming when the event queue is full instead of dropping events", () => {
    begin();
    for (let i = 0; i < 99; i++) cfg(F.FieldRcptTo, "r" + i.toString() + "@example.com");
    toReady(EHLO_PIPE);
    drain();
    expect(sendEnvelope(0, F.BodyMode7Bit)).toBe(0);
    drain();
    const sent = wire(); // all 100 recipients and DATA in one write
    expect(sent.includes("RCPT TO:<r98@example.com>\r\nDATA\r\n")).toBe(true);
    expect(kinds.length).toBeGreaterThan(101);
    const long = " recipient accepted; this reply text is long so that the event queue fills up quickly";
    let replies = "250 ok\r\n";
    for (let i = 0; i < 100; i++) replies += "250 2.1.5 <r" + i.toString() + "@example.com>" + long + long + "\r\n";
    replies += "354 go\r\n";
    const b = String.UTF8.encode(replies);
    memory.copy(inBase, changetype<usize>(b), b.byteLength);
    const used = feed(<u32>b.byteLength); // nobody drains: the queue fills
    expect(used).toBeLessThan(<u32>b.byteLength);
    let events = 0;
    while (nextEvent() != 0) events++;
    expect(events).toBeGreaterThan(10);
    // the rest, after draining, completes the envelope with every recipient reported
    clearSeen();
    const rest = replies.substring(<i32>used);
    server(rest);
    expect(saw(E.EventReadyForBody)).toBe(true);
  });
});
