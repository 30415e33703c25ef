// Turns alert drafts into chat messages with three guarantees that hold across workers, because
// they are kept in Redis: one message per object and reason per 10 minutes (SET NX with a TTL, so
// two workers, or a worker taking over a watch, never both post), alerts about one object threaded
// under its first alert, and no flood: past `floodLimit` alerts in a window the rest are counted
// and posted as one summary when the window closes.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ChatMessage, ChatPoster } from "../chat/types.ts";
import { ALERT_CLAIM_MS } from "../queue/takeover.ts";
import { safeKeyPart } from "../redis/safeKeyPart.ts";
import { type AlertDraft, subjectKey } from "./types.ts";

export interface AlertSinkOptions {
  redis: Redis;
  prefix: string;
  cluster: string;
  poster: ChatPoster;
  channel: string;
  /** Hash of subject → {id, thread} for this watch. */
  threadsKey: string;
  /** Hash of reason → count for this watch's final summary. */
  countsKey: string;
  dedupeSeconds?: number;
  /**
   * How long a claimed, not yet posted alert blocks others (renewed while its post is in flight);
   * must stay below the earliest takeover (src/queue/takeover.ts).
   */
  claimMs?: number;
  floodLimit?: number;
  floodWindowMs?: number;
  /** The alert and flood messages (src/render/watch.ts). */
  texts: AlertTexts;
  logger?: Logger;
  /** Called after each alert is posted (latency measurement). */
  onPosted?: (draft: AlertDraft, postedAt: number) => void;
}

export type DeliveryOutcome = "posted" | "duplicate" | "suppressed";

/** What the sink posts. The words are src/render/watch.ts's (watchAlertTexts); the sink decides when. */
export interface AlertTexts {
  alert(draft: AlertDraft): ChatMessage;
  flood(flood: AlertFlood): ChatMessage;
}

/** The alerts a flood held back, for its one summary: counts by reason and check, most first. */
export interface AlertFlood {
  cluster: string;
  total: number;
  /** Alerts posted one by one before the flood limit. */
  limit: number;
  windowSeconds: number;
  parts: Array<{ reason: string; check: string; n: number }>;
}

export class AlertSink {
  private readonly o: AlertSinkOptions;
  private readonly cluster: string;
  private summaryTimer?: NodeJS.Timeout;
  private readonly floodKey: string;
  private readonly suppressedKey: string;
  /** Outcomes, for tests and the bench. */
  readonly stats = { posted: 0, duplicate: 0, suppressed: 0, summaries: 0, failed: 0 };

  constructor(o: AlertSinkOptions) {
    this.o = o;
    this.cluster = safeKeyPart(o.cluster);
    this.floodKey = `${o.prefix}:watch-flood:${this.cluster}`;
    this.suppressedKey = `${o.prefix}:watch-flood-suppressed:${this.cluster}`;
  }

  private dedupeKey(d: AlertDraft): string {
    return `${this.o.prefix}:watch-dedupe:${this.cluster}:${subjectKey(d.subject)}:${d.reason}`;
  }

