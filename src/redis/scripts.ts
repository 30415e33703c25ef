// Upshift's own Lua scripts, the BullMQ way: one file per script in ./scripts, named
// `<name>-<numberOfKeys>.lua` with a header listing its KEYS and ARGV, read once when this
// module loads. `runScript` sends EVALSHA and falls back to EVAL when Redis answers NOSCRIPT (a
// restarted or failed-over server, SCRIPT FLUSH). ioredis `Cluster` routes EVALSHA/EVAL by the
// keys' slot, so one loader serves both. Not ioredis `defineCommand`: on the bot's auto-pipelined
// add connection (no offline queue), concurrent defined commands stalled until the ack deadline.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { RedisCommands } from "./commands.ts";

/** Every script and its number of KEYS: the file is `scripts/<name>-<keys>.lua`. */
export const SCRIPT_KEYS = {
  approvalVote: 3,
  lockRelease: 1,
  lockRenew: 1,
  planTransition: 1,
  requestDecide: 1,
  stepClaim: 1,
  stepRenew: 1,
  stepWrite: 1,
} as const;

export type ScriptName = keyof typeof SCRIPT_KEYS;

export function scriptFileName(name: ScriptName): string {
  return `${name}-${SCRIPT_KEYS[name]}.lua`;
}

/** The Lua source of every script, read at module load (a missing file fails the start, not a job). */
export const SCRIPTS: ReadonlyMap<ScriptName, string> = new Map(
  (Object.keys(SCRIPT_KEYS) as ScriptName[]).map((name) => [
    name,
    readFileSync(new URL(`./scripts/${scriptFileName(name)}`, import.meta.url), "utf8"),
  ]),
);

/** SHA-1 of each script, as Redis names a loaded script. */
const SHAS: ReadonlyMap<ScriptName, string> = new Map(
  [...SCRIPTS].map(([name, lua]) => [name, createHash("sha1").update(lua).digest("hex")]),
);

/** Runs one script by EVALSHA (EVAL on NOSCRIPT); `keys` must number as the file name says. */
export async function runScript(
  redis: RedisCommands,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (keys.length !== SCRIPT_KEYS[name]) {
    throw new Error(`script ${name} takes ${SCRIPT_KEYS[name]} keys, got ${keys.length}`);
  }
  const numKeys = SCRIPT_KEYS[name];
  try {
    return await redis.evalsha(SHAS.get(name)!, numKeys, ...keys, ...args);
  } catch (err) {
    // Not loaded on this server (yet, or any more): EVAL sends the source and loads it.
    if (!/NOSCRIPT/.test((err as Error)?.message ?? "")) throw err;
    return redis.eval(SCRIPTS.get(name)!, numKeys, ...keys, ...args);
  }
}
