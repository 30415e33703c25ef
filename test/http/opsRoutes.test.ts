// The ops routes do not depend on how Slack is received. In Socket Mode the Slack app listens on no
// port, and the ops server still answers /healthz, /readyz (with the socket's state, through the
// ChatAdapter contract), /metrics and /admin/queues; over HTTP the same server also hands
// /slack/events to Bolt. Real @slack/bolt against the fake Slack Web API and the fake Socket Mode
// server, a real BullMQ queue on real Redis behind the dashboard.
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createSlackApp, type SlackAppHandle } from "../../adapters/slack/slackApp.ts";
import { CommandRouter } from "../../commands/router.ts";
import { adapterProblems } from "../../src/chat/adapter.ts";
import { type OpsServer, startOpsServer } from "../../src/http/opsServer.ts";
import { createMetrics } from "../../src/metrics/metrics.ts";
import { freePort } from "../../src/redis/embeddedRedis.ts";
import { FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { FakeSlackSocketMode } from "../fakes/fakeSlackSocketMode.ts";
import { postSigned, slashCommandBody } from "../fakes/slackSigning.ts";
import { quietLogger, SIGNING_SECRET } from "../slack/harness.ts";

const ADMIN_TOKEN = "ops-routes-admin-token-0123456789";

function redisConnection() {
  const u = new URL(inject("redisUrl"));
  return { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null };
}

const router = () =>
  new CommandRouter(
    [
      {
        spec: { name: "upgrade-check", description: "d", usage: "", options: [] },
        handle: async () => ({ refused: false, text: "Queued upgrade check of prod." }),
      },
    ],
    { logger: quietLogger() },
  );

interface Setup {
  slack: SlackAppHandle;
  ops: OpsServer;
  base: string;
}

/** What cli/services.ts wires: the Slack adapter, and the ops server whatever Slack's mode. */
async function wire(slack: SlackAppHandle, queue: Queue): Promise<Setup> {
  await slack.start();
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.setQueues([queue]);
  const ops = await startOpsServer({
    port: 0,
    host: "127.0.0.1",
    metrics,
    readiness: async () => {
      const problems = adapterProblems([slack]);
      return problems.length ? { ok: false, detail: problems.join("; ") } : { ok: true, detail: "adapters connected" };
    },
    adminToken: ADMIN_TOKEN,
    queues: [queue],
    fallback: slack.requestListener,
    logger: quietLogger(),
  });
  return { slack, ops, base: `http://127.0.0.1:${ops.port}` };
}

async function expectOpsRoutes(base: string, queue: Queue): Promise<void> {
  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.text()).toBe("ok\n");

  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.text()).toBe("ready: adapters connected\n");

  const metrics = await fetch(`${base}/metrics`);
  expect(metrics.status).toBe(200);
  const text = await metrics.text();
  expect(text).toContain("# TYPE upshift_jobs_total counter");
  // Read from Redis on scrape: the queue behind the dashboard is the one counted.
  expect(text).toContain(`upshift_queue_depth{queue="${queue.name}",state="waiting"} 1`);

  expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
  const page = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("<html");
  const api = await fetch(`${base}/admin/queues/api/queues?activeQueue=${queue.name}&status=waiting&page=1`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(api.status).toBe(200);
  expect(JSON.stringify(await api.json())).toContain(queue.name);
}

describe("ops routes, whatever Slack's receiver", () => {
  let api: FakeSlackApi;
  let socket: FakeSlackSocketMode;
  let queue: Queue;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    api = await FakeSlackApi.start();
    socket = await FakeSlackSocketMode.start();
    api.socketModeUrl = () => socket.issueUrl();
    queue = new Queue(`ops-routes-${randomUUID()}`, { connection: redisConnection(), prefix: "opsroutes" });
    await queue.add("visible-job", { n: 1 });
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await queue?.obliterate({ force: true });
    await queue?.close();
    await socket?.close();
    await api?.close();
  });

  it("Socket Mode: Slack listens on no port, and the ops server serves /healthz, /readyz, /metrics and /admin/queues", async () => {
    const unusedPort = await freePort();
    const slack = createSlackApp({
      botToken: api.botToken,
      appToken: api.appToken,
      slackApiUrl: api.apiUrl,
      // Ignored in Socket Mode (and no ops route may end up there).
      port: unusedPort,
      router: router(),
      logger: quietLogger(),
      externalServer: true,
    });
    const { ops, base } = await wire(slack, queue);
    cleanups.push(
      () => slack.stop(),
      () => ops.close(),
    );
    expect(socket.openConnections()).toBe(1);
    expect(slack.requestListener).toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${unusedPort}/metrics`)).rejects.toThrow();

    await expectOpsRoutes(base, queue);
    // No Slack route over HTTP in Socket Mode: commands come over the socket.
    expect((await fetch(`${base}/slack/events`, { method: "POST", body: "{}" })).status).toBe(404);
    const { ack } = await socket.sendAndAwaitAck("slash_commands", {
      team_id: api.teamId,
      channel_id: "C0OPS",
      user_id: "U0ALICE",
      user_name: "alice",
      command: "/upgrade-check",
      text: "prod",
      trigger_id: `${Date.now()}.ops`,
    });
    expect(ack.payload).toEqual({ response_type: "ephemeral", text: "Queued upgrade check of prod." });

    // Slack recycles the socket, and the new URL is a second in coming (apps.connections.open is
    // rate limited once): not ready meanwhile, ready again after the new `hello`.
    api.failNext("apps.connections.open", 1, { status: 429, retryAfterSeconds: 1 });
    socket.requestRefresh();
    const reconnecting = await waitFor(
      async () => {
        const r = await fetch(`${base}/readyz`);
        return r.status === 503 && (await r.text());
      },
      5_000,
      "not ready while the socket reconnects",
    );
    expect(reconnecting).toBe("not ready: slack: not connected\n");
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    await waitFor(
      async () => (await fetch(`${base}/readyz`)).status === 200,
      10_000,
      "ready again after the new hello",
    );
    expect(socket.connectionCount()).toBe(2);

    // The socket closed: /readyz says so, and the other routes keep answering.
    await slack.stop();
    await waitFor(() => socket.openConnections() === 0, 5_000, "socket closed");
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toBe("not ready: slack: not connected\n");
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("HTTP: the same routes on the same server, which also hands signed /slack/events to Bolt", async () => {
    const slack = createSlackApp({
      botToken: api.botToken,
      signingSecret: SIGNING_SECRET,
      slackApiUrl: api.apiUrl,
      router: router(),
      logger: quietLogger(),
      externalServer: true,
    });
    const { ops, base } = await wire(slack, queue);
    cleanups.push(
      () => slack.stop(),
      () => ops.close(),
    );
    await expectOpsRoutes(base, queue);
    const ack = await postSigned(
      `${base}/slack/events`,
      slashCommandBody({ command: "/upgrade-check", text: "prod" }),
      {
        signingSecret: SIGNING_SECRET,
      },
    );
    expect(ack.json).toEqual({ response_type: "ephemeral", text: "Queued upgrade check of prod." });
  });
});
