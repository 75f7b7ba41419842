// The state machine driven by scripted server transcripts. Server bytes go in one byte at a time
// unless a test says otherwise; `wire()` is what the client wrote since the previous look.
import { cfg, server, wire, drain, saw, kinds, failReason, failStage, failClass, failCode, failEnhanced,
  failText, rcptCodes, body, begin, EHLO_PIPE, EHLO_PLAIN } from "./script";
import { setInt, start, tlsUpgraded, sendEnvelope, bodyEnd, quit, accessToken } from "../../../assembly/smtp/abi";
import { State, state } from "../../../assembly/smtp/state";
import { password, token } from "../../../assembly/smtp/store";
import { inBase } from "../../../assembly/core/buffers";
import * as F from "../../../assembly/smtp/fields";
import * as E from "../../../assembly/smtp/events";

export function toReady(ehlo: string, step: i32 = 1): void {
  server("220 mx.example.com ESMTP\r\n", step);
  expect(wire()).toBe("EHLO mfp.example.com\r\n");
  server(ehlo, step);
}

describe("session: happy paths", () => {
  it("sends the whole envelope in one write with PIPELINING", () => {
    begin();
    cfg(F.FieldRcptTo, "b@example.com");
    toReady(EHLO_PIPE);
    expect(saw(E.EventReadyForEnvelope)).toBe(true);
    expect(wire()).toBe("");
    expect(sendEnvelope(120, F.BodyMode8BitMime)).toBe(0);
    drain();
    expect(wire()).toBe("MAIL FROM:<scanner@example.com> SIZE=120 BODY=8BITMIME\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
    server("250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n354 go ahead\r\n", 1);
    expect(saw(E.EventReadyForBody)).toBe(true);
    expect(rcptCodes).toStrictEqual([250000, 250001]);
    expect(body("Subject: hi\n\n.leading dot\r\nbare CR\rend")).toBe(38);
    expect(bodyEnd()).toBe(0);
    expect(wire()).toBe("Subject: hi\r\n\r\n..leading dot\r\nbare CR\r\nend\r\n.\r\n");
    server("250 2.0.0 queued as 123\r\n", 1);
    expect(saw(E.EventMessageAccepted)).toBe(true);
    expect(<i32>state).toBe(State.Ready);
    expect(quit()).toBe(0);
    expect(wire()).toBe("QUIT\r\n");
    server("221 2.0.0 bye\r\n");
    expect(saw(E.EventClosed)).toBe(true);
    expect(<i32>state).toBe(State.Closed);
  });

  it("sends one command per reply without PIPELINING", () => {
    begin();
    cfg(F.FieldRcptTo, "b@example.com");
    toReady(EHLO_PLAIN);
    expect(sendEnvelope(0, F.BodyMode7Bit)).toBe(0);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\n");
    server("250 ok\r\n");
    expect(wire()).toBe("RCPT TO:<a@example.com>\r\n");
    server("250 ok\r\n");
    expect(wire()).toBe("RCPT TO:<b@example.com>\r\n");
    server("250 ok\r\n");
    expect(wire()).toBe("DATA\r\n");
    server("354 go\r\n");
    body("x\r\n");
    bodyEnd();
    expect(wire()).toBe("x\r\n.\r\n");
    server("250 ok\r\n");
    expect(saw(E.EventMessageAccepted)).toBe(true);
  });

  it("does not pipeline when the configuration says so", () => {
    begin();
    setInt(F.FieldUsePipelining, 0);
    toReady(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\n");
  });

  it("falls back to HELO when EHLO is not recognised", () => {
    begin();
    server("220 old.example.com\r\n");
    expect(wire()).toBe("EHLO mfp.example.com\r\n");
    server("502 5.5.2 command not implemented\r\n");
    expect(wire()).toBe("HELO mfp.example.com\r\n");
    server("250 old.example.com\r\n");
    expect(<i32>state).toBe(State.Ready);
    sendEnvelope(10, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\n"); // no SIZE, no PIPELINING after HELO
  });

  it("frames BDAT chunks and ends with BDAT 0 LAST (BINARYMIME)", () => {
    begin();
    toReady("250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n");
    expect(sendEnvelope(0, F.BodyModeBinaryMime)).toBe(0);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com> BODY=BINARYMIME\r\nRCPT TO:<a@example.com>\r\n");
    server("250 ok\r\n250 ok\r\n");
    expect(saw(E.EventReadyForBody)).toBe(true);
    expect(body("ab\ncd.\r\n")).toBe(8);
    expect(bodyEnd()).toBe(0);
    expect(wire()).toBe("BDAT 8\r\nab\ncd.\r\nBDAT 0 LAST\r\n");
    server("250 8 octets\r\n250 2.0.0 message ok\r\n");
    expect(saw(E.EventMessageAccepted)).toBe(true);
  });

  it("normalises lines in plain CHUNKING and waits per chunk without PIPELINING", () => {
    begin();
    setInt(F.FieldBdatChunk, 7);
    toReady("250-mx\r\n250 CHUNKING\r\n");
    sendEnvelope(0, F.BodyModeChunked);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\n");
    server("250 ok\r\n");
    expect(wire()).toBe("RCPT TO:<a@example.com>\r\n");
    server("250 ok\r\n");
    expect(body("a\nb")).toBe(3); // 4 bytes: less room than one more byte may need, so it closes
    expect(body("more")).toBe(0); // one chunk at a time: wait for its reply
    expect(wire()).toBe("BDAT 4\r\na\r\nb");
    server("250 ok\r\n");
    expect(body("mo")).toBe(2);
    expect(bodyEnd()).toBe(E.StatusBusy);
    expect(wire()).toBe("BDAT 2\r\nmo");
    server("250 ok\r\n");
    expect(bodyEnd()).toBe(0);
    expect(wire()).toBe("BDAT 2 LAST\r\n\r\n");
    server("250 ok\r\n");
    expect(saw(E.EventMessageAccepted)).toBe(true);
  });

  it("gathers small writes into one chunk of the configured size (RFC 3030 §2)", () => {
    begin();
    setInt(F.FieldBdatChunk, 6);
    toReady("250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n");
    sendEnvelope(0, F.BodyModeBinaryMime);
    drain();
    expect(wire()).toBe("MAIL FROM:<scanner@example.com> BODY=BINARYMIME\r\nRCPT TO:<a@example.com>\r\n");
    expect(body("ab")).toBe(2);
    expect(body("cd")).toBe(2);
    expect(wire()).toBe(""); // the open chunk is not the host's to write yet
    expect(body("efgh")).toBe(2); // the chunk takes 6 bytes, then closes
    expect(wire()).toBe("BDAT 6\r\nabcdef");
    expect(body("gh")).toBe(2);
    expect(bodyEnd()).toBe(0);
    expect(wire()).toBe("BDAT 2\r\nghBDAT 0 LAST\r\n");
    server("250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n");
    expect(saw(E.EventMessageAccepted)).toBe(true);
  });

  it("keeps at most FieldBdatWindow bytes of chunks unanswered (RFC 2920 window in bytes)", () => {
    begin();
    setInt(F.FieldBdatChunk, 4);
    setInt(F.FieldBdatWindow, 8);
    toReady("250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n");
    sendEnvelope(0, F.BodyModeBinaryMime);
    drain();
    wire();
    server("250 ok\r\n250 ok\r\n");
    expect(body("abcd")).toBe(4);
    expect(body("efgh")).toBe(4);
    expect(body("ijkl")).toBe(0); // 8 bytes out and unanswered: the window is full
    expect(wire()).toBe("BDAT 4\r\nabcdBDAT 4\r\nefgh");
    server("250 ok\r\n"); // one chunk answered: 4 bytes in flight
    expect(body("ijkl")).toBe(4);
    expect(wire()).toBe("BDAT 4\r\nijkl");
    expect(bodyEnd()).toBe(0);
    expect(wire()).toBe("BDAT 0 LAST\r\n");
    server("250 ok\r\n250 ok\r\n250 ok\r\n");
    expect(saw(E.EventMessageAccepted)).toBe(true);
  });
});

describe("session: STARTTLS", () => {
  it("fails when TLS is required but not offered, sending nothing more", () => {
    begin(F.TlsPolicyRequired);
    setInt(F.FieldAuthMechs, F.MechPlain);
    cfg(F.FieldUsername, "u");
    cfg(F.FieldPassword, "secret");
    toReady(EHLO_PIPE);
    expect(failReason).toBe(E.ReasonTlsNotOffered);
    expect(failClass).toBe(E.ClassLocal);
    expect(wire()).toBe("");
    expect(sendEnvelope(0, F.BodyMode7Bit)).toBe(E.ReasonBadState);
    expect(wire()).toBe("");
    expect(password.len).toBe(0);
  });

  it("treats bytes after '220 ready to start TLS' as an attack", () => {
    begin(F.TlsPolicyRequired);
    toReady("250-mx\r\n250 STARTTLS\r\n");
    expect(wire()).toBe("STARTTLS\r\n");
    server("220 2.0.0 ready to start TLS\r\n250-mx\r\n250 AUTH PLAIN\r\n");
    expect(failReason).toBe(E.ReasonTlsInjection);
    expect(saw(E.EventNeedTlsUpgrade)).toBe(false);
    expect(tlsUpgraded()).toBe(E.ReasonBadState);
  });

  it("treats bytes that arrive before tlsUpgraded() as an attack too", () => {
    begin(F.TlsPolicyRequired);
    toReady("250-mx\r\n250 STARTTLS\r\n");
    wire();
    server("220 go ahead\r\n");
    expect(saw(E.EventNeedTlsUpgrade)).toBe(true);
    server("2");
    expect(failReason).toBe(E.ReasonTlsInjection);
  });

  it("forgets capabilities and says EHLO again after TLS", () => {
    begin(F.TlsPolicyRequired);
    setInt(F.FieldAuthMechs, F.MechPlain);
    cfg(F.FieldUsername, "tim");
    cfg(F.FieldPassword, "tanstaaftanstaaf");
    toReady("250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
    expect(wire()).toBe("STARTTLS\r\n");
    server("220 go ahead\r\n");
    expect(tlsUpgraded()).toBe(0);
    expect(wire()).toBe("EHLO mfp.example.com\r\n");
    server("250-mx\r\n250 AUTH PLAIN LOGIN\r\n");
    expect(wire()).toBe("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    expect(password.len).toBe(0); // wiped as soon as it is on its way
    server("235 2.7.0 ok\r\n");
    expect(saw(E.EventAuthenticated)).toBe(true);
    drain();
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\n"); // PIPELINING was only said before TLS
  });

  it("fails when required STARTTLS is refused", () => {
    begin(F.TlsPolicyRequired);
    toReady("250-mx\r\n250 STARTTLS\r\n");
    expect(wire()).toBe("STARTTLS\r\n");
    server("454 4.7.0 TLS not available\r\n");
    expect(failReason).toBe(E.ReasonTlsNotOffered);
    expect(failClass).toBe(E.ClassTransient);
    expect(wire()).toBe("");
  });

  it("carries on in plaintext when opportunistic STARTTLS is refused", () => {
    begin(F.TlsPolicyOpportunistic);
    toReady("250-mx\r\n250 STARTTLS\r\n");
    expect(wire()).toBe("STARTTLS\r\n");
    server("454 4.7.0 TLS not available\r\n");
    expect(<i32>state).toBe(State.Ready);
  });
});

describe("session: AUTH", () => {
  it("refuses to send credentials without TLS by default", () => {
    begin();
    setInt(F.FieldAuthMechs, F.MechPlain | F.MechLogin);
    cfg(F.FieldUsername, "u");
    cfg(F.FieldPassword, "p");
    toReady("250-mx\r\n250 AUTH PLAIN LOGIN\r\n");
    expect(failReason).toBe(E.ReasonPlaintextAuthRefused);
    expect(wire()).toBe("");
    expect(quit()).toBe(0);
    expect(wire()).toBe("QUIT\r\n");
  });

  it("reports 535 as an authentication failure and wipes the secret", () => {
    begin();
    setInt(F.FieldAuthMechs, F.MechPlain);
    setInt(F.FieldAllowPlaintextAuth, 1);
    cfg(F.FieldUsername, "u@example.com");
    cfg(F.FieldPassword, "wrong");
    expect(load<u8>(inBase)).toBe(0); // the staging copy of the password is gone
    toReady("250-mx\r\n250 AUTH PLAIN\r\n");
    expect(wire().startsWith("AUTH PLAIN ")).toBe(true);
    server("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled\r\n");
    expect(failReason).toBe(E.ReasonAuthFailed);
    expect(failStage).toBe(<i32>State.Auth);
    expect(failClass).toBe(E.ClassPermanent);
    expect(failCode).toBe(535);
    expect(failEnhanced).toBe("5.7.139");
    expect(failText).toBe("Authentication unsuccessful, SmtpClientAuthentication is disabled");
  });

  it("does the LOGIN dance", () => {
    begin();
    setInt(F.FieldAuthMechs, F.MechLogin);
    setInt(F.FieldAllowPlaintextAuth, 1);
    cfg(F.FieldUsername, "tim");
    cfg(F.FieldPassword, "tim");
    toReady("250-mx\r\n250 AUTH LOGIN\r\n");
    expect(wire()).toBe("AUTH LOGIN\r\n");
    server("334 VXNlcm5hbWU6\r\n");
    expect(wire()).toBe("dGlt\r\n");
    server("334 UGFzc3dvcmQ6\r\n");
    expect(wire()).toBe("dGlt\r\n");
    server("235 ok\r\n");
    expect(<i32>state).toBe(State.Ready);
  });

  it("asks for a token for XOAUTH2 and reports the JSON error challenge", () => {
    begin();
    setInt(F.FieldAuthMechs, F.MechXoauth2 | F.MechLogin);
    setInt(F.FieldAllowPlaintextAuth, 1);
    cfg(F.FieldUsername, "someuser@example.com");
    toReady("250-mx\r\n250 AUTH LOGIN XOAUTH2\r\n");
    expect(saw(E.EventNeedAccessToken)).toBe(true);
    expect(wire()).toBe("");
    const t = String.UTF8.encode("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
    memory.copy(inBase, changetype<usize>(t), t.byteLength);
    expect(accessToken(t.byteLength)).toBe(0);
    expect(token.len).toBe(0);
    expect(wire()).toBe("AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n");
    server("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K\r\n");
    expect(saw(E.EventAuthError)).toBe(true);
    expect(wire()).toBe("\r\n");
    server("535 5.7.8 Username and Password not accepted\r\n");
    expect(failReason).toBe(E.ReasonAuthFailed);
  });

  it("fails when no offered mechanism is allowed", () => {
    begin();
    setInt(F.FieldAuthMechs, F.MechXoauth2);
    setInt(F.FieldAllowPlaintextAuth, 1);
    toReady("250-mx\r\n250 AUTH PLAIN LOGIN\r\n");
    expect(failReason).toBe(E.ReasonNoAuthMechanism);
  });
});

describe("session: failures", () => {
  it("goes on when one of three recipients is rejected", () => {
    begin();
    cfg(F.FieldRcptTo, "b@example.com");
    cfg(F.FieldRcptTo, "c@example.com");
    toReady(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("250 ok\r\n250 ok\r\n550 5.1.1 no such user\r\n250 ok\r\n354 go\r\n", 3);
    expect(rcptCodes).toStrictEqual([250000, 550001, 250002]);
    expect(saw(E.EventReadyForBody)).toBe(true);
    expect(saw(E.EventFailed)).toBe(false);
  });

  it("stops when all recipients are required and one is rejected", () => {
    begin();
    setInt(F.FieldAllRecipientsRequired, 1);
    cfg(F.FieldRcptTo, "b@example.com");
    toReady(EHLO_PLAIN);
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\n");
    server("250 ok\r\n");
    expect(wire()).toBe("RCPT TO:<a@example.com>\r\n");
    server("450 4.2.1 mailbox busy\r\n");
    expect(failReason).toBe(E.ReasonRecipientRejected);
    expect(failClass).toBe(E.ClassTransient);
    expect(wire().includes("DATA")).toBe(false);
  });

  it("fails when every recipient is rejected", () => {
    begin();
    toReady(EHLO_PLAIN);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("250 ok\r\n");
    wire();
    server("550 5.1.1 unknown\r\n");
    expect(failReason).toBe(E.ReasonAllRecipientsRejected);
    expect(failClass).toBe(E.ClassPermanent);
  });

  it("reports 552 after the data as a size failure", () => {
    begin();
    toReady(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("250 ok\r\n250 ok\r\n354 go\r\n");
    body("big\r\n");
    bodyEnd();
    wire();
    server("552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    expect(failReason).toBe(E.ReasonSizeExceeded);
    expect(failClass).toBe(E.ClassPermanent);
  });

  it("refuses locally a message larger than the announced SIZE", () => {
    begin();
    toReady(EHLO_PIPE);
    wire();
    expect(sendEnvelope(10001, F.BodyMode7Bit)).toBe(E.ReasonSizeExceeded);
    drain();
    expect(failReason).toBe(E.ReasonSizeExceeded);
    expect(wire()).toBe("");
  });

  it("fails as transient on 421 mid-session", () => {
    begin();
    toReady(EHLO_PIPE);
    sendEnvelope(0, F.BodyMode7Bit);
    wire();
    server("250 ok\r\n421 4.3.2 Service shutting down\r\n");
    expect(failReason).toBe(E.ReasonServerClosing);
    expect(failClass).toBe(E.ClassTransient);
    expect(quit()).toBe(E.ReasonBadState); // the server is gone: just close
  });

  it("refuses a greeting that is not 220", () => {
    begin();
    server("554 5.7.1 no service for you\r\n");
    expect(failReason).toBe(E.ReasonGreetingRefused);
    expect(failClass).toBe(E.ClassPermanent);
    expect(wire()).toBe("");
  });

  it("fails with a protocol class on bytes that are not SMTP", () => {
    begin();
    server("HTTP/1.1 200 OK\r\n");
    expect(failReason).toBe(E.ReasonBadReply);
    expect(failClass).toBe(E.ClassProtocol);
    server("250 ok\r\n"); // ignored from now on
    expect(kinds.length).toBe(1);
  });

  it("fails on a reply nobody asked for", () => {
    begin();
    toReady(EHLO_PLAIN);
    server("250 surprise\r\n");
    expect(failReason).toBe(E.ReasonUnexpectedReply);
  });
});
