// The counters deploy/README.md lists move when their event happens, as /metrics shows them:
// chat API errors and rate-limit waits (real SlackPoster against the fake Slack Web API),
// approval decisions (the real approval engine on a real Redis), watch alerts (the real AlertSink).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { consoleTraits } from "../../adapters/console/consoleTraits.ts";
import { SlackCallError, SlackPoster } from "../../adapters/slack/slackPoster.ts";
import {
  alertCounter,
  countApprovalOutcome,
  countingApiErrors,
  countRateLimitWaits,
  startCountingSweeper,
} from "../../cli/instrument.ts";
import { buildPlan } from "../../src/cycles/plan.ts";
import { type OpsServer, startOpsServer } from "../../src/http/opsServer.ts";
import { createMetrics, type Metrics } from "../../src/metrics/metrics.ts";
import { watchAlertTexts } from "../../src/render/watch.ts";
import { AlertSink } from "../../src/watch/alertSink.ts";
import { APPROVER, FakeMicrok8s, fileConfig, STRANGER, type Stack, startStack } from "../cycles/harness.ts";
import { FakeSlackApi } from "../fakes/fakeSlackApi.ts";

const logger = pino({ level: "silent" });
const redisUrl = inject("redisUrl");

let metrics: Metrics;
let ops: OpsServer;

beforeAll(async () => {
  metrics = createMetrics({ defaultMetrics: false });
  ops = await startOpsServer({
    port: 0,
    host: "127.0.0.1",
    metrics,
    readiness: async () => ({ ok: true, detail: "test" }),
    logger,
  });
});
afterAll(async () => {
  await ops?.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${ops.port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one series in the exposition text, 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("chat metrics", () => {
  it("counts Slack rate-limit waits and failed Web API calls", async () => {
    const fake = await FakeSlackApi.start();
    try {
      const poster = new SlackPoster({
        botToken: fake.botToken,
        slackApiUrl: fake.apiUrl,
        logger,
        retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 },
      });
      countRateLimitWaits(metrics, { slack: poster.client });
      const counted = countingApiErrors(poster, metrics);
      expect(counted.platform).toBe("slack");

      fake.failNext("chat.postMessage", 1, { status: 429, retryAfterSeconds: 1 });
      const root = await counted.postRoot("C1", { text: "after one 429" });
      expect(root.id).toBeTruthy();
      let text = await scrape();
      expect(value(text, 'upshift_chat_rate_limit_waits_total{platform="slack"}')).toBe(1);
      expect(value(text, 'upshift_chat_rate_limit_wait_seconds_total{platform="slack"}')).toBe(1);

      fake.failNext("chat.update", 1, { status: 200, error: "message_not_found" });
      await expect(counted.update("C1", root.id, { text: "edit" })).rejects.toBeInstanceOf(SlackCallError);
      text = await scrape();
      expect(value(text, 'upshift_chat_api_errors_total{platform="slack",method="chat.update"}')).toBe(1);
    } finally {
      await fake.close();
    }
  });
});

describe("approval metrics", () => {
  let stack: Stack;
  beforeAll(async () => {
    let now = Date.now();
    stack = await startStack({
      redisUrl,
      file: fileConfig(),
      withWorker: false,
      now: () => now,
      microk8s: new FakeMicrok8s({ addons: [{ name: "dns", status: "enabled", version: "1.10.1" }] }),
    });
    (stack as Stack & { advance: (ms: number) => void }).advance = (ms) => {
      now += ms;
    };
  });
  afterAll(async () => {
    await stack?.close();
  });

  const plan = () =>
    buildPlan({
      cluster: stack.cluster,
      addons: ["dns"],
      requester: stack.requester,
      dryRun: false,
      file: fileConfig(),
      drivers: stack.drivers(stack.cluster),
    });
  const react = async (messageId: string, userId: string, emoji = "white_check_mark") => {
    const outcome = await stack.approvals.onReaction({
      platform: "slack",
      added: true,
      userId,
      emoji,
      channel: "C1",
      messageId,
    });
    countApprovalOutcome(metrics, outcome);
    return outcome;
  };

  it("counts refused, approved, rejected and expired decisions", async () => {
    const first = await stack.approvals.requestApproval(await plan(), stack.reply);
    expect(await react(first.messageId, STRANGER)).toBe("not-approver");
    expect(await react(first.messageId, APPROVER)).toBe("approved");
    const second = await stack.approvals.requestApproval(await plan(), stack.reply);
    expect(await react(second.messageId, APPROVER, "x")).toBe("cancelled");
    await stack.approvals.requestApproval(await plan(), stack.reply);
    (stack as Stack & { advance: (ms: number) => void }).advance(31 * 60_000);
    const stop = startCountingSweeper(stack.approvals, metrics, logger, 20);
    try {
      const deadline = Date.now() + 5_000;
      while (value(await scrape(), 'upshift_approvals_total{decision="expired"}') < 1 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      stop();
    }
    const text = await scrape();
    expect(value(text, 'upshift_approvals_total{decision="refused"}')).toBe(1);
    expect(value(text, 'upshift_approvals_total{decision="approved"}')).toBe(1);
    expect(value(text, 'upshift_approvals_total{decision="rejected"}')).toBe(1);
    expect(value(text, 'upshift_approvals_total{decision="expired"}')).toBe(1);
  });
});

describe("alert metrics", () => {
  it("counts each alert a watch posts, by cluster and reason, and not its duplicates", async () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const posted: string[] = [];
    const poster = {
      platform: "console" as const,
      traits: consoleTraits,
      async postRoot(_channel: string, message: { text: string }) {
        posted.push(message.text);
        return { id: String(posted.length), thread: String(posted.length) };
      },
      async postInThread(_address: unknown, message: { text: string }) {
        posted.push(message.text);
        return String(posted.length);
      },
      async update() {},
    };
    const count = alertCounter(metrics);
    try {
      const sink = new AlertSink({
        redis,
        prefix,
        cluster: "prod",
        poster,
        channel: "ops",
        threadsKey: `${prefix}:threads`,
        countsKey: `${prefix}:counts`,
        texts: watchAlertTexts("prod"),
        onPosted: (draft) => count("prod", draft.reason),
      });
      const draft = {
        ruleId: "crashloop",
        reason: "CrashLoopBackOff",
        severity: "high" as const,
        check: "POD-01",
        subject: { kind: "Deployment", namespace: "apps", name: "web" },
        evidence: "container web: CrashLoopBackOff",
        likelyCause: "the new image fails at start",
        observedAt: Date.now(),
      };
      expect(await sink.deliver(draft)).toBe("posted");
      expect(await sink.deliver(draft)).toBe("duplicate");
      const text = await scrape();
      expect(value(text, 'upshift_alerts_sent_total{cluster="prod",reason="CrashLoopBackOff"}')).toBe(1);
      expect(posted.length).toBeGreaterThan(0);
    } finally {
      await redis.quit();
    }
  });
});
