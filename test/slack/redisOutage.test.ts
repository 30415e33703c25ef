// Replies that tell the truth while Redis dies: a private redis-server (AOF, fsync always, so
// what it acknowledged survives) is SIGKILLed and restarted on the same port while signed slash
// commands keep arriving through the real Bolt app, and a real check worker runs what was queued.
// Every "Queued" reply must run exactly once; every "nothing was queued" reply must never run,
// not even after Redis is back. And a signed request replayed within Slack's window starts no
// second run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { QUEUE_UNAVAILABLE_TEXT } from "../../commands/router.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { helm01PendingRelease } from "../../src/checks/catalog/helm-01-pending-release.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { workerConnection } from "../../src/queue/redisConnection.ts";
import { freePort, type RedisProcess, startRedisProcess } from "../../src/redis/embeddedRedis.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { type RedisProxy, startRedisProxy } from "../fakes/redisProxy.ts";
import { postSigned, signSlackRequest, slashCommandBody } from "../fakes/slackSigning.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";
import { quietLogger, SIGNING_SECRET, type SlackHarness, startSlackHarness, uniquePrefix } from "./harness.ts";

const CONTEXT = "prod";
const CHANNEL = "C0OUTAGE1";

describe("Slack replies during a Redis outage", () => {
  let api: FakeSlackApi;
  let sandbox: SandboxServer;
  let h: SlackHarness;
  let worker: Worker;
  let workerRedis: ReturnType<typeof workerConnection>;
  let redis: RedisProcess | undefined;
  let port: number;
  let dir: string;
  let proxy: RedisProxy;
  let viaProxy: SlackHarness;

  // Durable like a production Redis should be: what it answered OK to is on disk before the answer.
  const startRedis = () =>
    startRedisProcess({
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--dir",
        dir,
        "--maxmemory-policy",
        "noeviction",
      ],
      readyText: "Ready to accept connections",
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "upshift-outage-"));
    port = await freePort();
    redis = await startRedis();
    const url = `redis://127.0.0.1:${port}`;
    api = await FakeSlackApi.start();
    sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
    const clusters = ClusterDirectory.fromString(sandbox.kubeconfig(CONTEXT));
    const prefix = uniquePrefix("outage");
    h = await startSlackHarness({ fake: api, redisUrl: url, contexts: clusters, prefix });
    // A second bot replica, same queue, whose network to Redis can lose one answer.
    proxy = await startRedisProxy({ host: "127.0.0.1", port });
    viaProxy = await startSlackHarness({ fake: api, redisUrl: proxy.url, contexts: clusters, prefix });
    await Promise.all([h.queues.ready(), viaProxy.queues.ready()]);
    workerRedis = workerConnection(url);
    workerRedis.on("error", () => {});
    const logger = quietLogger();
    worker = startCheckWorker(
      {
        clusters,
        checks: [helm01PendingRelease],
        posters: new PosterRegistry([new SlackPoster({ botToken: api.botToken, slackApiUrl: api.apiUrl, logger })]),
        file: fileConfigSchema.parse({}),
        logger,
      },
      { connection: workerRedis, prefix, concurrency: 4 },
    );
  });

  afterAll(async () => {
    await h?.close();
    await viaProxy?.close();
    await proxy?.close();
    await worker?.close(true);
    workerRedis?.disconnect();
    await redis?.stop();
    await sandbox?.close();
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const send = (target: string) => {
    const body = slashCommandBody({
      command: "/upgrade-check",
      text: `${CONTEXT} ${target}`,
      channel_id: CHANNEL,
      response_url: api.responseUrl(target),
    });
    return {
      body,
      result: postSigned(h.eventsUrl, body, { signingSecret: SIGNING_SECRET }),
    };
  };

  const rootsFor = (target: string) => api.roots(CHANNEL).filter((m) => m.history[0]?.includes(`→ ${target},`));

  it("SIGKILL and restart while commands arrive: every Queued ran once, every nothing-was-queued never ran", async () => {
    const replies = new Map<string, Promise<{ text?: string }>>();
    const targets = Array.from({ length: 36 }, (_, i) => `1.32.${i}`);
    let killedAt = -1;
    let restartedAt = -1;
    for (const [i, target] of targets.entries()) {
      if (i === 8) {
        killedAt = i;
        await killRedis(redis!);
        redis = undefined;
      }
      if (i === 24) {
        restartedAt = i;
        redis = await startRedis();
      }
      replies.set(
        target,
        send(target).result.then((r) => r.json ?? {}),
      );
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(killedAt).toBe(8);
    expect(restartedAt).toBe(24);

    const answered = new Map<string, string>();
    for (const [target, reply] of replies) answered.set(target, (await reply).text ?? "");
    const queued = targets.filter((t) => answered.get(t)!.startsWith("Queued upgrade check"));
    const notQueued = targets.filter((t) => answered.get(t) === QUEUE_UNAVAILABLE_TEXT);
    // Every reply is one of the two; both kinds happened (the outage was real, and so was the recovery).
    expect(queued.length + notQueued.length).toBe(targets.length);
    expect(notQueued.length).toBeGreaterThan(0);
    expect(queued.length).toBeGreaterThan(8);

    // Each queued check posts its root once and reaches its verdict.
    for (const target of queued)
      await waitFor(() => rootsFor(target)[0]?.text.includes("blocked"), 60_000, `the verdict of ${target}`);
    // Past every request's acceptBy, and time for any job written during the outage to be taken.
    await new Promise((r) => setTimeout(r, 4_000));
    const counts = await h.queues.check.getJobCounts("wait", "active", "delayed", "prioritized");
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    for (const target of queued) expect(rootsFor(target), target).toHaveLength(1);
    for (const target of notQueued) expect(rootsFor(target), target).toHaveLength(0);
    // No reply was corrected later: "nothing was queued" was the final word and true.
    expect(api.responses.filter((r) => String(r.body.text ?? "").startsWith("Correction"))).toEqual([]);
  }, 120_000);

  it("an accept Redis applied but whose answer was lost is found out: the final word is Queued, and it runs once", async () => {
    const target = "1.34.2";
    const body = slashCommandBody({
      command: "/upgrade-check",
      text: `${CONTEXT} ${target}`,
      channel_id: CHANNEL,
      response_url: api.responseUrl(target),
    });
    // The request key's accept (an EVAL naming "accepted:<job id>") reaches Redis; its reply does not.
    proxy.loseReplyTo("accepted:req.slack.");
    const ack = await postSigned(viaProxy.eventsUrl, body, { signingSecret: SIGNING_SECRET });
    expect(proxy.lost).toBe(1);
    await waitFor(() => rootsFor(target)[0]?.text.includes("blocked"), 30_000, "the verdict");
    // The bot asked again before answering; if that took past Slack's ack deadline, the ack said
    // "nothing was queued" and a correction followed. Either way the last word is the truth.
    const corrections = () =>
      api.responses.filter((r) => r.path.includes(target) && String(r.body.text ?? "").startsWith("Correction"));
    if (ack.json?.text === QUEUE_UNAVAILABLE_TEXT)
      await waitFor(() => corrections()[0], 10_000, "the correction of a 'nothing was queued' ack");
    else {
      expect(ack.json?.text).toMatch(/^Queued upgrade check of prod → 1\.34\.2\./);
      expect(corrections()).toEqual([]);
    }
    expect(rootsFor(target)).toHaveLength(1);
  }, 60_000);

  it("a signed request replayed within Slack's window starts no second run", async () => {
    const target = "1.33.7";
    const body = slashCommandBody({
      command: "/upgrade-check",
      text: `${CONTEXT} ${target}`,
      channel_id: CHANNEL,
      response_url: api.responseUrl(target),
    });
    // The replay sends the very bytes and signature Slack sent (same timestamp, still in the window).
    const headers = signSlackRequest(body, SIGNING_SECRET);
    const ts = Number(headers["x-slack-request-timestamp"]);
    const first = await postSigned(h.eventsUrl, body, { signingSecret: SIGNING_SECRET, timestampSeconds: ts });
    expect(first.json?.text).toMatch(/^Queued upgrade check of prod → 1\.33\.7\./);
    // Once while the job may still run, once after it finished (dedup by cluster+target is gone then).
    const during = await postSigned(h.eventsUrl, body, { signingSecret: SIGNING_SECRET, timestampSeconds: ts });
    expect(during.json?.text).toMatch(/^This same request was already received and queued once/);
    await waitFor(() => rootsFor(target)[0]?.text.includes("blocked"), 30_000, "the verdict");
    const after = await postSigned(h.eventsUrl, body, { signingSecret: SIGNING_SECRET, timestampSeconds: ts });
    expect(after.json?.text).toMatch(
      /^This same request was already received and queued once; it runs once: see the thread in <#C0OUTAGE1>\./,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(rootsFor(target)).toHaveLength(1);
    const jobs = await h.queues.check.getJobs(["completed", "wait", "active", "delayed"]);
    expect(jobs.filter((j) => "target" in j.data && j.data.target === target)).toHaveLength(1);
  }, 60_000);
});

/** SIGKILL: the server dies mid-command, with no chance to answer or close its sockets. */
async function killRedis(p: RedisProcess): Promise<void> {
  await p.kill("SIGKILL");
}
