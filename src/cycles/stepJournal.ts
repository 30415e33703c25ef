// The step journal of one cycle, in a Redis hash. Per step: state (pending → running → done or
// failed), the owner token of the worker running it with a lease, and a JSON body (phases done,
// outputs, backup, child pid). Claims and writes are Lua scripts that check the owner, so two
// workers can never both run a step: a writer that lost its lease is refused and stops.
import type { Redis } from "ioredis";
import type { StepJournal } from "./types.ts";

// KEYS[1] journal. ARGV: step, owner, now, leaseMs.
const CLAIM = `
local s = ARGV[1]
local st = redis.call('HGET', KEYS[1], s .. ':state') or 'pending'
if st == 'done' or st == 'failed' then return {st, ''} end
local now = tonumber(ARGV[3])
local lease = now + tonumber(ARGV[4])
if st == 'running' then
  local owner = redis.call('HGET', KEYS[1], s .. ':owner') or ''
  if owner == ARGV[2] then
    redis.call('HSET', KEYS[1], s .. ':lease', lease)
    return {'mine', owner}
  end
  if tonumber(redis.call('HGET', KEYS[1], s .. ':lease') or '0') > now then return {'busy', owner} end
  redis.call('HSET', KEYS[1], s .. ':owner', ARGV[2], s .. ':lease', lease)
  return {'takeover', owner}
end
redis.call('HSET', KEYS[1], s .. ':state', 'running', s .. ':owner', ARGV[2], s .. ':lease', lease)
return {'claimed', ''}
`;

// KEYS[1] journal. ARGV: step, owner, body, newState ('' keeps it), leaseUntil ('' keeps it).
const WRITE = `
local s = ARGV[1]
if redis.call('HGET', KEYS[1], s .. ':owner') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], s .. ':body', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], s .. ':state', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], s .. ':lease', ARGV[5]) end
return 1
`;

const RENEW = `
if redis.call('HGET', KEYS[1], ARGV[1] .. ':owner') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1] .. ':lease', ARGV[3])
return 1
`;

export type ClaimResult = { kind: "claimed" | "mine" | "takeover" | "busy" | "done" | "failed"; previousOwner: string };

export class LostOwnershipError extends Error {}

export class StepJournalStore {
  private readonly redis: Redis;
  private readonly key: string;

  constructor(redis: Redis, key: string) {
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
    const [kind, previousOwner] = (await this.redis.eval(
      CLAIM,
      1,
      this.key,
      String(step),
      owner,
      String(Date.now()),
      String(leaseMs),
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
    const ok = await this.redis.eval(
      WRITE,
      1,
      this.key,
      String(step),
      owner,
      JSON.stringify(rest),
      state ?? "",
      leaseUntil ? String(leaseUntil) : "",
    );
    if (ok !== 1) throw new LostOwnershipError(`step ${step + 1} is now owned by another worker`);
  }

  /** Extends the lease only (never the body, so it cannot race the owner's own writes). */
  async renew(step: number, owner: string, leaseMs: number): Promise<boolean> {
    const ok = await this.redis.eval(RENEW, 1, this.key, String(step), owner, String(Date.now() + leaseMs));
    return ok === 1;
  }
}
