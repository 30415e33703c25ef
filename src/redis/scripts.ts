// Upshift's own Lua scripts, the BullMQ way: one file per script in ./scripts, named
// `<name>-<numberOfKeys>.lua` with a header listing its KEYS and ARGV, read once when this
// module loads. `runScript` defines them on a connection with ioredis `defineCommand`, which
// sends EVALSHA and falls back to EVAL when Redis answers NOSCRIPT (a restarted or failed-over
// server, SCRIPT FLUSH). ioredis `Cluster` has the same `defineCommand` and routes each call
// by its keys' slot, so one loader serves both.
import { readFileSync } from "node:fs";
import type { Cluster, Redis } from "ioredis";

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

/** A connection the scripts can be defined on (a single node, Sentinel or Cluster). */
export type ScriptConnection = Redis | Cluster;

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

// The command names carry a prefix so they can never shadow a Redis command ioredis knows.
const commandName = (name: ScriptName) => `upshift_${name}`;
const defined = new WeakSet<ScriptConnection>();

/** Defines every script on `connection` (once per connection object). */
export function defineScripts(connection: ScriptConnection): void {
  if (defined.has(connection)) return;
  for (const [name, lua] of SCRIPTS) {
    connection.defineCommand(commandName(name), { lua, numberOfKeys: SCRIPT_KEYS[name] });
  }
  defined.add(connection);
}

type ScriptCall = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/** Runs one script by EVALSHA (EVAL on NOSCRIPT); `keys` must number as the file name says. */
export async function runScript(
  connection: ScriptConnection,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (keys.length !== SCRIPT_KEYS[name]) {
    throw new Error(`script ${name} takes ${SCRIPT_KEYS[name]} keys, got ${keys.length}`);
  }
  defineScripts(connection);
  const call = (connection as unknown as Record<string, ScriptCall>)[commandName(name)];
  return call.call(connection, ...keys, ...args);
}
