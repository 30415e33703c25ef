// The claim an alert holds while its post is in flight (src/watch/alertSink.ts): renewed as long
// as the worker lives, so a slow chat API does not open the door to a second post, and short
// enough that a dead worker's claim lapses before its watch is taken over (src/queue/takeover.ts).
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, expect, inject, it } from "vitest";
import { slackTraits } from "../../adapters/slack/slackTraits.ts";
import type { ChatMessage, ChatPoster, PostedMessage } from "../../src/chat/types.ts";
import { watchAlertTexts } from "../../src/render/watch.ts";
import { AlertSink } from "../../src/watch/alertSink.ts";
import { type AlertDraft, subjectKey } from "../../src/watch/types.ts";

const redis = new Redis(inject("redisUrl"));
afterAll(() => redis.quit());

const draft: AlertDraft = {
  ruleId: "crashloop",
  reason: "CrashLoopBackOff",
  severity: "high",
  check: "POD-01",
  subject: { kind: "Pod", namespace: "apps", name: "web-1" },
  evidence: "restarted 4 times",
  likelyCause: "the container exits",
  observedAt: Date.now(),
};

/** A chat API whose root posts wait until released. */
class SlowPoster implements ChatPoster {
  readonly platform = "slack" as const;
  readonly traits = slackTraits;
  posts = 0;
  private release?: () => void;
  async postRoot(_channel: string, _m: ChatMessage): Promise<PostedMessage> {
    await new Promise<void>((r) => {
      this.release = r;
    });
    this.posts++;
    return { id: "m1", thread: "m1" };
  }
  async postInThread(): Promise<string> {
    return "t1";
  }
  async update(): Promise<void> {}
  finish(): void {
    this.release?.();
  }
}

it("keeps an alert claimed while its post outlasts the claim, then confirms it for the dedupe window", async () => {
  const prefix = `t-claim-${randomBytes(4).toString("hex")}`;
  const poster = new SlowPoster();
  const sink = new AlertSink({
    redis,
    prefix,
    cluster: "sb",
    poster,
    channel: "C1",
    threadsKey: `${prefix}:threads`,
    countsKey: `${prefix}:counts`,
    texts: watchAlertTexts("sb"),
    claimMs: 300,
  });
  const first = sink.deliver(draft);
  // Three claim lengths later the post is still in flight, and the claim still holds.
  await new Promise((r) => setTimeout(r, 900));
  expect(await sink.deliver(draft)).toBe("duplicate");
  const key = `${prefix}:watch-dedupe:sb:${subjectKey(draft.subject)}:CrashLoopBackOff`;
  const pttl = await redis.pttl(key);
  expect(pttl).toBeGreaterThan(0);
  expect(pttl).toBeLessThanOrEqual(300);
  poster.finish();
  expect(await first).toBe("posted");
  expect(poster.posts).toBe(1);
  // Confirmed: the full dedupe window (600 s), not the claim.
  expect(await redis.ttl(key)).toBeGreaterThan(590);
});
