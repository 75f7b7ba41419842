// DSN (RFC 3461): with FieldDsn=1 and a server that offers DSN, MAIL carries RET=HDRS and the
// ENVID (xtext), every RCPT carries NOTIFY=FAILURE,DELAY. Never to a server that does not offer it.
import { setup, cfg, server, wire, clearSeen, drain } from "./script";
import { setInt, start, sendEnvelope } from "../../../assembly/smtp/abi";
import * as F from "../../../assembly/smtp/fields";
import * as E from "../../../assembly/smtp/events";

function ready(ehlo: string, dsn: bool, envid: string): void {
  setup();
  clearSeen();
  cfg(F.FieldClientName, "mfp.example.com");
  cfg(F.FieldMailFrom, "scanner@example.com");
  cfg(F.FieldRcptTo, "a@example.com");
  cfg(F.FieldRcptTo, "b@example.com");
  setInt(F.FieldTlsPolicy, F.TlsPolicyNone);
  setInt(F.FieldDsn, dsn ? 1 : 0);
  if (envid.length) expect(cfg(F.FieldEnvId, envid)).toBe(0);
  start();
  server("220 mx\r\n");
  wire();
  server(ehlo);
}

describe("DSN parameters", () => {
  it("asks for failure and delay reports when the server offers DSN (pipelined)", () => {
    ready("250-mx\r\n250-PIPELINING\r\n250 DSN\r\n", true, "job-1.scan@mfp");
    expect(sendEnvelope(0, F.BodyMode7Bit)).toBe(0);
    drain();
    expect(wire()).toBe(
      "MAIL FROM:<scanner@example.com> RET=HDRS ENVID=job-1.scan@mfp\r\n" +
      "RCPT TO:<a@example.com> NOTIFY=FAILURE,DELAY\r\n" +
      "RCPT TO:<b@example.com> NOTIFY=FAILURE,DELAY\r\nDATA\r\n");
  });

  it("also one command at a time", () => {
    ready("250-mx\r\n250 DSN\r\n", true, "x");
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com> RET=HDRS ENVID=x\r\n");
    server("250 ok\r\n");
    expect(wire()).toBe("RCPT TO:<a@example.com> NOTIFY=FAILURE,DELAY\r\n");
  });

  it("sends nothing of it to a server without DSN", () => {
    ready("250-mx\r\n250 PIPELINING\r\n", true, "x");
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
  });

  it("sends nothing of it when switched off", () => {
    ready("250-mx\r\n250-PIPELINING\r\n250 DSN\r\n", false, "x");
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
  });

  it("without an ENVID, RET=HDRS alone", () => {
    ready("250-mx\r\n250 DSN\r\n", true, "");
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com> RET=HDRS\r\n");
  });

  it("encodes the ENVID as xtext (RFC 3461 §4: '+', '=' and space as +HH)", () => {
    ready("250-mx\r\n250 DSN\r\n", true, "a+b=c d");
    sendEnvelope(0, F.BodyMode7Bit);
    expect(wire()).toBe("MAIL FROM:<scanner@example.com> RET=HDRS ENVID=a+2Bb+3Dc+20d\r\n");
  });

  it("refuses an ENVID over 100 characters on the wire, with controls or non-ASCII", () => {
    setup();
    let s = "";
    for (let i = 0; i < 100; i++) s += "e";
    expect(cfg(F.FieldEnvId, s)).toBe(0);
    expect(cfg(F.FieldEnvId, s + "e")).toBe(E.ReasonBadArgument);
    expect(cfg(F.FieldEnvId, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+++++++++++++++++++++++")).toBe(E.ReasonBadArgument); // 33 + 23×3
    expect(cfg(F.FieldEnvId, "a\r\nRCPT TO:<x@y>")).toBe(E.ReasonBadArgument);
    expect(cfg(F.FieldEnvId, "caf\u00e9")).toBe(E.ReasonBadArgument);
  });

  it("a pipelined envelope of 100 recipients with DSN still fits one write", () => {
    setup();
    clearSeen();
    cfg(F.FieldMailFrom, "scanner@example.com");
    for (let i = 0; i < 100; i++) cfg(F.FieldRcptTo, "r" + i.toString() + "@example.com");
    setInt(F.FieldDsn, 1);
    start();
    server("220 mx\r\n");
    wire();
    server("250-mx\r\n250-PIPELINING\r\n250 DSN\r\n");
    expect(sendEnvelope(0, F.BodyMode7Bit)).toBe(0);
    drain();
    const w = wire();
    expect(w.endsWith("RCPT TO:<r99@example.com> NOTIFY=FAILURE,DELAY\r\nDATA\r\n")).toBe(true);
  });
});
