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
import type { Redis } from "ioredis";

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

// KEYS[1] request key; ARGV: value to set, acceptBy ms, ttl ms, "accept" | "settle" | "abandon".
// "accept" (bot): accepted if before acceptBy, else abandoned. "settle" (worker): abandoned,
// but only past acceptBy; before it returns "" so the worker waits for the bot's accept.
// "abandon" (bot, after its accept got no answer): abandoned unless already decided.
const DECIDE = `
local current = redis.call('GET', KEYS[1])
if current then return '=' .. current end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local late = now > tonumber(ARGV[2]) or ARGV[4] == 'abandon'
if ARGV[4] == 'settle' and not late then return '' end
local value = ARGV[1]
if late then value = 'abandoned' end
redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
return value
`;

function parse(raw: string): RequestState {
  const earlier = raw.startsWith("=");
  const value = earlier ? raw.slice(1) : raw;
  return value.startsWith("accepted:")
    ? { state: "accepted", jobId: value.slice("accepted:".length), earlier }
    : { state: "abandoned", earlier };
}

export class RequestGate {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(id: string): string {
    return `${this.prefix}:upshift:request:${id}`;
  }

  /** The decision already taken for this request, if any (a replay finds it). */
  async find(id: string): Promise<RequestState | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? parse(`=${raw}`) : undefined;
  }

  /** The bot, after adding the job: accepted, unless it is too late (then abandoned) or already decided. */
  async accept(request: ChatRequest, jobId: string): Promise<RequestState> {
    const raw = (await this.redis.eval(
      DECIDE,
      1,
      this.key(request.id),
      `accepted:${jobId}`,
      String(request.acceptBy),
      String(REQUEST_WINDOW_MS),
      "accept",
    )) as string;
    return parse(raw);
  }

  /** A worker: the decision, settling a request nobody accepted in time as abandoned; undefined = not yet decided. */
  async settle(request: ChatRequest): Promise<RequestState | undefined> {
    const raw = (await this.redis.eval(
      DECIDE,
      1,
      this.key(request.id),
      "abandoned",
      String(request.acceptBy),
      String(REQUEST_WINDOW_MS),
      "settle",
    )) as string;
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
        const raw = (await this.redis.eval(
          DECIDE,
          1,
          this.key(request.id),
          `accepted:${jobId}`,
          String(request.acceptBy),
          String(REQUEST_WINDOW_MS),
          "abandon",
        )) as string;
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
