// What a watch keeps in Redis so another worker can carry on after a takeover: the
// resourceVersion of each stream, the rules' timers, the counts by reason for the final summary,
// and the stop flag. Keys live under the BullMQ prefix and expire a day after the last write.
import type { RedisCommands } from "../redis/commands.ts";
import { safeKeyPart } from "../redis/safeKeyPart.ts";
import type { WatchedKey } from "./types.ts";

const DAY_S = 24 * 3600;

export class WatchStateStore {
  private readonly redis: RedisCommands;
  private readonly base: string;
  private readonly stopKey: string;

  /** `watchId` names one watch (the job id): a new watch of the same cluster starts clean. */
  constructor(redis: RedisCommands, prefix: string, cluster: string, watchId: string) {
    this.redis = redis;
    this.base = `${prefix}:watch:${safeKeyPart(cluster)}:${safeKeyPart(watchId)}`;
    this.stopKey = stopFlagKey(prefix, cluster);
  }

  async loadResourceVersions(): Promise<Partial<Record<WatchedKey, string>>> {
    return (await this.redis.hgetall(`${this.base}:rv`)) as Partial<Record<WatchedKey, string>>;
  }

  async saveResourceVersions(rvs: Partial<Record<WatchedKey, string>>): Promise<void> {
    const entries = Object.entries(rvs).filter(([, v]) => v);
    if (entries.length === 0) return;
    await this.redis
      .multi()
      .hset(`${this.base}:rv`, Object.fromEntries(entries))
      .expire(`${this.base}:rv`, DAY_S)
      .exec();
  }

  async loadTimers(): Promise<Map<string, number>> {
    const raw = await this.redis.hgetall(`${this.base}:timers`);
    return new Map(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async setTimer(key: string, at: number): Promise<void> {
    await this.redis.multi().hset(`${this.base}:timers`, key, String(at)).expire(`${this.base}:timers`, DAY_S).exec();
  }

  async deleteTimer(key: string): Promise<void> {
    await this.redis.hdel(`${this.base}:timers`, key);
  }

  get countsKey(): string {
    return `${this.base}:counts`;
  }

  get threadsKey(): string {
    return `${this.base}:threads`;
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
    await this.redis.del(`${this.base}:rv`, `${this.base}:timers`);
  }
}

export function stopFlagKey(prefix: string, cluster: string): string {
  return `${prefix}:watch-stop:${safeKeyPart(cluster)}`;
}
