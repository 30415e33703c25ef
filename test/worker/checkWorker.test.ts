// The check worker end to end below the chat adapters: a real BullMQ queue on the test Redis,
// the real worker, the sandbox API server, and the console poster (our own chat "platform").
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { checksById } from "../../src/checks/catalog/index.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { createLogger } from "../../src/log.ts";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import type { CheckJobData } from "../../src/queue/jobs.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { LastCheckStore } from "../../src/status/lastCheckStore.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

const checks = checksById(["HELM-01", "SKEW-03", "PRB-01"]);
let sandbox: SandboxServer;
let clusters: ClusterDirectory;
const connections: Redis[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
  clusters = ClusterDirectory.fromString(sandbox.kubeconfig("prod"), { timeoutMs: 2_000 });
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(opts: { attempts?: number } = {}) {
  const prefix = `t-${randomBytes(4).toString("hex")}`;
  const producer = new Redis(inject("redisUrl"));
  const workerRedis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  connections.push(producer, workerRedis);
  const poster = new ConsolePoster(new PassThrough().resume());
  const queues = new JobSubmitter(producer, prefix, { backoffDelayMs: 50 });
  const lastChecks = new LastCheckStore(producer, prefix);
  const worker = startCheckWorker(
    {
      clusters,
      checks,
      posters: new PosterRegistry([poster]),
      file: fileConfigSchema.parse({}),
      lastChecks,
      logger: createLogger("silent"),
    },
    { connection: workerRedis, prefix, concurrency: 2 },
  );
  cleanups.push(
    () => worker.close(),
    () => queues.close(),
    () => producer.quit(),
    () => workerRedis.quit(),
  );
  void opts;
  return { poster, queues, worker, lastChecks };
}

const request = (over: Partial<CheckJobData> = {}): CheckJobData => ({
  kind: "check",
  cluster: "prod",
  target: "1.32",
  requester: { platform: "console", userId: "alice", name: "alice" },
  reply: { platform: "console", channel: "upgrades" },
  requestedAt: new Date().toISOString(),
  ...over,
});

async function finished(queues: JobSubmitter, jobId: string) {
  // Generous: on a loaded 2-core CI machine a check with two retries can take seconds.
  for (let i = 0; i < 600; i++) {
    const state = await queues.check.getJobState(jobId);
    // Read the job after it reached its final state: a copy read before holds no failedReason.
    if (state === "completed" || state === "failed") return (await queues.check.getJob(jobId))!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

describe("check worker", () => {
  it("posts a root message, threaded findings by severity, then the verdict", async () => {
    const { poster, queues, lastChecks } = setup();
    const result = await queues.enqueueCheck(request());
    expect(result.status).toBe("queued");
    const job = await finished(queues, result.jobId);
    expect(await job.getState()).toBe("completed");

    const [root, ...rest] = poster.log;
    expect(root).toMatchObject({ kind: "root", channel: "upgrades" });
    // Posted before the cluster is asked anything, then edited once the version is known.
    expect(root.text).toBe("Upgrade check: prod → 1.32, requested by @alice: checking…");
    expect(rest[0]).toMatchObject({ kind: "edit", id: root.id });
    expect(rest[0].text).toBe("Upgrade check: prod v1.31.4 → 1.32, requested by @alice: running");
    const replies = rest.filter((e) => e.kind === "reply");
    expect(replies.every((r) => r.thread === root.id)).toBe(true);
    const body = replies.map((r) => r.text).join("\n");
    expect(body).toContain("HELM-01");
    expect(body).toContain("Secret cattle-fleet-system/sh.helm.release.v1.fleet.v3");
    expect(body).toContain("PRB-01");
    expect(body).toContain("Pod botkube/botkube-7d9f");
    // The decoys: an old pending revision under a newer deployed one, a probe guarded by a startup probe.
    expect(body).not.toContain("rancher");
    expect(body).not.toContain("patient-app");
    const edit = poster.log.at(-1)!;
    expect(edit).toMatchObject({ kind: "edit", id: root.id });
    expect(edit.text).toMatch(/: blocked \(1 blocker, 1 high\)$/);
    expect(await lastChecks.get("prod")).toMatchObject({
      verdict: "blocked",
      target: "1.32",
      serverVersion: "v1.31.4",
    });
  });

  it("answers a second identical request with the running job instead of queueing it", async () => {
    const { queues, worker } = setup();
    await worker.pause(true);
    const first = await queues.enqueueCheck(request({ target: "1.33" }));
    const second = await queues.enqueueCheck(
      request({ target: "1.33", requester: { platform: "console", userId: "bob" } }),
    );
    expect(first.status).toBe("queued");
    expect(second).toMatchObject({ status: "duplicate", jobId: first.jobId, reply: { channel: "upgrades" } });
    const other = await queues.enqueueCheck(request({ target: "1.32" }));
    expect(other.status).toBe("queued");
    expect(await queues.check.count()).toBe(2);
  });

  it("fails at once, naming the permission, when the cluster answers 403", async () => {
    const { poster, queues } = setup();
    const fault = sandbox.faults.add({
      verb: "list",
      resource: "secrets",
      status: 403,
      message: 'secrets is forbidden: User "upshift" cannot list resource "secrets"',
    });
    cleanups.push(async () => fault.remove());
    const result = await queues.enqueueCheck(request({ target: "1.32.1" }));
    const job = await finished(queues, result.jobId);
    expect(await job.getState()).toBe("failed");
    // Unrecoverable: started once, never retried.
    expect(job.attemptsStarted).toBe(1);
    expect(job.failedReason).toMatch(/permission denied to list secrets \(all namespaces\)/);
    expect(poster.log.at(-1)?.text).toMatch(/The check could not run: cluster prod: permission denied to list secrets/);
    expect(poster.log.filter((e) => e.kind === "edit").at(-1)?.text).toMatch(/could not check/);
  });

  it("retries transient errors with backoff and posts into the same thread once", async () => {
    const { poster, queues } = setup();
    const fault = sandbox.faults.add({ verb: "list", resource: "pods", status: 503, times: 2 });
    cleanups.push(async () => fault.remove());
    const result = await queues.enqueueCheck(request({ target: "1.32.2" }));
    const job = await finished(queues, result.jobId);
    expect(await job.getState()).toBe("completed");
    expect(job.attemptsMade).toBe(3);
    expect(poster.log.filter((e) => e.kind === "root")).toHaveLength(1);
    expect(poster.log.filter((e) => e.kind === "edit").map((e) => e.text.split(": ").at(-1))).toEqual([
      "running",
      "running (retry)",
      "running (retry)",
      "blocked (1 blocker, 1 high)",
    ]);
  });

  it("refuses a target that is not a version without retrying", async () => {
    const { queues } = setup();
    const result = await queues.enqueueCheck(request({ target: "one.thirty" }));
    const job = await finished(queues, result.jobId);
    expect(job.attemptsStarted).toBe(1);
    expect(job.failedReason).toMatch(/target version: expected MAJOR.MINOR or MAJOR.MINOR.PATCH/);
  });

  it("refuses a queued target that is no Kubernetes release, without retrying and without echoing it", async () => {
    // A job written by an older bot that accepted "1.32-<!here>": the worker refuses it too.
    const { queues } = setup();
    const result = await queues.enqueueCheck(request({ target: "1.32-<!here>" }));
    const job = await finished(queues, result.jobId);
    expect(job.attemptsStarted).toBe(1);
    expect(job.failedReason).toMatch(/with nothing after it/);
    expect(job.failedReason).not.toContain("<!here>");
  });
});
