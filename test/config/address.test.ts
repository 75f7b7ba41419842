// RFC 5321 mailbox syntax (§4.1.2), limits (§4.5.3.1) and RFC 6531 SMTPUTF8.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertMailbox, domainProblem, mailboxProblem, needsSmtpUtf8 } from "../../host/config/address.js";
import { ConfigError } from "../../host/config/errors.js";

test("valid mailboxes", () => {
  for (const m of ["scanner@contoso.com", "first.last+scans@sub.contoso.co.uk", "o'brien@contoso.com", '"john doe"@contoso.com', "x@[192.0.2.1]", "x@[IPv6:2001:db8::1]", "a!#$%&'*+-/=?^_`{|}~@contoso.com"]) {
    assert.equal(mailboxProblem(m), null, m);
  }
});

test("invalid mailboxes say why", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["scanner", /no @/],
    ["@contoso.com", /nothing before/],
    ["a..b@contoso.com", /two dots/],
    [".a@contoso.com", /dot at the start/],
    ["a b@contoso.com", /not allowed/],
    ["a,b@contoso.com", /not allowed/],
    ["<a@contoso.com>", /angle brackets/],
    ["a@contoso", /no dot/],
    ["a@contoso.com\r\nRCPT TO:<x@y.z>", /line break/],
    ["x".repeat(65) + "@contoso.com", /64 octets/],
    ["a@" + "b".repeat(64) + ".com", /63 octets/],
    ["a@[300.1.1.1]", /address literal/],
    ['"a"b"@contoso.com', /quoted/],
  ];
  for (const [m, re] of cases) assert.match(mailboxProblem(m) ?? "(accepted)", re, JSON.stringify(m));
});

test("SMTPUTF8: non-ASCII only when allowed", () => {
  assert.match(mailboxProblem("jürgen@contoso.com") ?? "", /SMTPUTF8/);
  assert.equal(mailboxProblem("jürgen@contoso.com", { smtpUtf8: true }), null);
  assert.equal(mailboxProblem("用户@例子.广告", { smtpUtf8: true }), null);
  assert.match(mailboxProblem("a@bücher.de") ?? "", /non-ASCII/);
  assert.equal(mailboxProblem("a@xn--bcher-kva.de"), null);
  assert.ok(needsSmtpUtf8("a@b.c", "jürgen@contoso.com"));
  assert.ok(!needsSmtpUtf8("a@b.c"));
});

test("domains: IP addresses and numeric TLDs are not domains", () => {
  assert.match(domainProblem("10.0.0.5") ?? "", /IP address/);
  assert.match(domainProblem("10.0.0.256") ?? "", /ends in a number/);
  assert.equal(domainProblem("localhost", { requireDot: false }), null);
});

test("assertMailbox throws ConfigError naming the field", () => {
  assert.throws(() => assertMailbox("bob", "--to[2]"), (e: unknown) => e instanceof ConfigError && e.code === "ADDRESS_INVALID" && e.field === "--to[2]" && e.message.startsWith("--to[2]: not an e-mail address"));
});
