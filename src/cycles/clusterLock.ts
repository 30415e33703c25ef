// One cycle per cluster: a Redis key holding the cycle id, with an expiry renewed while the
// cycle runs. A worker resuming the same cycle (after a crash) may take the lock over; any other
// cycle is told who holds it. Expiry means a dead worker's lock frees itself. Its TTL
// (CLUSTER_LOCK_TTL_MS in src/queue/takeover.ts, 20 s) outlasts the takeover of a dead worker's
// cycle, so the cycle resumed elsewhere still holds it; the engine renews it with the step lease.
import type { RedisCommands } from "../redis/commands.ts";
import { runScript } from "../redis/scripts.ts";

export type LockResult = { acquired: true } | { acquired: false; holder: string };

export class ClusterLock {
  private readonly redis: RedisCommands;
  private readonly key: string;
  readonly ttlMs: number;

  constructor(redis: RedisCommands, key: string, ttlMs: number) {
    this.redis = redis;
    this.key = key;
    this.ttlMs = ttlMs;
  }

  async acquire(cycleId: string): Promise<LockResult> {
    const set = await this.redis.set(this.key, cycleId, "PX", this.ttlMs, "NX");
    if (set === "OK") return { acquired: true };
    if (await this.renew(cycleId)) return { acquired: true };
    const holder = await this.redis.get(this.key);
    // Expired between the two calls: try once more rather than report a phantom holder.
    if (holder === null) return this.acquire(cycleId);
    return { acquired: false, holder };
  }

  async renew(cycleId: string): Promise<boolean> {
    return (await runScript(this.redis, "lockRenew", [this.key], [cycleId, String(this.ttlMs)])) === 1;
  }

  async release(cycleId: string): Promise<void> {
    await runScript(this.redis, "lockRelease", [this.key], [cycleId]);
  }

  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}
