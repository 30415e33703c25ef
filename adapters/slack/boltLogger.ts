// Bolt and the WebClient log through @slack/logger's interface; this routes them into pino so
// Slack's own messages land in the same JSON stream, at the same level, with tokens scrubbed.
import { formatWithOptions } from "node:util";
import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "../../src/log.ts";

/** Slack token shapes (bot, user, app-level, config): scrubbed from any text Slack's SDK logs. */
const TOKEN_PATTERN = /\bx(?:ox[a-z]|app|oxe\.xox[a-z])-[A-Za-z0-9-]+/g;

export function scrubTokens(text: string): string {
  return text.replace(TOKEN_PATTERN, "[redacted]");
}

function toBoltLevel(level: string): LogLevel {
  if (level === "trace" || level === "debug") return LogLevel.DEBUG;
  if (level === "info") return LogLevel.INFO;
  if (level === "warn") return LogLevel.WARN;
  return LogLevel.ERROR;
}

export function boltLogger(parent: Logger, name = "slack"): BoltLogger {
  const log = parent.child({ component: name });
  const text = (msg: unknown[]) =>
    scrubTokens(formatWithOptions({ depth: 4, breakLength: Number.POSITIVE_INFINITY }, ...msg));
  return {
    debug: (...msg: unknown[]) => {
      if (log.isLevelEnabled("debug")) log.debug(text(msg));
    },
    info: (...msg: unknown[]) => log.info(text(msg)),
    warn: (...msg: unknown[]) => log.warn(text(msg)),
    error: (...msg: unknown[]) => log.error(text(msg)),
    setLevel: (level: LogLevel) => {
      // Bolt's receivers call setLevel(INFO) by default; LOG_LEVEL (the parent's level) stays the
      // floor, so Bolt can quieten its own output but never make it louder than configured.
      if (log.levels.values[level] >= parent.levelVal) log.level = level;
    },
    getLevel: () => toBoltLevel(log.level),
    setName: (n: string) => log.setBindings({ component: n }),
  };
}
