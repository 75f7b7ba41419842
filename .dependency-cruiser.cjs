// The import graph's rules, checked by test/structure/imports.test.ts (dependency-cruiser, with
// swc as the TypeScript parser). Layers of host/, bottom to top:
//   base → text, transport, scan, tape → core, config → log, oauth → session → outbox → doctor
//   → panel → sim → commands → cli.ts
// A rule names what a room must not import; a comment says why.
const UPPER_THAN_SESSION = "^host/(outbox|doctor|panel|sim|commands)/|^host/cli\\.ts$";

module.exports = {
  forbidden: [
    {
      // A circle makes load order matter and two rooms one concept.
      name: "no-circular",
      severity: "error",
      from: { path: "^(host|assembly)/" },
      to: { circular: true },
    },
    {
      // The core is sans-I/O and ships alone (docs/core.md): nothing of the host, no package.
      name: "assembly-imports-only-assembly",
      severity: "error",
      from: { path: "^assembly/" },
      to: { pathNot: "^assembly/" },
    },
    {
      // Simulator-only code (self-signed certificates, the sim IdP and panel, the loopback MTAs):
      // a firmware bundle drops host/sim/, so only the simulator's entry points may reach it.
      name: "sim-only-from-sim-entry-points",
      severity: "error",
      from: { pathNot: "^host/sim/|^host/commands/(sim|panel)\\.ts$|^host/cli\\.ts$|^test/|^bench/|^soak/" },
      to: { path: "^host/sim/" },
    },
    {
      // host/base/ (clock, durable writes) is the bottom: it uses no other room.
      name: "base-is-the-bottom",
      severity: "error",
      from: { path: "^host/base/" },
      to: { path: "^host/", pathNot: "^host/base/" },
    },
    {
      // Text, transport, scan sources and tapes are leaves: they know nothing of the session,
      // the configuration or the core wrapper that use them. The ABI's constants
      // (host/core/abi.ts, generated from the core) are data, not the wrapper: tapes name calls by them.
      name: "leaves-stay-leaves",
      severity: "error",
      from: { path: "^host/(text|transport|scan|tape)/" },
      to: { path: "^host/(core|config|log|oauth|session|outbox|doctor|panel|sim|commands)/|^host/cli\\.ts$", pathNot: "^host/core/abi\\.ts$" },
    },
    {
      // The core wrapper and the MIME writer serve the session; they never call up into it.
      name: "core-below-session",
      severity: "error",
      from: { path: "^host/core/" },
      to: { path: "^host/(config|log|oauth|session)/|" + UPPER_THAN_SESSION },
    },
    {
      // Configuration and outcome text are read by every room; they read none of the rooms
      // that act on them.
      name: "config-and-text-below-actions",
      severity: "error",
      from: { path: "^host/(config|text)/" },
      to: { path: "^host/(core|log|oauth|session)/|" + UPPER_THAN_SESSION },
    },
    {
      // The SMTP log and OAuth are used by the session's callers, never the other way round.
      name: "log-and-oauth-below-session",
      severity: "error",
      from: { path: "^host/(log|oauth)/" },
      to: { path: "^host/(session|core)/|" + UPPER_THAN_SESSION },
    },
    {
      // The session sends one message; queueing, doctor, panel and the CLI are built on it.
      name: "session-below-its-callers",
      severity: "error",
      from: { path: "^host/session/" },
      to: { path: UPPER_THAN_SESSION },
    },
    {
      // The outbox runs inside the daemon, the panel and the CLI: it imports none of them.
      name: "outbox-below-its-callers",
      severity: "error",
      from: { path: "^host/outbox/" },
      to: { path: "^host/(doctor|panel|sim|commands)/|^host/cli\\.ts$" },
    },
    {
      // Doctor's checks are shown by the panel and the CLI; they show nothing themselves.
      name: "doctor-below-its-callers",
      severity: "error",
      from: { path: "^host/doctor/" },
      to: { path: "^host/(panel|sim|commands)/|^host/cli\\.ts$" },
    },
    {
      // Commands are the CLI's: only host/cli.ts (and the commands themselves) import them.
      name: "commands-only-from-cli",
      severity: "error",
      from: { path: "^host/", pathNot: "^host/commands/|^host/cli\\.ts$" },
      to: { path: "^host/commands/" },
    },
    {
      // The product never reaches into its tests, benchmarks or soak.
      name: "host-never-imports-tests",
      severity: "error",
      from: { path: "^host/" },
      to: { path: "^(test|bench|soak)/" },
    },
  ],
  options: {
    parser: "swc",
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^host/panel/static/" },
  },
};
