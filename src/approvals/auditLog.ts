// Every approval decision, appended to a Redis stream: who, what, when, which plan (hash).
// A stream rather than a list because it is append-only, time-ordered and trimmable.
import type { RedisCommands } from "../redis/commands.ts";

export interface AuditEntry {
  planId: string;
  planHash: string;
  cluster: string;
  /** "requested", "approve", "withdraw", "cancel", "refused-not-approver", "refused-self", "refused-access", "approved", "expired", "started", "finished", "failed", "aborted". */
  action: string;
  /** User id, or "upshift" for the system's own transitions. */
  who: string;
  platform?: string;
  detail?: string;
}

export class AuditLog {
  private readonly redis: RedisCommands;
  readonly key: string;

  constructor(redis: RedisCommands, key: string) {
    this.redis = redis;
    this.key = key;
  }

  async append(entry: AuditEntry): Promise<string> {
    const fields: string[] = ["at", new Date().toISOString()];
    for (const [k, v] of Object.entries(entry)) if (v !== undefined) fields.push(k, String(v));
    // Approximate trimming keeps the stream bounded without costing a full trim every write.
    return (await this.redis.xadd(this.key, "MAXLEN", "~", "100000", "*", ...fields)) as string;
  }

  async entries(count = 1000): Promise<Array<Record<string, string>>> {
    const rows = (await this.redis.xrange(this.key, "-", "+", "COUNT", count)) as Array<[string, string[]]>;
    return rows.map(([id, kv]) => {
      const o: Record<string, string> = { id };
      for (let i = 0; i < kv.length; i += 2) o[kv[i]] = kv[i + 1];
      return o;
    });
  }
}
