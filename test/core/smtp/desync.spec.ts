// Every reply is matched to the command it answers (assembly/smtp/order.ts). A reply that does not
// fit, or that answers a command the host has not written yet, ends the session as a protocol
// error (ClassProtocol: retried later, never a refusal), and nothing is marked accepted.
import { setup, cfg, server, wire, saw, kinds, failReason, failStage, failClass, failCode, failText, failDetail,
  failCmd, cmdOf, body, clearSeen, rcptCodes, drain, begin } from "./script";
import { start, sendEnvelope, bodyEnd, quit } from "../../../assembly/smtp/abi";
import { State, state } from "../../../assembly/smtp/state";
import * as F from "../../../assembly/smtp/fields";
import * as E from "../../../assembly/smtp/events";

const EHLO_PIPE = "250-mx.example.com\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
const EHLO_PLAIN = "250-mx.example.com\r\n250 SIZE 10000\r\n";

function ready(ehlo: string, tls: i32 = F.TlsPolicyNone): void {
  begin(tls);
  server("220 mx.example.com ESMTP\r\n", 1);
  wire();
  server(ehlo, 1);
}

/** The session failed as a desync: protocol class, no QUIT (the host just closes; a command still
 *  in the output buffer never goes out). */
function expectDesync(stage: State, cmd: i32, code: i32): void {
  expect(failReason).toBe(E.ReasonUnexpectedReply);
  expect(failClass).toBe(E.ClassProtocol);
  expect(failStage).toBe(<i32>stage);
  expect(failCmd).toBe(cmd);
  expect(failCode).toBe(code);
  expect(failText).toBe(""); // the core gives numbers; the host has the words
  expect(failDetail == E.DetailReplyMisfit || failDetail == E.DetailReplyEarly || failDetail == E.DetailReplyUnasked).toBe(true);
  expect(saw(E.EventMessageAccepted)).toBe(false);
  expect(<i32>state).toBe(State.Failed);
  expect(quit()).toBe(E.ReasonBadState);
}

