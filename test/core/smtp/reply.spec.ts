import { configureBuffers } from "../../../assembly/core/buffers";
import { carveSession, lineBase } from "../../../assembly/smtp/store";
import { replyPush, replyReset, replyCode, replyError, replyLines, textLen, textPtr, enhBuf, enhLen,
  PushMore, PushLine, PushReply, PushError } from "../../../assembly/smtp/reply";
import { ReasonBadReply, ReasonLineTooLong } from "../../../assembly/smtp/events";

configureBuffers(4096, 16384, 600, 256);
carveSession();

let lastText = "";
let lastEnh = "";
let linesSeen = 0;

/** Push every byte; returns the result of the last push that was not PushMore (or PushMore). */
function push(s: string): i32 {
  const b = String.UTF8.encode(s);
  const p = changetype<usize>(b);
  let r = PushMore;
  for (let i = 0; i < b.byteLength; i++) {
    const x = replyPush(load<u8>(p + i));
    if (x == PushLine) linesSeen++;
    if (x == PushReply) {
      lastText = String.UTF8.decodeUnsafe(textPtr(), textLen);
      lastEnh = String.UTF8.decodeUnsafe(enhBuf, enhLen);
    }
    if (x != PushMore) r = x;
    if (x == PushError) return x;
  }
  return r;
}

describe("reply parser", () => {
  it("parses a single line with an enhanced status code", () => {
    replyReset();
    expect(push("535 5.7.139 Authentication unsuccessful\r\n")).toBe(PushReply);
    expect(replyCode).toBe(535);
    expect(lastEnh).toBe("5.7.139");
    expect(lastText).toBe("Authentication unsuccessful");
  });

  it("parses a multi-line reply whatever the split", () => {
    const reply = "250-mail.example.com Hello\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250 2.0.0 SMTPUTF8 ok\r\n";
    // every split point into two pieces, and one byte at a time
    for (let cut = 0; cut <= reply.length; cut++) {
      replyReset();
      linesSeen = 0;
      const a = push(reply.substring(0, cut));
      const b = push(reply.substring(cut));
      expect(a == PushReply || b == PushReply).toBe(true);
      expect(linesSeen).toBe(3);
      expect(replyCode).toBe(250);
      expect(replyLines).toBe(4);
      expect(lastText).toBe("SMTPUTF8 ok");
      expect(lastEnh).toBe("2.0.0");
    }
  });

  it("accepts a bare LF as the end of a line", () => {
    replyReset();
    expect(push("220 ready\n")).toBe(PushReply);
    expect(replyCode).toBe(220);
    expect(lastText).toBe("ready");
  });

  it("accepts a code with no text", () => {
    replyReset();
    expect(push("250\r\n")).toBe(PushReply);
    expect(lastText).toBe("");
  });

  it("starts a fresh reply after a complete one", () => {
    replyReset();
    push("250-a\r\n250 b\r\n");
    expect(push("354 go ahead\r\n")).toBe(PushReply);
    expect(replyCode).toBe(354);
    expect(replyLines).toBe(1);
    expect(lastEnh).toBe("");
  });

  it("rejects non-digit codes", () => {
    replyReset();
    expect(push("2x0 nope\r\n")).toBe(PushError);
    expect(replyError).toBe(ReasonBadReply);
    replyReset();
    expect(push("HTTP/1.1 400 Bad Request\r\n")).toBe(PushError);
    replyReset();
    expect(push("650 six hundred\r\n")).toBe(PushError);
  });

  it("rejects a missing space or dash after the code", () => {
    replyReset();
    expect(push("250ok\r\n")).toBe(PushError);
    expect(replyError).toBe(ReasonBadReply);
    replyReset();
    expect(push("25\r\n")).toBe(PushError);
  });

  it("rejects a continuation line with another code", () => {
    replyReset();
    expect(push("250-first\r\n251 second\r\n")).toBe(PushError);
    expect(replyError).toBe(ReasonBadReply);
  });

  it("fails cleanly on an overlong line", () => {
    replyReset();
    let long = "250 ";
    for (let i = 0; i < 700; i++) long += "x";
    expect(push(long + "\r\n")).toBe(PushError);
    expect(replyError).toBe(ReasonLineTooLong);
  });

  it("takes a line just under the board limit", () => {
    replyReset();
    let text = "";
    for (let i = 0; i < 590; i++) text += "y";
    expect(push("250 " + text + "\r\n")).toBe(PushReply);
    expect(lastText.length).toBe(590);
    expect(lineBase).toBeGreaterThan(0);
  });

  it("ignores enhanced codes of another class or malformed ones", () => {
    replyReset();
    push("550 2.1.5 mismatch\r\n");
    expect(lastEnh).toBe("");
    expect(lastText).toBe("2.1.5 mismatch");
    replyReset();
    push("550 5.1234.1 too long\r\n");
    expect(lastEnh).toBe("");
    replyReset();
    push("451 4.7.500 Server busy (AS761)\r\n");
    expect(lastEnh).toBe("4.7.500");
  });
});
