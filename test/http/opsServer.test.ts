import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { pino } from "pino";
import { afterEach, describe, expect, inject, it } from "vitest";
import { type OpsServer, startOpsServer } from "../../src/http/opsServer.ts";
import { createMetrics } from "../../src/metrics/metrics.ts";

const logger = pino({ level: "silent" });
const TOKEN = "s3cret-admin-token-0123456789";

function redisConnection() {
  const u = new URL(inject("redisUrl"));
  return { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null };
}

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function start(
  extra: Partial<Parameters<typeof startOpsServer>[0]> = {},
): Promise<{ server: OpsServer; base: string }> {
  const server = await startOpsServer({
    port: 0,
    host: "127.0.0.1",
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: async () => ({ ok: false, detail: "redis: connection refused" }),
    logger,
    ...extra,
  });
  open.push(server);
  return { server, base: `http://127.0.0.1:${server.port}` };
}

describe("ops server", () => {
  it("answers /healthz 200 while readiness fails, and /readyz 503 with the detail", async () => {
    const { base } = await start();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok\n");
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain("redis: connection refused");
  });

  it("answers /readyz 200 when ready, and 503 when readiness throws or hangs", async () => {
    const ok = await start({ readiness: async () => ({ ok: true, detail: "redis ok" }) });
    const r1 = await fetch(`${ok.base}/readyz`);
    expect(r1.status).toBe(200);
    expect(await r1.text()).toBe("ready: redis ok\n");

    const throwing = await start({
      readiness: async () => {
        throw new Error("boom");
      },
    });
    const r2 = await fetch(`${throwing.base}/readyz`);
    expect(r2.status).toBe(503);
    expect(await r2.text()).toContain("readiness check failed: boom");

    const hanging = await start({ readiness: () => new Promise(() => {}), readinessTimeoutMs: 50 });
    const r3 = await fetch(`${hanging.base}/readyz`);
    expect(r3.status).toBe(503);
    expect(await r3.text()).toContain("timed out");
  });

  it("exposes every Upshift metric, with queue depth read from Redis at scrape time", async () => {
    const queue = new Queue(`ops-metrics-${randomUUID()}`, { connection: redisConnection(), prefix: "opstest" });
    open.push(queue);
    await queue.add("a", { n: 1 });
    await queue.add("b", { n: 2 });
    const metrics = createMetrics({ queues: [queue] });
    metrics.jobsTotal.inc({ type: "check", outcome: "completed" });
    metrics.findingsTotal.inc({ check: "PRB-01", severity: "critical" });
    metrics.chatRateLimitWaitsTotal.inc({ platform: "slack" });
    const { base } = await start({ metrics });

    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    for (const name of [
      "upshift_jobs_total",
      "upshift_job_duration_seconds",
      "upshift_queue_depth",
      "upshift_findings_total",
      "upshift_alerts_sent_total",
      "upshift_approvals_total",
      "upshift_chat_api_errors_total",
      "upshift_chat_rate_limit_waits_total",
      "upshift_chat_rate_limit_wait_seconds_total",
      "process_cpu_user_seconds_total",
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('upshift_jobs_total{type="check",outcome="completed"} 1');
    expect(text).toContain(`upshift_queue_depth{queue="${queue.name}",state="waiting"} 2`);
    expect(text).toContain(`upshift_queue_depth{queue="${queue.name}",state="active"} 0`);
  });

  it("drops queue depth and counts an error when Redis cannot be read, without failing the scrape", async () => {
    const metrics = createMetrics({
      defaultMetrics: false,
      queues: [{ name: "broken", getJobCounts: () => Promise.reject(new Error("ECONNREFUSED")) }],
    });
    const { base } = await start({ metrics });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('upshift_queue_depth{queue="broken"');
    expect(text).toContain('upshift_queue_depth_errors_total{queue="broken"} 1');
  });

  it("hides /admin/queues (404) when no admin token is configured", async () => {
    const { base } = await start();
    expect((await fetch(`${base}/admin/queues`)).status).toBe(404);
    expect(
      (await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(404);
  });

  it("guards /admin/queues with the token: 401 wrong, 200 right, query token becomes a cookie", async () => {
    const queue = new Queue(`ops-admin-${randomUUID()}`, { connection: redisConnection(), prefix: "opstest" });
    open.push(queue);
    await queue.add("visible-job", { n: 1 });
    const { base } = await start({ adminToken: TOKEN, queues: [queue] });

    expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${base}/admin/queues`, { headers: { authorization: "Bearer wrong-token" } })).status).toBe(
      401,
    );
    expect((await fetch(`${base}/admin/queues?token=wrong`, { redirect: "manual" })).status).toBe(401);

    const page = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");

    const api = await fetch(`${base}/admin/queues/api/queues?activeQueue=${queue.name}&status=waiting&page=1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain(queue.name);

    const login = await fetch(`${base}/admin/queues?token=${TOKEN}`, { redirect: "manual" });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/admin/queues");
    const setCookie = login.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(";")[0];
    expect((await fetch(`${base}/admin/queues`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${base}/admin/queues`, { headers: { cookie: "upshift_admin=forged" } })).status).toBe(401);
  });

  it("hands unknown paths to the fallback listener, or answers 404 without one", async () => {
    const plain = await start();
    expect((await fetch(`${plain.base}/slack/events`, { method: "POST", body: "{}" })).status).toBe(404);

    const withFallback = await start({
      fallback: (req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`fallback ${req.method} ${req.url}`);
      },
    });
    const res = await fetch(`${withFallback.base}/slack/events`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("fallback POST /slack/events");
  });

  it("close() stops listening and is idempotent", async () => {
    const { server, base } = await start();
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
