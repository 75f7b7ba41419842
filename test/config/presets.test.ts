// Presets are Microsoft's three device options as defaults; every field can be overridden; bad
// input names the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isInternal, mxDomain, resolvePreset, PRESET_NAMES } from "../../host/config/presets.js";
import { ConfigError } from "../../host/config/errors.js";

const fails = (fn: () => unknown, code: string, field: string, re?: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.field, field);
    if (re) assert.match(e.message, re);
    return true;
  });

test("m365-submission: smtp.office365.com:587, STARTTLS required, TLS 1.2, XOAUTH2 before LOGIN", () => {
  const p = resolvePreset("m365-submission");
  assert.deepEqual(
    { host: p.host, port: p.port, tls: p.tls, min: p.tlsMinVersion, mechs: p.authMechs, scope: p.recipientScope },
    { host: "smtp.office365.com", port: 587, tls: "required", min: "TLSv1.2", mechs: ["XOAUTH2", "LOGIN"], scope: "any" },
  );
});

test("m365-direct-send: the domain's MX hosts, port 25, opportunistic TLS, no AUTH, internal only", () => {
  const p = resolvePreset("m365-direct-send", { domain: "contoso.com" });
  assert.deepEqual([p.host, p.mx], ["contoso.com", "contoso.com"]);
  assert.equal(p.port, 25);
  assert.equal(p.tls, "opportunistic");
  assert.deepEqual(p.authMechs, []);
  assert.equal(p.recipientScope, "accepted-domains");
  assert.deepEqual(p.acceptedDomains, ["contoso.com"]);
  // The domain may come from the sender address instead.
  assert.equal(resolvePreset("m365-direct-send", { from: "scanner@Fabrikam.co.uk" }).mx, "fabrikam.co.uk");
  // --server names the endpoint outright: no MX lookup.
  assert.equal(resolvePreset("m365-direct-send", { from: "scanner@contoso.com", host: "contoso-com.mail.protection.outlook.com" }).mx, undefined);
});

test("m365-relay: the domain's MX hosts :25, STARTTLS required, no AUTH, client certificate kept", () => {
  const p = resolvePreset("m365-relay", { domain: "contoso.com", clientCert: { certFile: "c.pem", keyFile: "k.pem" } });
  assert.equal(p.mx, "contoso.com");
  assert.equal(p.port, 25);
  assert.equal(p.tls, "required");
  assert.deepEqual(p.authMechs, []);
  assert.deepEqual(p.clientCert, { certFile: "c.pem", keyFile: "k.pem" });
});

test("MX domain: upper case, trailing dot, IDN; bad domains name the field", () => {
  assert.equal(mxDomain("contoso.com"), "contoso.com");
  assert.equal(mxDomain("Mail.Contoso.COM."), "mail.contoso.com");
  assert.equal(mxDomain("bücher.de"), "xn--bcher-kva.de");
  fails(() => mxDomain("contoso"), "DOMAIN_INVALID", "--domain", /no dot/);
  fails(() => mxDomain("192.168.1.10"), "DOMAIN_INVALID", "--domain", /IP address/);
  fails(() => mxDomain("con toso.com"), "DOMAIN_INVALID", "--domain", /spaces/);
  fails(() => mxDomain("-contoso.com"), "DOMAIN_INVALID", "--domain", /letters, digits and inner hyphens/);
});

test("every field is overridable", () => {
  const p = resolvePreset("m365-submission", { host: "smtp-lab.contoso.com", port: 2525, tls: "opportunistic", authMechs: ["LOGIN"], tlsMinVersion: "TLSv1.3" });
  assert.deepEqual([p.host, p.port, p.tls, p.authMechs, p.tlsMinVersion], ["smtp-lab.contoso.com", 2525, "opportunistic", ["LOGIN"], "TLSv1.3"]);
  // 465 means implicit TLS unless stated otherwise.
  assert.equal(resolvePreset("generic", { host: "mail.example.org", port: 465 }).tls, "implicit");
  const ds = resolvePreset("m365-direct-send", { domain: "contoso.com", host: "127.0.0.1", port: 2525 });
  assert.deepEqual([ds.host, ds.port], ["127.0.0.1", 2525]);
});

test("bad input names the field", () => {
  fails(() => resolvePreset("office365"), "PRESET_UNKNOWN", "--preset", /m365-submission, m365-hve, m365-direct-send, m365-relay, generic/);
  fails(() => resolvePreset("generic"), "OPTION_INVALID", "--host");
  fails(() => resolvePreset("m365-direct-send"), "OPTION_INVALID", "--domain");
  fails(() => resolvePreset("m365-relay", { domain: "contoso..com" }), "DOMAIN_INVALID", "--domain", /empty label/);
  fails(() => resolvePreset("m365-submission", { from: "scanner.contoso.com" }), "ADDRESS_INVALID", "--from", /no @/);
  fails(() => resolvePreset("m365-submission", { port: 70000 }), "OPTION_INVALID", "--port");
  fails(() => resolvePreset("generic", { host: "mail_server.example.org" }), "DOMAIN_INVALID", "--host");
  assert.equal(PRESET_NAMES.length, 5);
});

test("accepted-domain membership, with wildcards", () => {
  assert.ok(isInternal("a@Contoso.com", ["contoso.com"]));
  assert.ok(!isInternal("a@fabrikam.com", ["contoso.com"]));
  assert.ok(isInternal("a@eu.contoso.com", ["*.contoso.com"]));
  assert.ok(!isInternal("a@contoso.com.evil.net", ["contoso.com", "*.contoso.com"]));
});
