// pino JSON logs. Secrets are redacted by key wherever they appear in a logged object, and the
// config object is never logged whole: tokens must not reach logs even at debug level.
import { pino, type Logger } from "pino";

export const REDACTED_KEYS = [
  "token",
  "botToken",
  "appToken",
  "signingSecret",
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "DISCORD_TOKEN",
  "ADMIN_TOKEN",
  "authorization",
  "Authorization",
  "password",
];

export function createLogger(level = process.env.LOG_LEVEL ?? "info", destination?: NodeJS.WritableStream): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const options = { level, base: { app: "upshift" }, redact: { paths, censor: "[redacted]" } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export type { Logger };
