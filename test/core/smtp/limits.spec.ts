// Caps per reply: lines and bytes (FieldReplyMaxLines / FieldReplyMaxBytes, from the board). An
// endless "250-" stream or a reply that never ends is cut off as a protocol error (retried later)
// and the connection is closed without QUIT.
import { setup, cfg, server, wire, failReason, failClass, failStage, failCmd, saw, clearSeen } from "./script";
import { setInt, start, quit } from "../../../assembly/smtp/abi";
import { State, state } from "../../../assembly/smtp/state";
import { replyReset, replyPush, replyError, setReplyCaps, PushError, PushReply, DefaultReplyMaxLines,
  DefaultReplyMaxBytes } from "../../../assembly/smtp/reply";
import * as F from "../../../assembly/smtp/fields";
import * as E from "../../../assembly/smtp/events";

function pushAll(s: string): i32 {
  const b = String.UTF8.encode(s);
  const p = changetype<usize>(b);
  let r = 0;
  for (let i = 0; i < b.byteLength; i++) {
    r = replyPush(load<u8>(p + i));
    if (r == PushError) return r;
  }
  return r;
}

function lines(n: i32, last: bool): string {
  let s = "";
  for (let i = 0; i < n - 1; i++) s += "250-X" + i.toString() + "\r\n";
  return s + (last ? "250 end\r\n" : "250-more\r\n");
}

function greeted(): void {
  setup();
  clearSeen();
  cfg(F.FieldClientName, "mfp.example.com");
  setInt(F.FieldTlsPolicy, F.TlsPolicyNone);
}

describe("reply caps: the parser", () => {
  it("takes a reply of exactly the line cap, refuses one line more", () => {
    setup();
    setReplyCaps(20, DefaultReplyMaxBytes);
    replyReset();
    expect(pushAll(lines(20, true))).toBe(PushReply);
    replyReset();
    expect(pushAll(lines(21, true))).toBe(PushError);
    expect(replyError).toBe(E.ReasonReplyTooLong);
  });

  it("counts bytes, line ends included, across the lines of one reply", () => {
    setup();
    setReplyCaps(DefaultReplyMaxLines, 600);
    replyReset();
    let a = "250-";
    for (let i = 0; i < 290; i++) a += "a";
    // 296 + 296 = 592 bytes: fits; a third such line does not
    expect(pushAll(a + "\r\n" + "250 " + a.substring(4) + "\r\n")).toBe(PushReply);
    replyReset();
    expect(pushAll(a + "\r\n" + a + "\r\n" + "250 " + a.substring(4) + "\r\n")).toBe(PushError);
    expect(replyError).toBe(E.ReasonReplyTooLong);
  });

  it("starts counting afresh for each reply", () => {
    setup();
    setReplyCaps(3, 512);
    replyReset();
    expect(pushAll("250-a\r\n250-b\r\n250 c\r\n")).toBe(PushReply);
    expect(pushAll("250-a\r\n250-b\r\n250 c\r\n")).toBe(PushReply);
  });
});

describe("reply caps: the session", () => {
  it("an endless EHLO reply fails at the board's line cap: protocol class, no QUIT", () => {
    greeted();
    expect(setInt(F.FieldReplyMaxLines, 50)).toBe(0);
    start();
    server("220 mx ESMTP\r\n");
    expect(wire()).toBe("EHLO mfp.example.com\r\n");
    server(lines(60, false));
    expect(failReason).toBe(E.ReasonReplyTooLong);
    expect(failClass).toBe(E.ClassProtocol);
    expect(failStage).toBe(<i32>State.Ehlo);
    expect(failCmd).toBe(E.CmdEhlo);
    expect(<i32>state).toBe(State.Failed);
    expect(saw(E.EventReadyForEnvelope)).toBe(false);
    expect(quit()).toBe(E.ReasonBadState);
    clearSeen();
    server("250 too late\r\n"); // nothing is read any more
    expect(saw(E.EventReplyReceived)).toBe(false);
  });

  it("a greeting larger than the byte cap fails the same way", () => {
    greeted();
    expect(setInt(F.FieldReplyMaxBytes, 1024)).toBe(0);
    start();
    let g = "";
    for (let i = 0; i < 40; i++) g += "220-welcome to a very talkative server, line " + i.toString() + "\r\n";
    server(g);
    expect(failReason).toBe(E.ReasonReplyTooLong);
    expect(failStage).toBe(<i32>State.Greeting);
    expect(wire()).toBe("");
  });

  it("the default caps take a 1000-line EHLO reply", () => {
    greeted();
    start();
    server("220 mx\r\n");
    wire();
    server(lines(1000, true));
    expect(saw(E.EventReadyForEnvelope)).toBe(true);
  });

  it("refuses caps below one line or 512 bytes", () => {
    greeted();
    expect(setInt(F.FieldReplyMaxLines, 0)).toBe(E.ReasonBadArgument);
    expect(setInt(F.FieldReplyMaxBytes, 511)).toBe(E.ReasonBadArgument);
    expect(setInt(F.FieldReplyMaxBytes, 512)).toBe(0);
  });
});
