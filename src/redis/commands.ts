// The Redis commands Upshift's own stores send (plans, journals, locks, approvals, audit, watch
// state, request gate, last checks, baselines). ioredis `Redis` (one server, also behind
// Sentinel) and `Cluster` both satisfy it with the same signatures, so a store takes either
// without a cast; Cluster routes each command by its key's slot. A store that needs a command
// not listed here adds it to the list (and keeps all of one call's keys in one slot).
import type { Redis } from "ioredis";

export type RedisCommands = Pick<
  Redis,
  // strings and keys
  | "get"
  | "set"
  | "del"
  | "incr"
  | "expire"
  | "pttl"
  | "rename"
  // hashes
  | "hget"
  | "hset"
  | "hmget"
  | "hgetall"
  | "hdel"
  | "hincrby"
  // sets, sorted sets, streams
  | "sadd"
  | "zadd"
  | "zrem"
  | "zrangebyscore"
  | "xadd"
  | "xrange"
  // transactions and Lua scripts (src/redis/scripts.ts)
  | "multi"
  | "evalsha"
  | "eval"
>;