  async deliver(draft: AlertDraft): Promise<DeliveryOutcome> {
    const redis = this.o.redis;
    const dedupeKey = this.dedupeKey(draft);
    const dedupeSeconds = this.o.dedupeSeconds ?? 600;
    // Claim first, briefly; confirm for the full window once posted. The claim is renewed while
    // the post is in flight, so a slow chat API does not let it lapse; a worker killed between
    // the claim and the post leaves a claim that lapses before another worker can take the watch
    // over (src/queue/takeover.ts), so the alert is posted then instead of lost. Only a kill in
    // the instant between the post and the confirmation can repeat an alert.
    const claimMs = Math.min(this.o.claimMs ?? ALERT_CLAIM_MS, dedupeSeconds * 1_000);
    const fresh = await redis.set(dedupeKey, String(Date.now()), "PX", claimMs, "NX");
    if (fresh !== "OK") {
      this.stats.duplicate++;
      return "duplicate";
    }
    await redis.hincrby(this.o.countsKey, draft.reason, 1);
    const windowMs = this.o.floodWindowMs ?? 60_000;
    // The window opens with the first alert (SET NX PX), so a burst is never split in two windows.
    const flood = await redis
      .multi()
      .set(this.floodKey, "0", "PX", windowMs, "NX")
      .incr(this.floodKey)
      .pttl(this.floodKey)
      .exec();
    const count = Number(flood?.[1]?.[1] ?? 0);
    if (count > (this.o.floodLimit ?? 10)) {
      await redis
        .multi()
        .hincrby(this.suppressedKey, `${draft.reason}|${draft.check}`, 1)
        .pexpire(this.suppressedKey, windowMs * 10)
        .exec();
      this.scheduleSummary(Math.max(50, Number(flood?.[2]?.[1] ?? windowMs)));
      // Counted in the flood summary: that is its delivery.
      await redis.set(dedupeKey, String(Date.now()), "EX", dedupeSeconds, "XX");
      this.stats.suppressed++;
      return "suppressed";
    }
    const renewal = setInterval(
      () => {
        redis.set(dedupeKey, String(Date.now()), "PX", claimMs, "XX").catch(() => undefined);
      },
      Math.max(50, Math.floor(claimMs / 3)),
    );
    renewal.unref();
    try {
      await this.post(draft);
    } catch (err) {
      // Let a later event (or the worker that takes over) try again instead of losing the alert.
      await redis.del(dedupeKey).catch(() => undefined);
      this.stats.failed++;
      throw err;
    } finally {
      clearInterval(renewal);
    }
    await redis.set(dedupeKey, String(Date.now()), "EX", dedupeSeconds, "XX");
    this.stats.posted++;
    this.o.onPosted?.(draft, Date.now());
    return "posted";
  }

  private async post(draft: AlertDraft): Promise<void> {
    const message = this.o.texts.alert(draft);
    const field = subjectKey(draft.subject);
    const known = await this.o.redis.hget(this.o.threadsKey, field);
    if (known) {
      const { thread } = JSON.parse(known) as { id: string; thread: string };
      await this.o.poster.postInThread({ channel: this.o.channel, thread }, message);
      return;
    }
    const posted = await this.o.poster.postRoot(this.o.channel, message);
    await this.o.redis
      .multi()
      .hset(this.o.threadsKey, field, JSON.stringify(posted))
      .expire(this.o.threadsKey, 24 * 3600)
      .exec();
  }

  private scheduleSummary(inMs: number): void {
    if (this.summaryTimer) return;
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      this.flushSummary().catch((err) =>
        this.o.logger?.warn({ err: (err as Error).message }, "could not post the flood summary"),
      );
    }, inMs + 20);
  }

  /** Posts the suppressed alerts' summary, if any. RENAME makes exactly one worker take it. */
  async flushSummary(): Promise<boolean> {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    const taken = `${this.suppressedKey}:taken:${randomUUID()}`;
    try {
      await this.o.redis.rename(this.suppressedKey, taken);
    } catch {
      return false; // nothing suppressed, or another worker took it
    }
    const raw = await this.o.redis.hgetall(taken);
    await this.o.redis.del(taken);
    const parts = Object.entries(raw)
      .map(([k, v]) => ({ reason: k.split("|")[0], check: k.split("|")[1], n: Number(v) }))
      .sort((a, b) => b.n - a.n);
    const total = parts.reduce((s, p) => s + p.n, 0);
    if (total === 0) return false;
    const limit = this.o.floodLimit ?? 10;
    const windowS = Math.round((this.o.floodWindowMs ?? 60_000) / 1000);
    await this.o.poster.postRoot(
      this.o.channel,
      this.o.texts.flood({ cluster: this.o.cluster, total, limit, windowSeconds: windowS, parts }),
    );
    this.stats.summaries++;
    return true;
  }

  async close(): Promise<void> {
    if (this.summaryTimer) await this.flushSummary();
  }
}
