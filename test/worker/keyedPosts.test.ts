// Keyed posts per platform, against the fakes over real sockets: what makes a re-sent post safe.
// Slack has no idempotency key, so the key rides as message metadata and findPosted reads it back
// (conversations.history / conversations.replies); Discord's nonce + enforce_nonce returns the
// message a key already created; the console keeps its keys in memory.
import { PassThrough } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";
import { DiscordPoster, nonceFor } from "../../adapters/discord/discordPoster.ts";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { FakeDiscord } from "../fakes/fakeDiscord.ts";
import { FakeSlackApi } from "../fakes/fakeSlackApi.ts";

describe("SlackPoster keyed posts", () => {
  let fake: FakeSlackApi;
  let poster: SlackPoster;
  beforeAll(async () => {
    fake = await FakeSlackApi.start({ wallClockTs: true });
    poster = new SlackPoster({
      botToken: fake.botToken,
      slackApiUrl: fake.apiUrl,
      logger: pino({ level: "silent" }),
      retryConfig: { retries: 0 },
    });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it("posts the key as message metadata and finds the root and the reply by it", async () => {
    const channel = "C0KEYED1";
    const since = Date.now();
    const root = await poster.postRoot(channel, { text: "root" }, { key: "job-1:root" });
    const reply = await poster.postInThread(
      { channel, thread: root.thread },
      { text: "reply" },
      { key: "job-1:reply:0" },
    );
    await poster.postInThread({ channel, thread: root.thread }, { text: "unkeyed" });
    expect(fake.message(channel, root.id)?.metadata).toEqual({
      event_type: "upshift_post",
      event_payload: { key: "job-1:root" },
    });
    expect(fake.message(channel, reply)?.metadata?.event_payload).toEqual({ key: "job-1:reply:0" });

    expect(await poster.findPosted(channel, undefined, "job-1:root", { since })).toEqual(root);
    expect(await poster.findPosted(channel, root.thread, "job-1:reply:0", { since })).toEqual({
      id: reply,
      thread: root.thread,
    });
    // A root key is not a reply, a reply key is not a root, an unknown key is nothing.
    expect(await poster.findPosted(channel, root.thread, "job-1:root", { since })).toBeUndefined();
    expect(await poster.findPosted(channel, undefined, "job-1:reply:0", { since })).toBeUndefined();
    expect(await poster.findPosted(channel, undefined, "job-1:reply:9")).toBeUndefined();
    const history = fake.callsOf("conversations.history").at(-2)!.body;
    expect(history).toMatchObject({ channel, include_all_metadata: "true", limit: "200", inclusive: "true" });
    // The window opens two minutes before the post was about to be sent (clock skew).
    expect(Number(history.oldest)).toBeCloseTo((since - 120_000) / 1000, 2);
  });

  it("pages through a busy channel to find an older root, within its window", async () => {
    const channel = "C0KEYED2";
    const since = Date.now();
    const target = await poster.postRoot(channel, { text: "target" }, { key: "job-2:root" });
    for (let i = 0; i < 450; i++) await poster.postRoot(channel, { text: `noise ${i}` }, { key: `noise-${i}:root` });
    const before = fake.callsOf("conversations.history").length;
    expect(await poster.findPosted(channel, undefined, "job-2:root", { since })).toEqual(target);
    const pages = fake.callsOf("conversations.history").slice(before);
    // Newest first, 200 a page: the oldest of 451 roots is on the third page.
    expect(pages).toHaveLength(3);
    expect(pages[0].body.cursor).toBeUndefined();
    expect(pages[1].body.cursor).toEqual(expect.any(String));
    // Looking from ten minutes after the post on, it is out of the window: not found.
    expect(await poster.findPosted(channel, undefined, "job-2:root", { since: since + 11 * 60_000 })).toBeUndefined();
  });

  it("names the missing scope for a history read that Slack refuses", async () => {
    fake.failNext("conversations.history", 1, { status: 200, error: "missing_scope" });
    await expect(poster.findPosted("C0KEYED3", undefined, "k")).rejects.toThrow(
      /conversations\.history failed: missing_scope .*channels:history, groups:history/,
    );
  });
});

describe("DiscordPoster keyed posts", () => {
  let fake: FakeDiscord;
  let poster: DiscordPoster;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    poster = new DiscordPoster({ token: fake.token, apiUrl: fake.url, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it("derives a 25-character nonce from the key", () => {
    expect(nonceFor("0f8fad5b-d9cb-469f-a165-70867728950e:reply:12")).toMatch(/^[A-Za-z0-9_-]{25}$/);
    expect(nonceFor("a:reply:1")).not.toBe(nonceFor("a:reply:2"));
    expect(nonceFor("a:reply:1")).toBe(nonceFor("a:reply:1"));
  });

  it("a root sent twice with one key is one message with one thread", async () => {
    const channel = fake.channelId;
    const before = fake.messagesIn(channel).length;
    const first = await poster.postRoot(channel, { text: "Upgrade check: prod" }, { key: "job-3:root" });
    const again = await poster.postRoot(channel, { text: "Upgrade check: prod" }, { key: "job-3:root" });
    expect(again).toEqual(first);
    expect(first.thread).toBe(first.id);
    expect(fake.messagesIn(channel)).toHaveLength(before + 1);
    expect([...fake.threads.values()].filter((t) => t.message_id === first.id)).toHaveLength(1);
    const posts = fake.calls.filter((c) => c.method === "POST" && c.path === `/channels/${channel}/messages`).slice(-2);
    expect(posts.map((c) => c.body)).toEqual([
      expect.objectContaining({ nonce: nonceFor("job-3:root"), enforce_nonce: true }),
      expect.objectContaining({ nonce: nonceFor("job-3:root"), enforce_nonce: true }),
    ]);
    // Without a key nothing changes: two posts, two roots.
    await poster.postRoot(channel, { text: "plain" });
    await poster.postRoot(channel, { text: "plain" });
    expect(fake.messagesIn(channel)).toHaveLength(before + 3);
  });

  it("a long reply sent twice with one key is each of its parts once", async () => {
    const root = await poster.postRoot(fake.channelId, { text: "root" }, { key: "job-4:root" });
    const text = Array.from({ length: 60 }, (_, i) => `line ${i} ${"x".repeat(60)}`).join("\n");
    const first = await poster.postInThread(
      { channel: fake.channelId, thread: root.thread },
      { text },
      { key: "job-4:reply:0" },
    );
    const parts = fake.messagesIn(root.thread);
    expect(parts.length).toBeGreaterThan(1);
    expect(new Set(parts.map((p) => p.nonce)).size).toBe(parts.length);
    const again = await poster.postInThread(
      { channel: fake.channelId, thread: root.thread },
      { text },
      { key: "job-4:reply:0" },
    );
    expect(again).toBe(first);
    expect(fake.messagesIn(root.thread)).toEqual(parts);
  });

  it("has no findPosted: re-sending with the key is the lookup", () => {
    expect((poster as { findPosted?: unknown }).findPosted).toBeUndefined();
  });
});

describe("ConsolePoster keyed posts", () => {
  it("finds what it posted by key, root and reply apart", async () => {
    const poster = new ConsolePoster(new PassThrough().resume());
    const root = await poster.postRoot("ops", { text: "root" }, { key: "j:root" });
    const reply = await poster.postInThread(
      { channel: "ops", thread: root.thread },
      { text: "r" },
      { key: "j:reply:0" },
    );
    expect(await poster.findPosted("ops", undefined, "j:root")).toEqual(root);
    expect(await poster.findPosted("ops", root.thread, "j:reply:0")).toEqual({ id: reply, thread: root.thread });
    expect(await poster.findPosted("ops", root.thread, "j:root")).toBeUndefined();
    expect(await poster.findPosted("other", undefined, "j:root")).toBeUndefined();
  });
});
