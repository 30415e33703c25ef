// The step journal of one cycle, in a Redis hash. Per step: state (pending → running → done or
// failed), the owner token of the worker running it with a lease, and a JSON body (phases done,
// outputs, backup, child pid). Claims and writes are Lua scripts that check the owner, so two
// workers can never both run a step: a writer that lost its lease is refused and stops.

import { UpshiftError } from "../errors/upshiftError.ts";
import type { RedisCommands } from "../redis/commands.ts";
import { runScript } from "../redis/scripts.ts";
import type { StepJournal } from "./types.ts";

export type ClaimResult = { kind: "claimed" | "mine" | "takeover" | "busy" | "done" | "failed"; previousOwner: string };

/** Another worker took the step over: this one must stop, and trying again cannot help. */
export class LostOwnershipError extends UpshiftError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

export class StepJournalStore {
  private readonly redis: RedisCommands;
  private readonly key: string;

  constructor(redis: RedisCommands, key: string) {
    this.redis = redis;
    this.key = key;
  }

  async get(step: number): Promise<StepJournal> {
    const [state, owner, lease, body] = await this.redis.hmget(
      this.key,
      `${step}:state`,
      `${step}:owner`,
      `${step}:lease`,
      `${step}:body`,
    );
    const parsed = body
      ? (JSON.parse(body) as StepJournal)
      : { state: "pending" as const, phasesDone: [], attempts: {}, outputs: [] };
    return {
      ...parsed,
      state: (state as StepJournal["state"]) ?? "pending",
      owner: owner ?? undefined,
      leaseUntil: lease ? Number(lease) : undefined,
    };
  }

  async all(steps: number): Promise<StepJournal[]> {
    return Promise.all(Array.from({ length: steps }, (_, i) => this.get(i)));
  }

  async claim(step: number, owner: string, leaseMs: number): Promise<ClaimResult> {
    const [kind, previousOwner] = (await runScript(
      this.redis,
      "stepClaim",
      [this.key],
      [String(step), owner, String(Date.now()), String(leaseMs)],
    )) as [string, string];
    return { kind: kind as ClaimResult["kind"], previousOwner };
  }

  /** Writes the body (and optionally the state) if `owner` still owns the step; throws LostOwnershipError if not. */
  async write(
    step: number,
    owner: string,
    body: StepJournal,
    state?: StepJournal["state"],
    leaseUntil?: number,
  ): Promise<void> {
    const { owner: _o, leaseUntil: _l, ...rest } = body;
    const ok = await runScript(
      this.redis,
      "stepWrite",
      [this.key],
      [String(step), owner, JSON.stringify(rest), state ?? "", leaseUntil ? String(leaseUntil) : ""],
    );
    if (ok !== 1) throw new LostOwnershipError(`step ${step + 1} is now owned by another worker`);
  }

  /** Extends the lease only (never the body, so it cannot race the owner's own writes). */
  async renew(step: number, owner: string, leaseMs: number): Promise<boolean> {
    const ok = await runScript(
      this.redis,
      "stepRenew",
      [this.key],
      [String(step), owner, String(Date.now() + leaseMs)],
    );
    return ok === 1;
  }
}
