// Benchmark peer: send one file as an attachment with nodemailer (STARTTLS + AUTH PLAIN).
// Arguments come from the environment so no secret is in argv.
import nodemailer from "nodemailer";
import { readFileSync } from "node:fs";

const env = process.env;
const transport = nodemailer.createTransport({
  host: "127.0.0.1",
  port: Number(env.BENCH_PORT),
  secure: false,
  requireTLS: true,
  tls: { ca: readFileSync(env.BENCH_CA), servername: "localhost" },
  auth: { user: env.BENCH_USER, pass: env.BENCH_PASS },
});
await transport.sendMail({
  from: "scanner@example.com",
  to: env.BENCH_TO,
  subject: "Scan",
  text: "Scanned document attached.",
  attachments: [{ filename: "scan.pdf", path: env.BENCH_FILE, contentType: "application/pdf" }],
});
transport.close();
