// Plans and their state in Redis, so bot and worker restarts lose nothing. One hash per plan:
// the plan JSON, its hash, state, expiry and where its thread is.

import type { ReplyAddress } from "../chat/types.ts";
import type { RedisCommands } from "../redis/commands.ts";
import type { CycleKeys } from "../redis/keys.ts";
import { runScript } from "../redis/scripts.ts";
import type { CyclePlan } from "./types.ts";

export type PlanState =
  | "pending"
  | "approved"
  | "cancelled"
  | "expired"
  | "running"
  | "done"
  | "failed"
  | "aborted"
  | "superseded"
  | "dry-run";

export interface StoredPlan {
  plan: CyclePlan;
  hash: string;
  state: PlanState;
  expiresAt: number;
  required: number;
  reply: ReplyAddress;
  /** The approval request message. */
  messageId?: string;
  approvedBy: string[];
  enqueuedAt?: number;
}

export class PlanStore {
  private readonly redis: RedisCommands;
  private readonly keys: CycleKeys;

  constructor(redis: RedisCommands, keys: CycleKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  async save(p: StoredPlan): Promise<void> {
    await this.redis.hset(this.keys.plan(p.plan.id), {
      plan: JSON.stringify(p.plan),
      hash: p.hash,
      state: p.state,
      expiresAt: String(p.expiresAt),
      required: String(p.required),
      reply: JSON.stringify(p.reply),
      approvedBy: JSON.stringify(p.approvedBy),
      ...(p.messageId ? { messageId: p.messageId } : {}),
    });
    // A dry run never becomes "the" cycle of the cluster that status and abort talk about.
    if (p.state !== "dry-run") await this.redis.set(this.keys.latest(p.plan.cluster), p.plan.id);
  }

  async get(planId: string): Promise<StoredPlan | undefined> {
    const h = await this.redis.hgetall(this.keys.plan(planId));
    if (!h.plan) return undefined;
    return {
      plan: JSON.parse(h.plan) as CyclePlan,
      hash: h.hash,
      state: h.state as PlanState,
      expiresAt: Number(h.expiresAt),
      required: Number(h.required),
      reply: JSON.parse(h.reply) as ReplyAddress,
      messageId: h.messageId,
      approvedBy: h.approvedBy ? (JSON.parse(h.approvedBy) as string[]) : [],
      enqueuedAt: h.enqueuedAt ? Number(h.enqueuedAt) : undefined,
    };
  }

  async latestFor(cluster: string): Promise<StoredPlan | undefined> {
    const id = await this.redis.get(this.keys.latest(cluster));
    return id ? this.get(id) : undefined;
  }

  /** Moves state only from `from`: the transitions that start or end a run happen once. */
  async transition(planId: string, from: PlanState | PlanState[], to: PlanState): Promise<boolean> {
    const allowed = Array.isArray(from) ? from : [from];
    const result = await runScript(this.redis, "planTransition", [this.keys.plan(planId)], [to, ...allowed]);
    return result === 1;
  }

  async setField(planId: string, field: string, value: string): Promise<void> {
    await this.redis.hset(this.keys.plan(planId), field, value);
  }
}
