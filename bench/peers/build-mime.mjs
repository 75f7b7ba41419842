// Pre-builds the message curl --upload-file sends: nodemailer's own MIME (stream transport, no
// network) of the same scan the other peers send, written to BENCH_OUT once, before any timing.
import nodemailer from "nodemailer";
import { writeFileSync } from "node:fs";

const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
const info = await transport.sendMail({
  from: "scanner@example.com",
  to: process.env.BENCH_TO ?? "desk@example.com",
  subject: "Scan",
  text: "Scanned document attached.",
  attachments: [{ filename: "scan.pdf", path: process.env.BENCH_FILE, contentType: "application/pdf" }],
});
writeFileSync(process.env.BENCH_OUT, info.message);
