import { capsClear, capsLine, capFlags, capSize, capAuth } from "../../../assembly/smtp/caps";
import { CapPipelining, CapStartTls, CapSize, Cap8BitMime, CapSmtpUtf8, CapChunking, CapBinaryMime,
  CapEnhancedStatusCodes, CapDsn, CapAuth, MechPlain, MechLogin, MechXoauth2 } from "../../../assembly/smtp/fields";

function line(s: string): void {
  const b = String.UTF8.encode(s);
  capsLine(changetype<usize>(b), <u32>b.byteLength);
}

describe("EHLO capability table", () => {
  it("reads every extension the client uses", () => {
    capsClear();
    line("PIPELINING"); line("STARTTLS"); line("SIZE 35882577"); line("8BITMIME"); line("SMTPUTF8");
    line("CHUNKING"); line("BINARYMIME"); line("ENHANCEDSTATUSCODES"); line("DSN");
    line("AUTH LOGIN XOAUTH2");
    expect(capFlags).toBe(CapPipelining | CapStartTls | CapSize | Cap8BitMime | CapSmtpUtf8 | CapChunking |
      CapBinaryMime | CapEnhancedStatusCodes | CapDsn | CapAuth);
    expect(capSize).toBe(35882577);
    expect(capAuth).toBe(MechLogin | MechXoauth2);
  });

  it("is case-insensitive and takes the old AUTH= form", () => {
    capsClear();
    line("pipelining");
    line("AUTH=PLAIN login");
    expect(capFlags).toBe(CapPipelining | CapAuth);
    expect(capAuth).toBe(MechPlain | MechLogin);
  });

  it("ignores unknown keywords and near misses", () => {
    capsClear();
    line("X-EXPS GSSAPI NTLM");
    line("PIPELININGX");
    line("STARTTL");
    line("AUTH GSSAPI CRAM-MD5");
    expect(capFlags).toBe(CapAuth);
    expect(capAuth).toBe(0);
  });

  it("treats SIZE without a number as no announced limit", () => {
    capsClear();
    line("SIZE");
    expect(capFlags).toBe(CapSize);
    expect(capSize).toBe(0);
    capsClear();
    line("SIZE 99999999999999");
    expect(capSize).toBe(0xffffffff);
  });

  it("forgets everything on clear (after STARTTLS)", () => {
    line("PIPELINING");
    capsClear();
    expect(capFlags).toBe(0);
    expect(capSize).toBe(0);
    expect(capAuth).toBe(0);
  });
});
