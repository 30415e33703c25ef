// What the container image runs: `npm run build`, then bot and worker as separate processes from
// dist/, against one Redis, a fake Slack Web API and the sandbox cluster. A signed /upgrade-check
// reaches the bot, the worker posts the thread, and SIGTERM stops both cleanly. A bot in Slack's
// Socket Mode keeps its ops routes (/healthz, /readyz, /metrics, /admin/queues) on PORT.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { NO_ACCESS_RULES_WARNING } from "../../src/access/policy.ts";
import { freePort } from "../../src/redis/embeddedRedis.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { FakeSlackSocketMode } from "../fakes/fakeSlackSocketMode.ts";
import { postSigned, slashCommandBody } from "../fakes/slackSigning.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SECRET = "3e1f7c0a9b8d6e5f4a3b2c1d0e9f8a7b";
let sandbox: SandboxServer;
let fake: FakeSlackApi;
const children: ChildProcess[] = [];
const logs = new Map<ChildProcess, string>();

function start(command: "bot" | "worker", env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, "bin/upshift.js"), command], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, UPSHIFT_RUN: "dist", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  logs.set(child, "");
  child.stdout?.on("data", (d) => logs.set(child, logs.get(child) + d));
  child.stderr?.on("data", (d) => logs.set(child, logs.get(child) + d));
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

beforeAll(async () => {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "pipe", timeout: 120_000 });
  sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
  fake = await FakeSlackApi.start();
}, 150_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await sandbox?.close();
  await fake?.close();
});

describe("bot and worker as separate processes (built output)", () => {
  it("runs a check end to end and shuts down on SIGTERM", async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "upshift-proc-")), "config");
    sandbox.writeKubeconfig(kubeconfig, "prod");
    const [botPort, workerPort] = [await freePort(), await freePort()];
    const env = {
      REDIS_URL: inject("redisUrl"),
      UPSHIFT_QUEUE_PREFIX: `proc-${randomBytes(4).toString("hex")}`,
      KUBECONFIG: kubeconfig,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
    };
    const bot = start("bot", { ...env, PORT: String(botPort) });
    const worker = start("worker", { ...env, PORT: String(workerPort) });
    const base = `http://127.0.0.1:${botPort}`;
    await waitFor(
      async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200,
      30_000,
      `bot ready\n${logs.get(bot)}`,
    );
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${workerPort}/readyz`).catch(() => undefined))?.status === 200,
      30_000,
      `worker ready\n${logs.get(worker)}`,
    );
    // No upshift.yaml, so no access rules: the bot says once that every channel may use every cluster.
    expect(logs.get(bot)?.split(NO_ACCESS_RULES_WARNING).length).toBe(2);
    expect(logs.get(worker)).not.toContain(NO_ACCESS_RULES_WARNING);
    const workerMetrics = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
    expect(workerMetrics).toContain("upshift_queue_depth");
    // Slack, probes and metrics share the bot's one port.
    expect(await (await fetch(`${base}/metrics`)).text()).toContain("upshift_jobs_total");
    const forged = await postSigned(
      `${base}/slack/events`,
      slashCommandBody({ command: "/upgrade-check", text: "prod" }),
      {
        signingSecret: SECRET,
        signature: "v0=0000000000000000000000000000000000000000000000000000000000000000",
      },
    );
    expect(forged.status).toBe(401);

    const ack = await postSigned(
      `${base}/slack/events`,
      slashCommandBody({ command: "/upgrade-check", text: "prod 1.32" }),
      { signingSecret: SECRET },
    );
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ response_type: "ephemeral" });
    expect(ack.json?.text).toContain("Queued upgrade check of prod → 1.32");

    const root = await waitFor(
      () => fake.messages.find((m) => !m.thread_ts && /: \*blocked\*/.test(m.text)),
      30_000,
      `verdict posted\n${logs.get(worker)}`,
    );
    expect(root.history.slice(0, 2)).toEqual([
      "*Upgrade check:* prod → 1.32, requested by <@U0ALICE>: checking…",
      "*Upgrade check:* prod v1.31.4 → 1.32, requested by <@U0ALICE>: running",
    ]);
    const thread = fake.messages
      .filter((m) => m.thread_ts === root.ts)
      .map((m) => m.text)
      .join("\n");
    expect(thread).toContain("HELM-01");
    expect(thread).toContain("PRB-01");
    // The job completes just after its last post.
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
        return text.includes('upshift_jobs_total{type="check",outcome="completed"}') && text;
      },
      10_000,
      "completed job counted",
    );
    expect(metrics).toMatch(/upshift_jobs_total\{type="check",outcome="completed"\} 1/);
    expect(metrics).toMatch(/upshift_findings_total\{check="HELM-01",severity="blocker"\} 1/);

    bot.kill("SIGTERM");
    worker.kill("SIGTERM");
    expect(await exited(bot)).toBe(0);
    expect(await exited(worker)).toBe(0);
    // Secrets never reach the logs.
    for (const child of [bot, worker]) {
      expect(logs.get(child)).not.toContain(fake.botToken);
      expect(logs.get(child)).not.toContain(SECRET);
    }
  });

  it("in Socket Mode serves /healthz, /readyz, /metrics and /admin/queues on PORT, and takes commands over the socket", async () => {
    const socket = await FakeSlackSocketMode.start();
    fake.socketModeUrl = () => socket.issueUrl();
    try {
      const kubeconfig = join(mkdtempSync(join(tmpdir(), "upshift-proc-")), "config");
      sandbox.writeKubeconfig(kubeconfig, "prod");
      const port = await freePort();
      const adminToken = "socket-mode-admin-token-0123456789";
      const bot = start("bot", {
        REDIS_URL: inject("redisUrl"),
        UPSHIFT_QUEUE_PREFIX: `proc-${randomBytes(4).toString("hex")}`,
        KUBECONFIG: kubeconfig,
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_APP_TOKEN: fake.appToken,
        SLACK_API_URL: fake.apiUrl,
        ADMIN_TOKEN: adminToken,
        PORT: String(port),
      });
      const base = `http://127.0.0.1:${port}`;
      // Ready means Redis answers and the socket said `hello`.
      await waitFor(
        async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200,
        30_000,
        `bot ready in Socket Mode\n${logs.get(bot)}`,
      );
      expect(socket.openConnections()).toBe(1);
      expect(await (await fetch(`${base}/readyz`)).text()).toBe("ready: redis reachable; adapters connected\n");
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("upshift_jobs_total");
      expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
      const dashboard = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain("<html");
      // No Slack route over HTTP in Socket Mode.
      expect((await fetch(`${base}/slack/events`, { method: "POST", body: "{}" })).status).toBe(404);

      const { ack } = await socket.sendAndAwaitAck("slash_commands", {
        team_id: fake.teamId,
        channel_id: "C0SOCKETPROC",
        user_id: "U0ALICE",
        user_name: "alice",
        command: "/upgrade-check",
        text: "prod 1.32",
        trigger_id: `${Date.now()}.proc`,
      });
      expect(String((ack.payload as { text?: string } | undefined)?.text)).toContain(
        "Queued upgrade check of prod → 1.32",
      );

      bot.kill("SIGTERM");
      expect(await exited(bot)).toBe(0);
      expect(socket.closes).toEqual([{ connection: 1, code: 1000 }]);
      expect(logs.get(bot)).not.toContain(fake.botToken);
      expect(logs.get(bot)).not.toContain(fake.appToken);
    } finally {
      fake.socketModeUrl = undefined;
      await socket.close();
    }
  });
});
