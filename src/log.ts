// pino JSON logs. Secrets are redacted by key wherever they appear in a logged object, and the
// config object is never logged whole: tokens must not reach logs even at debug level.
//
// Errors are logged as `{ err }` (pino's convention) through serializeError below instead of pino's
// stdSerializers.err, because that one copies every enumerable field of the error, and the SDKs hang
// their requests there: @slack/web-api its response `data` and the `original` request error (whose
// axios-based versions carry `config.headers.Authorization`, axios/axios#6919), ioredis the `command.args` of the
// command that failed (an AUTH's password), @discordjs/rest the `url` (interaction and webhook routes
// hold a token) and `requestBody`. Those sit deeper than the redact paths reach, and an allow-list
// cannot miss a field a new SDK version adds the way a deny-list can.
import { type Logger, pino } from "pino";

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

/** The fields of an error that reach the log beside type, message and stack: what failed, never with what. */
const KEPT_ERROR_FIELDS = ["code", "errno", "syscall", "status", "statusCode", "retryable", "exitCode"] as const;
/** How many `cause` links (and AggregateError members) are followed: enough for SDK wrapping, bounded for cycles. */
const MAX_ERROR_DEPTH = 5;
const MAX_AGGREGATE_ERRORS = 10;

/** An HTTP credential written into a message or stack (`Authorization: Bearer …` copied into text). */
const CREDENTIAL_IN_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

function scrubText(text: string): string {
  return text.replace(CREDENTIAL_IN_TEXT, "$1 [redacted]");
}

function typeName(value: object): string {
  const ctor = (value as { constructor?: unknown }).constructor;
  if (typeof ctor === "function" && ctor.name) return ctor.name;
  const name = (value as { name?: unknown }).name;
  return typeof name === "string" ? name : "Object";
}

function serializeAt(value: unknown, depth: number, seen: Set<object>): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return typeof value === "function" ? "[function]" : value;
  const type = typeName(value);
  if (seen.has(value)) return { type, message: "[circular]" };
  seen.add(value);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = { type };
  if (typeof source.message === "string") out.message = scrubText(source.message);
  if (typeof source.stack === "string") out.stack = scrubText(source.stack);
  for (const field of KEPT_ERROR_FIELDS) {
    const v = source[field];
    // Primitives only: a field of this name holding an object is not what it claims to be.
    if (typeof v === "string") out[field] = scrubText(v);
    else if (typeof v === "number" || typeof v === "boolean") out[field] = v;
  }
  if (depth < MAX_ERROR_DEPTH) {
    if (source.cause !== undefined) out.cause = serializeAt(source.cause, depth + 1, seen);
    if (Array.isArray(source.errors)) {
      out.errors = source.errors.slice(0, MAX_AGGREGATE_ERRORS).map((e) => serializeAt(e, depth + 1, seen));
    }
  }
  return out;
}

/**
 * What a logged error becomes: type, message, stack, the KEPT_ERROR_FIELDS and its `cause` chain (and an
 * AggregateError's `errors`), each as safe as the error itself; every other field is dropped. Anything
 * thrown works: a string stays a string, an object that is no Error keeps only the same fields.
 */
export function serializeError(value: unknown): unknown {
  return serializeAt(value, 0, new Set());
}

export function createLogger(level = process.env.LOG_LEVEL ?? "info", destination?: NodeJS.WritableStream): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const options = {
    level,
    base: { app: "upshift" },
    redact: { paths, censor: "[redacted]" },
    // `err` is the key every log call uses; `error` is covered too so a slip cannot log a raw SDK error.
    serializers: { err: serializeError, error: serializeError },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export type { Logger };
