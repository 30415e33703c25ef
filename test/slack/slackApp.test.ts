// The Bolt app's own duties, over HTTP: readiness as a ChatAdapter, reaction events forwarded,
// auth.test at start, and the 3 s ack kept even when the queue behind the router is down.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { createSlackApp, type SlackAppOptions } from "../../adapters/slack/slackApp.ts";
import { CommandRouter, QUEUE_UNAVAILABLE_TEXT } from "../../commands/router.ts";
import type { ReactionEvent } from "../../src/chat/reactions.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { freePort } from "../../src/redis/embeddedRedis.ts";
import { kubeconfigFor } from "../../src/sandbox/kubeconfig.ts";
import { FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { postSigned, reactionEventBody, slashCommandBody } from "../fakes/slackSigning.ts";
import { quietLogger, SIGNING_SECRET, type SlackHarness, startSlackHarness } from "./harness.ts";

const contexts = ClusterDirectory.fromString(kubeconfigFor([{ name: "prod-eu", url: "http://127.0.0.1:1" }]));

describe("Slack app", () => {
  let fake: FakeSlackApi;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    fake = await FakeSlackApi.start();
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  afterAll(async () => {
    await fake?.close();
  });

  async function harness(app: Partial<SlackAppOptions> = {}, redisUrl = inject("redisUrl")): Promise<SlackHarness> {
    const h = await startSlackHarness({ fake, redisUrl, contexts, app, waitForRedis: redisUrl === inject("redisUrl") });
    cleanups.push(() => h.close());
    return h;
  }

  async function bareApp(router: CommandRouter) {
    const slack = createSlackApp({
      botToken: fake.botToken,
      signingSecret: SIGNING_SECRET,
      slackApiUrl: fake.apiUrl,
      port: 0,
      router,
      logger: quietLogger(),
    });
    await slack.start();
    cleanups.push(() => slack.stop());
    return { slack, eventsUrl: `http://127.0.0.1:${slack.port()}/slack/events` };
  }

  it("verifies the bot token with auth.test against the configured API at start, and is ready only while started", async () => {
    const before = fake.callsOf("auth.test").length;
    const h = await harness();
    expect(fake.callsOf("auth.test").length).toBe(before + 1);
    expect(h.slack.port()).toBeGreaterThan(0);
    expect(h.slack.name).toBe("slack");
    expect(h.slack.ready()).toBe(true);
    // Probes are the ops server's (test/http/opsRoutes.test.ts): Bolt's own server serves Slack only.
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(404);
    await h.slack.stop();
    expect(h.slack.ready()).toBe(false);
  });

  it("is not ready before start, nor after a failed start", async () => {
    const slack = createSlackApp({
      botToken: "xoxb-revoked-0000",
      signingSecret: SIGNING_SECRET,
      slackApiUrl: fake.apiUrl,
      port: 0,
      router: new CommandRouter(),
      logger: quietLogger(),
    });
    expect(slack.ready()).toBe(false);
    await expect(slack.start()).rejects.toThrow("Slack auth.test failed");
    expect(slack.ready()).toBe(false);
  });

  it("fails to start with a clear message when auth.test rejects the token", async () => {
    const slack = createSlackApp({
      botToken: "xoxb-revoked-0000",
      signingSecret: SIGNING_SECRET,
      slackApiUrl: fake.apiUrl,
      port: 0,
      router: new CommandRouter(),
      logger: quietLogger(),
    });
    await expect(slack.start()).rejects.toThrow(
      "Slack auth.test failed: invalid_auth (check SLACK_BOT_TOKEN and SLACK_API_URL)",
    );
  });

  it("refuses to build an HTTP app without a signing secret", () => {
    expect(() =>
      createSlackApp({ botToken: fake.botToken, port: 0, router: new CommandRouter(), logger: quietLogger() }),
    ).toThrow(/SLACK_SIGNING_SECRET/);
  });

  it("forwards reaction_added and reaction_removed on messages to onReaction, but not the bot's own", async () => {
    const seen: ReactionEvent[] = [];
    const h = await harness({ onReaction: async (e) => void seen.push(e) });
    const send = (type: "reaction_added" | "reaction_removed", user: string) =>
      postSigned(
        h.eventsUrl,
        reactionEventBody({ type, user, reaction: "white_check_mark", channel: "C0APPROVE", ts: "1700000000.000300" }),
        {
          signingSecret: SIGNING_SECRET,
          contentType: "application/json",
        },
      );
    expect((await send("reaction_added", fake.botUserId)).status).toBe(200);
    expect((await send("reaction_added", "U0BOB")).status).toBe(200);
    expect((await send("reaction_removed", "U0BOB")).status).toBe(200);
    await waitFor(() => seen.length >= 2, 5_000, "two reactions");
    expect(seen).toEqual([
      {
        platform: "slack",
        added: true,
        userId: "U0BOB",
        emoji: "white_check_mark",
        channel: "C0APPROVE",
        messageId: "1700000000.000300",
      },
      {
        platform: "slack",
        added: false,
        userId: "U0BOB",
        emoji: "white_check_mark",
        channel: "C0APPROVE",
        messageId: "1700000000.000300",
      },
    ]);
  });

  it("acks within 3 s with 'nothing was queued' when Redis is unreachable, and keeps serving", async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const h = await harness({}, deadRedis);
    const body = slashCommandBody({
      command: "/upgrade-check",
      text: "prod-eu 1.32",
      response_url: fake.responseUrl("dead"),
    });
    const res = await postSigned(h.eventsUrl, body, { signingSecret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3_000);
    expect(res.json).toEqual({ response_type: "ephemeral", text: QUEUE_UNAVAILABLE_TEXT });
    // Still serving: the next command is answered within the deadline too.
    const again = await postSigned(h.eventsUrl, slashCommandBody({ command: "/upgrade-check", text: "prod-eu" }), {
      signingSecret: SIGNING_SECRET,
    });
    expect(again.ms).toBeLessThan(3_000);
    expect(again.json).toEqual({ response_type: "ephemeral", text: QUEUE_UNAVAILABLE_TEXT });
    expect(h.slack.ready()).toBe(true);
  });

  it("acks a router that hangs before Slack's 3 s limit, and corrects the user if the request went through late", async () => {
    let release: () => void = () => {};
    const router = new CommandRouter([
      {
        spec: { name: "upgrade-check", description: "d", usage: "", options: [] },
        handle: () =>
          new Promise(
            (resolve) => (release = () => resolve({ refused: false, text: "Queued upgrade check of prod-eu." })),
          ),
      },
    ]);
    const { eventsUrl } = await bareApp(router);
    const body = slashCommandBody({
      command: "/upgrade-check",
      text: "prod-eu",
      response_url: fake.responseUrl("late"),
    });
    const res = await postSigned(eventsUrl, body, { signingSecret: SIGNING_SECRET });
    expect(res.ms).toBeLessThan(3_000);
    expect(res.json).toEqual({ response_type: "ephemeral", text: QUEUE_UNAVAILABLE_TEXT });
    release();
    const correction = await waitFor(
      () => fake.responses.find((r) => r.path === "/respond/late"),
      5_000,
      "late correction",
    );
    expect(correction.body).toMatchObject({
      response_type: "ephemeral",
      text: "Correction: your request went through after all. Queued upgrade check of prod-eu.",
    });
  });

  it("answers a slash command the router does not know with the commands it does know", async () => {
    const h = await harness();
    const res = await postSigned(h.eventsUrl, slashCommandBody({ command: "/upgrade-cycle", text: "prod-eu" }), {
      signingSecret: SIGNING_SECRET,
    });
    expect(res.json).toEqual({
      response_type: "ephemeral",
      text: "Unknown command /upgrade-cycle. Upshift knows: /upgrade-check.",
    });
    expect(await h.jobCount()).toBe(0);
  });

  it("queues each of a concurrent burst of distinct commands once and answers the same-burst duplicates as already running", async () => {
    // The adds of one burst go to Redis together (auto-pipelined): each keeps its own reply.
    const h = await harness();
    const targets = ["1.32", "1.33", "1.34", "1.35", "1.36"];
    const send = (target: string) =>
      postSigned(h.eventsUrl, slashCommandBody({ command: "/upgrade-check", text: `prod-eu ${target}` }), {
        signingSecret: SIGNING_SECRET,
      });
    const burst = await Promise.all([...targets, ...targets].map(send));
    for (const target of targets) {
      const texts = burst.filter((r) => r.json?.text?.includes(`prod-eu → ${target}`)).map((r) => r.json?.text);
      expect(texts.filter((t) => t?.startsWith("Queued upgrade check of"))).toHaveLength(1);
      expect(texts.filter((t) => t?.startsWith("Already running: the check of"))).toHaveLength(1);
    }
    expect(await h.jobCount()).toBe(targets.length);
  });
});
