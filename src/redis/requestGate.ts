// One Redis key per chat request decides, once and for everyone, whether the request was queued.
//
// A chat platform wants its answer within seconds (Slack: 3 s), and Redis may stop answering in
// between. Without this key, a job written to Redis just before an outage or after the ack said
// "nothing was queued" would still run, and the user who retried would get two runs. So a job
// that belongs to a chat request runs only once its request key says "accepted":
//
// - the bot writes "accepted" after its add, but only while Redis's clock is before the request's
//   `acceptBy` (a moment safely before the ack deadline); past it, the same script writes
//   "abandoned" and the bot answers "nothing was queued";
// - a worker that takes such a job first reads the key: "accepted" runs, "abandoned" is dropped,
//   and a missing key past `acceptBy` is settled as "abandoned" by the worker itself (the bot's
//   add landed but its accept never did);
// - both writes are SET NX: whichever comes first decides, and nothing overwrites it.
//
// The key lives for Slack's replay window (5 minutes: Bolt refuses requests whose signed
// timestamp is older), so a replayed request finds it and starts no second run, on any replica.
// Clocks: `acceptBy` is the bot's clock and the scripts compare it with Redis's TIME; hosts kept
// in sync by NTP differ by milliseconds, well inside the margin the adapters leave.
import type { RedisCommands } from "./commands.ts";
import { requestKey } from "./keys.ts";
import { runScript } from "./scripts.ts";

/** Slack rejects signed requests older than 5 minutes; a replay within them must be recognised. */
export const REQUEST_WINDOW_MS = 5 * 60_000;

/** What a job carries about the chat request that created it. */
export interface ChatRequest {
  /** The platform's id of this one request (Slack trigger_id, Discord interaction id). */
  id: string;
  /** Epoch ms (bot clock): an accept that reaches Redis later is refused. */
  acceptBy: number;
}

/** `earlier`: decided before this call (by another replica, a replay, or the worker). */
export type RequestState = ({ state: "accepted"; jobId: string } | { state: "abandoned" }) & { earlier: boolean };

// The decision is one script, src/redis/scripts/requestDecide-1.lua (its header says each op).

function parse(raw: string): RequestState {
  const earlier = raw.startsWith("=");
  const value = earlier ? raw.slice(1) : raw;
  return value.startsWith("accepted:")
    ? { state: "accepted", jobId: value.slice("accepted:".length), earlier }
    : { state: "abandoned", earlier };
}

export class RequestGate {
  private readonly redis: RedisCommands;
  private readonly prefix: string;

  constructor(redis: RedisCommands, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private decide(request: ChatRequest, value: string, op: "accept" | "settle" | "abandon"): Promise<unknown> {
    return runScript(
      this.redis,
      "requestDecide",
      [this.key(request.id)],
      [value, String(request.acceptBy), String(REQUEST_WINDOW_MS), op],
    );
  }

  private key(id: string): string {
    return requestKey(this.prefix, id);
  }

  /** The decision already taken for this request, if any (a replay finds it). */
  async find(id: string): Promise<RequestState | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? parse(`=${raw}`) : undefined;
  }

  /** The bot, after adding the job: accepted, unless it is too late (then abandoned) or already decided. */
  async accept(request: ChatRequest, jobId: string): Promise<RequestState> {
    const raw = (await this.decide(request, `accepted:${jobId}`, "accept")) as string;
    return parse(raw);
  }

  /** A worker: the decision, settling a request nobody accepted in time as abandoned; undefined = not yet decided. */
  async settle(request: ChatRequest): Promise<RequestState | undefined> {
    const raw = (await this.decide(request, "abandoned", "settle")) as string;
    return raw ? parse(raw) : undefined;
  }

  /**
   * The bot's accept got no answer (timeout, connection lost): it may or may not have been
   * applied. Asks Redis until it answers, settling the request as abandoned unless the accept
   * did land; the caller then tells the user what really happened. Gives up after `withinMs`
   * (the request stays undecided; a worker settles it as abandoned past acceptBy).
   */
  async resolveUnanswered(
    request: ChatRequest,
    jobId: string,
    withinMs = 60_000,
    retryMs = 200,
  ): Promise<RequestState> {
    const until = Date.now() + withinMs;
    for (;;) {
      try {
        const raw = (await this.decide(request, `accepted:${jobId}`, "abandon")) as string;
        return parse(raw);
      } catch (err) {
        if (Date.now() + retryMs > until) throw err;
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }

  /**
   * Waits (polling) until the request is decided; a worker calls this before running a job that
   * belongs to a chat request. Bounded: past acceptBy the worker decides itself.
   */
  async decided(request: ChatRequest, pollMs = 50): Promise<RequestState> {
    for (;;) {
      const state = await this.settle(request);
      if (state) return state;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
