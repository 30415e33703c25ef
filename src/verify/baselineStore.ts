// The last baseline of each cluster, in Redis: one key per context with a 30-day TTL, so an
// abandoned cluster's baseline expires on its own, and a bounded value (boundBaseline) so a big
// cluster cannot fill Redis. Written by every preflight (chat check, fleet child), read by verify.
import type { RedisCommands } from "../redis/commands.ts";
import { baselineKey } from "../redis/keys.ts";
import {
  BASELINE_MAX_BYTES,
  type BaselineParse,
  boundBaseline,
  type ClusterBaseline,
  parseBaseline,
} from "./baseline.ts";

export const BASELINE_TTL_SECONDS = 30 * 24 * 3600;

export class BaselineStore {
  private readonly redis: RedisCommands;
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(redis: RedisCommands, prefix: string, opts: { ttlSeconds?: number } = {}) {
    this.redis = redis;
    this.prefix = prefix;
    this.ttlSeconds = opts.ttlSeconds ?? BASELINE_TTL_SECONDS;
  }

  key(cluster: string): string {
    return baselineKey(this.prefix, cluster);
  }

  async save(b: ClusterBaseline): Promise<void> {
    const value = JSON.stringify(boundBaseline(b, BASELINE_MAX_BYTES));
    await this.redis.set(this.key(b.cluster), value, "EX", this.ttlSeconds);
  }

  /** The stored baseline, undefined when there is none, or why the stored one cannot be read. */
  async get(cluster: string): Promise<BaselineParse | undefined> {
    const raw = await this.redis.get(this.key(cluster));
    if (raw === null) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { ok: false, error: "the stored baseline is not JSON" };
    }
    return parseBaseline(json);
  }
}
