// Configuration errors a person can act on: a stable code, the field at fault, plain words.
// The CLI prints them and exits 2 before anything is sent.

export type ConfigErrorCode =
  | "BOARD_UNREADABLE"   // the board file cannot be read
  | "BOARD_NOT_JSON"     // the board file is not JSON
  | "BOARD_INVALID"      // a field breaks the schema or a cross-field rule
  | "BOARD_UNKNOWN"      // no board by that name
  | "PRESET_UNKNOWN"
  | "ADDRESS_INVALID"    // not an RFC 5321 mailbox
  | "DOMAIN_INVALID"     // not a domain name
  | "OPTION_INVALID";    // any other option with a wrong value

export class ConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    /** JSON path ("$.core.inCap") for board fields, option name ("--to[1]") for CLI input. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ConfigError";
  }
}
