// What a watch keeps in Redis so another worker can carry on after a takeover: the
// resourceVersion of each stream, the rules' timers, the counts by reason for the final summary,
// and the stop flag. Keys live under the BullMQ prefix and expire a day after the last write.
import type { RedisCommands } from "../redis/commands.ts";
import { type WatchStateKeys, watchKeys } from "../redis/keys.ts";
import type { WatchedKey } from "./types.ts";

const DAY_S = 24 * 3600;

export class WatchStateStore {
  private readonly redis: RedisCommands;
  private readonly keys: WatchStateKeys;
  private readonly stopKey: string;

  /** `watchId` names one watch (the job id): a new watch of the same cluster starts clean. */
  constructor(redis: RedisCommands, prefix: string, cluster: string, watchId: string) {
    this.redis = redis;
    const keys = watchKeys(prefix, cluster);
    this.keys = keys.state(watchId);
    this.stopKey = keys.stop;
  }

  async loadResourceVersions(): Promise<Partial<Record<WatchedKey, string>>> {
    return (await this.redis.hgetall(this.keys.resourceVersions)) as Partial<Record<WatchedKey, string>>;
  }

  async saveResourceVersions(rvs: Partial<Record<WatchedKey, string>>): Promise<void> {
    const entries = Object.entries(rvs).filter(([, v]) => v);
    if (entries.length === 0) return;
    await this.redis
      .multi()
      .hset(this.keys.resourceVersions, Object.fromEntries(entries))
      .expire(this.keys.resourceVersions, DAY_S)
      .exec();
  }

  async loadTimers(): Promise<Map<string, number>> {
    const raw = await this.redis.hgetall(this.keys.timers);
    return new Map(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async setTimer(key: string, at: number): Promise<void> {
    await this.redis.multi().hset(this.keys.timers, key, String(at)).expire(this.keys.timers, DAY_S).exec();
  }

  async deleteTimer(key: string): Promise<void> {
    await this.redis.hdel(this.keys.timers, key);
  }

  get countsKey(): string {
    return this.keys.counts;
  }

  get threadsKey(): string {
    return this.keys.threads;
  }

  async counts(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.countsKey);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  /** True once when a stop was requested (the flag is consumed). */
  async takeStopRequest(): Promise<boolean> {
    return (await this.redis.del(this.stopKey)) > 0;
  }

  async clear(): Promise<void> {
    await this.redis.del(this.keys.resourceVersions, this.keys.timers);
  }
}
