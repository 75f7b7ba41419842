// The outcome-text catalogue in German: the same keys as EN in host/text/outcomes.ts, the same
// {values}, the same rules (one sentence, no " — " joins, a full stop at the end). The panel shows
// these when its language is German; test/text/catalogues.test.ts checks that every English key
// has a German sentence with the same placeholders.
import type { Catalogue } from "./outcomes.js";

export const DE: Catalogue = {
  // ── zugestellt ────────────────────────────────────────────────────────────────────────────
  OK: "Gesendet.",
  OK_ALL: "An alle {n} Empfänger gesendet.",
  PARTIAL: "An {ok} von {n} Empfängern gesendet; {rest}.",
  "PARTIAL:retry": "{k} Empfänger wird später erneut versucht",
  "PARTIAL:retry-many": "{k} Empfänger werden später erneut versucht",
  "PARTIAL:refused": "{k} abgelehnt",
  PARTS: "{text} Der Scan ging in {n} Nachrichten hinaus.",
  PARTS_DELIVERED: "{sent} von {total} Nachrichten waren bereits zugestellt.",

  // ── Antworten des Servers ────────────────────────────────────────────────────────────────
  M365_SEND_AS_DENIED: "Dieses Postfach darf nicht mit der Absenderadresse senden.",
  M365_SMTP_AUTH_DISABLED: "Die Anmeldung wurde abgelehnt, weil SMTP AUTH für dieses Postfach ausgeschaltet ist.",
  AUTH_FAILED: "Die Anmeldung ist fehlgeschlagen; prüfen Sie Benutzername und Passwort.",
  "AUTH_FAILED:xoauth2": "Die Anmeldung ist abgelaufen; melden Sie sich am Gerät neu an.",
  M365_NOT_AUTHENTICATED: "Der Server verlangt vor dem Senden eine Anmeldung.",
  AUTH_REQUIRED: "Der Server verlangt vor dem Senden eine Anmeldung.",
  TLS_REQUIRED_BY_SERVER: "Der Server verlangt Verschlüsselung; schalten Sie TLS ein.",
  M365_GRAYLISTED: "Der Server ist ausgelastet (gedrosselt); das Gerät versucht es später erneut.",
  RATE_LIMITED: "Das Gerät sendet zu schnell für dieses Postfach und versucht es später erneut.",
  SERVER_CLOSING: "Der Server hat die Verbindung beendet; das Gerät versucht es später erneut.",
  MESSAGE_TOO_BIG: "Der Scan ist zu groß für den Server und wird daher in kleineren Teilen gesendet.",
  MAILBOX_FULL: "Das Postfach des Empfängers ist voll.",
  RELAY_DENIED: "Der Server hat die Weiterleitung an diesen Empfänger abgelehnt.",
  "RELAY_DENIED:direct-send": "Direct Send erreicht nur Empfänger innerhalb der Organisation.",
  STORE_REJECTED: "Der Server hat die Nachricht abgelehnt (554 5.2.0); Einzelheiten stehen im Protokoll.",
  RECIPIENT_UNKNOWN: "Die Empfängeradresse wurde nicht gefunden.",
  MAILBOX_BUSY: "Das Postfach des Empfängers ist belegt; das Gerät versucht es später erneut.",
  SERVER_ERROR_TEMP: "Der Server hatte ein Problem; das Gerät versucht es später erneut.",
  TOO_MANY_RECIPIENTS: "Es waren zu viele Empfänger auf einmal; die übrigen folgen im nächsten Durchgang.",
  SERVER_STORAGE_FULL: "Der Server hat keinen Platz mehr; das Gerät versucht es später erneut.",
  TRANSIENT: "Der Server hatte ein vorübergehendes Problem ({code}); das Gerät versucht es erneut.",
  PERMANENT: "Der Server hat die Nachricht abgelehnt ({reply}); Einzelheiten stehen im Protokoll.",

  // ── Ablehnungen und Protokollfehler des Kerns ────────────────────────────────────────────
  TLS_NOT_OFFERED: "Der Server bietet keine Verschlüsselung an, daher wurde nichts gesendet (TLS ist vorgeschrieben).",
  STARTTLS_INJECTION: "Die Verbindung wurde manipuliert, daher wurde nichts gesendet.",
  PROTOCOL_LINE_TOO_LONG: "Die Antwort des Servers war unverständlich; das Gerät versucht es später erneut.",
  PROTOCOL_ERROR: "Die Antwort des Servers war unverständlich; das Gerät versucht es später erneut.",
  PROTOCOL_DESYNC: "Der Server hat außer der Reihe geantwortet; das Gerät versucht es erneut.",
  PROTOCOL_REPLY_TOO_LONG: "Die Antwort des Servers war viel zu lang; das Gerät versucht es später erneut.",
  NO_AUTH_MECHANISM: "Gerät und Server haben kein gemeinsames Anmeldeverfahren.",
  PLAINTEXT_AUTH_REFUSED: "Das Passwort wäre unverschlüsselt übertragen worden, daher wurde nichts gesendet.",
  BODY_MODE_UNSUPPORTED: "Der Server braucht eine einfachere Kodierung; das Gerät versucht es damit erneut.",
  BAD_ARGUMENT: "Eine Adresse oder Einstellung ist ungültig; prüfen Sie die Konfiguration.",
  INTERNAL_ERROR: "Ein interner Fehler hat das Senden verhindert; bitte melden Sie ihn.",
  CORE_FAILURE: "Das Senden ist fehlgeschlagen; Einzelheiten stehen im Protokoll.",

  // ── die Verbindung ───────────────────────────────────────────────────────────────────────
  WRITE_TIMEOUT: "Der Mailserver nimmt keine Daten mehr an; das Gerät versucht es später erneut.",
  TLS_CERT_NOT_YET_VALID: "Das Serverzertifikat ist noch nicht gültig; prüfen Sie die Uhr des Geräts.",
  HOST_UNREACHABLE: "Es gibt keinen Weg zum Mailserver; prüfen Sie das Netzwerkkabel.",
  DNS_FAILURE: "Der Name des Mailservers wurde nicht gefunden; prüfen Sie den Servernamen oder das Netzwerk.",
  CONNECT_REFUSED: "Der Mailserver ist nicht erreichbar; das Gerät versucht es später erneut.",
  CONNECT_TIMEOUT: "Der Mailserver antwortet nicht; das Gerät versucht es später erneut.",
  READ_TIMEOUT: "Der Mailserver antwortet nicht mehr; das Gerät versucht es später erneut.",
  CONNECTION_RESET: "Die Verbindung wurde unterbrochen; das Gerät versucht es später erneut.",
  TLS_HANDSHAKE_FAILED: "Die sichere Verbindung ist fehlgeschlagen; prüfen Sie die TLS-Einstellungen.",
  TLS_CERT_UNTRUSTED: "Dem Serverzertifikat wird nicht vertraut, daher wurde nichts gesendet.",
  TLS_CERT_EXPIRED: "Das Serverzertifikat ist abgelaufen, daher wurde nichts gesendet.",
  TLS_HOSTNAME_MISMATCH: "Das Serverzertifikat gilt für einen anderen Namen, daher wurde nichts gesendet.",
  TLS_VERSION_TOO_OLD: "Der Server bietet nur veraltete TLS-Versionen an, daher wurde nichts gesendet.",
  TLS_ENGINE_UNAVAILABLE: "Die Verschlüsselung fehlt; prüfen Sie die Gerätesoftware.",
  NETWORK: "Ein Netzwerkproblem hat das Senden verhindert; das Gerät versucht es später erneut.",
  SESSION_ENDED: "Die Verbindung endete, bevor der Server den Scan angenommen hatte; das Gerät versucht es später erneut.",

  // ── Anmeldung (XOAUTH2-Token) und Einstellungen ──────────────────────────────────────────
  NO_TOKEN: "Das Gerät ist nicht angemeldet; melden Sie sich am Gerät an.",
  OAUTH_ACCESS_DENIED: "Die Anmeldung wurde abgelehnt; versuchen Sie es am Gerät erneut.",
  OAUTH_CODE_EXPIRED: "Der Anmeldecode ist abgelaufen; starten Sie die Anmeldung neu.",
  OAUTH_SIGN_IN_EXPIRED: "Die Anmeldung ist abgelaufen; melden Sie sich am Gerät neu an.",
  OAUTH_NOT_SIGNED_IN: "Das Gerät ist nicht angemeldet; melden Sie sich zuerst am Gerät an.",
  OAUTH_CLIENT_INVALID: "Die App-Registrierung wurde abgelehnt; prüfen Sie Mandant und Client-ID.",
  OAUTH_NETWORK: "Der Anmeldedienst ist nicht erreichbar; das Gerät versucht es später erneut.",
  OAUTH_FAILED: "Die Anmeldung ist fehlgeschlagen; Einzelheiten stehen im Protokoll.",
  CONFIG: "Die Einstellungen müssen geprüft werden, daher wurde nichts gesendet.",
  IN_OUTBOX: "Der Scan wartet im Postausgang.",
  HELD_IN_OUTBOX: "Der Scan wird im Postausgang zurückgehalten, bis jemand die Ursache behebt und ihn erneut sendet.",
  OUTBOX_UNWRITABLE: "Das Gerät konnte den Scan nicht speichern, daher wurde nichts gesendet.",

  // ── die letzte Fortschrittszeile: was aus dem Scan wurde ─────────────────────────────────
  "OUTCOME:sent": "Gesendet",
  "OUTCOME:partial": "Teilweise gesendet",
  "OUTCOME:held": "Zurückgehalten",
  "OUTCOME:retry": "Wird erneut versucht",
  "OUTCOME:not-sent": "Nicht gesendet",
};
