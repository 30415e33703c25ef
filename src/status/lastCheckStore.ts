// The last check's verdict per cluster, for /upgrade-status. A small Redis hash, not the job
// history: completed jobs are trimmed, the last verdict must not be.

import type { Verdict } from "../checks/runner.ts";
import type { Severity } from "../checks/types.ts";
import type { RedisCommands } from "../redis/commands.ts";
import { lastCheckKey } from "../redis/keys.ts";

export interface LastCheck {
  cluster: string;
  target: string;
  serverVersion: string;
  verdict: Verdict;
  counts: Record<Severity, number>;
  checkedAt: string;
}

export class LastCheckStore {
  private readonly redis: RedisCommands;
  private readonly key: string;

  constructor(redis: RedisCommands, prefix: string) {
    this.redis = redis;
    this.key = lastCheckKey(prefix);
  }

  async save(c: LastCheck): Promise<void> {
    await this.redis.hset(this.key, c.cluster, JSON.stringify(c));
  }

  async get(cluster: string): Promise<LastCheck | undefined> {
    const raw = await this.redis.hget(this.key, cluster);
    return raw ? (JSON.parse(raw) as LastCheck) : undefined;
  }
}