describe("desync: replies that do not fit their command", () => {
  it("354 and at once 250, before any body byte (one read)", () => {
    ready(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode8BitMime);
    wire();
    server("250 ok\r\n250 ok\r\n354 go ahead\r\n250 2.0.0 queued as 1\r\n", 1);
    expect(saw(E.EventReadyForBody)).toBe(true);
    expectDesync(State.Body, 0, 250);
    expect(failDetail).toBe(E.DetailReplyUnasked); // "reply 250 came when no command was waiting for one"
    expect(body("x\r\n")).toBe(0); // the body is closed: nothing more goes out
    expect(bodyEnd()).toBe(E.ReasonBadState);
  });

  it("354 and, in a later read, 250 before any body byte", () => {
    ready(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode8BitMime);
    wire();
    server("250 ok\r\n250 ok\r\n354 go ahead\r\n");
    clearSeen();
    server("250 2.0.0 queued\r\n");
    expectDesync(State.Body, 0, 250);
  });

  it("two 250s to MAIL with PIPELINING: DATA gets a 250", () => {
    ready(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode8BitMime);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com> BODY=8BITMIME\r\nRCPT TO:<a@example.com>\r\nDATA\r\n");
    server("250 2.1.0 sender ok\r\n250 2.1.0 sender ok\r\n250 2.1.5 recipient ok\r\n354 go ahead\r\n", 1);
    expect(saw(E.EventReadyForBody)).toBe(false);
    expectDesync(State.Envelope, E.CmdData, 250);
    expect(failDetail).toBe(E.DetailReplyMisfit); // "reply 250 does not fit DATA"
  });

  it("two 250s to MAIL without PIPELINING (one read): the second came before RCPT was sent", () => {
    ready(EHLO_PLAIN);
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\n");
    server("250 ok\r\n250 ok\r\n");
    expectDesync(State.Envelope, E.CmdRcpt, 250);
    expect(failDetail).toBe(E.DetailReplyEarly); // "reply 250 came before RCPT TO was sent"
    expect(rcptCodes.length).toBe(0); // the early 250 was not taken as the recipient's answer
  });

  it("a refusal that comes before its command was sent is out of order too", () => {
    ready(EHLO_PLAIN);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("250 ok\r\n550 5.1.1 unknown\r\n");
    expectDesync(State.Envelope, E.CmdRcpt, 550);
    expect(rcptCodes.length).toBe(0);
  });

  it("two 250s to MAIL without PIPELINING (two reads): caught when DATA gets the RCPT's 250", () => {
    ready(EHLO_PLAIN);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("250 ok\r\n");
    expect(wire()).toBe("RCPT TO:<a@example.com>\r\n");
    server("250 ok\r\n"); // the duplicate: indistinguishable from the RCPT's own answer
    expect(wire()).toBe("DATA\r\n");
    server("250 2.1.5 ok\r\n354 go\r\n");
    expectDesync(State.Envelope, E.CmdData, 250);
  });

  it("a second 220 answering EHLO", () => {
    setup();
    clearSeen();
    cfg(F.FieldMailFrom, "s@example.com");
    start();
    server("220 mx ESMTP\r\n");
    expect(wire()).toBe("EHLO localhost\r\n");
    server("220 mx ESMTP\r\n");
    expectDesync(State.Ehlo, E.CmdEhlo, 220);
  });

  it("250 to STARTTLS is not a refusal to carry on in plaintext", () => {
    ready("250-mx\r\n250 STARTTLS\r\n", F.TlsPolicyOpportunistic);
    expect(wire()).toBe("STARTTLS\r\n");
    server("250 ok\r\n");
    expectDesync(State.StartTls, E.CmdStartTls, 250);
    expect(saw(E.EventReadyForEnvelope)).toBe(false);
  });

  it("334 to MAIL", () => {
    ready(EHLO_PLAIN);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("334 VXNlcm5hbWU6\r\n");
    expectDesync(State.Envelope, E.CmdMail, 334);
  });

  it("a 250 the end of the message never asked for: not 'accepted'", () => {
    ready(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode8BitMime);
    wire();
    server("250 ok\r\n250 ok\r\n354 go\r\n");
    body("hello\r\n");
    clearSeen();
    server("250 2.0.0 queued\r\n"); // before bodyEnd(): the "." was never written
    expectDesync(State.Body, 0, 250);
  });

  it("a 250 to the end of the message that comes before the '.' left the buffer", () => {
    ready(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode8BitMime);
    wire();
    server("250 ok\r\n250 ok\r\n354 go\r\n");
    body("hello\r\n");
    expect(bodyEnd()).toBe(0);
    clearSeen();
    server("250 2.0.0 queued\r\n"); // the host has not taken "hello\r\n.\r\n" yet
    expectDesync(State.BodyEnd, E.CmdDataEnd, 250);
  });

  it("after QUIT any out-of-order reply just closes", () => {
    ready(EHLO_PLAIN);
    expect(quit()).toBe(0);
    expect(wire()).toBe("QUIT\r\n");
    server("221 bye\r\n250 and more\r\n");
    expect(saw(E.EventClosed)).toBe(true);
    expect(saw(E.EventFailed)).toBe(false);
  });

  it("421 from the server is still a closing channel, asked for or not", () => {
    ready(EHLO_PLAIN);
    server("421 4.4.2 idle too long\r\n");
    expect(failReason).toBe(E.ReasonServerClosing);
    expect(failClass).toBe(E.ClassTransient);
  });
});

describe("the event record names its command", () => {
  it("replies, recipient results and failures carry the command they answer", () => {
    ready(EHLO_PLAIN);
    cfg(F.FieldRcptTo, "b@example.com");
    clearSeen();
    sendEnvelope(0, F.BodyMode7Bit);
    drain();
    expect(cmdOf(E.EventCommandSent)).toBe(E.CmdMail);
    wire();
    clearSeen();
    server("250 ok\r\n");
    expect(cmdOf(E.EventReplyReceived)).toBe(E.CmdMail);
    expect(cmdOf(E.EventCommandSent)).toBe(E.CmdRcpt);
    wire();
    clearSeen();
    server("550 5.1.1 unknown\r\n");
    expect(cmdOf(E.EventRecipientResult)).toBe(E.CmdRcpt);
    wire();
    server("550 5.1.1 unknown\r\n");
    expect(failReason).toBe(E.ReasonAllRecipientsRejected);
    expect(failCmd).toBe(E.CmdRcpt);
    expect(failStage).toBe(<i32>State.Envelope);
    expect(kinds.length).toBeGreaterThan(0);
  });

  it("a failure outside any reply names no command", () => {
    ready(EHLO_PLAIN);
    expect(sendEnvelope(10001, F.BodyMode7Bit)).toBe(E.ReasonSizeExceeded);
    drain();
    expect(failReason).toBe(E.ReasonSizeExceeded);
    expect(failCmd).toBe(0);
  });
});
