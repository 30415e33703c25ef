// An API server that accepts connections and never answers: the check worker (real BullMQ on the
// test Redis, the sandbox with a fault that hangs a request) posts its root at once, gives up at
// the check's deadline rather than after every retry's timeout, and says which call hung.
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { checksById } from "../../src/checks/catalog/index.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { createLogger } from "../../src/log.ts";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const pod = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { containers: [{ name: "main", image: "example/app:1.0.0" }] },
  status: { phase: "Running" },
});

async function setup(opts: { requestTimeoutMs: number; deadlineMs: number }) {
  const sandbox: SandboxServer = await startSandbox({
    objects: [...plantedProblems(), pod("a"), pod("b"), pod("c"), pod("d")],
    serverVersion: "v1.31.4",
  });
  // One object per page, so "page 3" is a real third request.
  const clusters = ClusterDirectory.fromString(sandbox.kubeconfig("prod"), {
    timeoutMs: opts.requestTimeoutMs,
    pageSize: 1,
  });
  const prefix = `t-hung-${randomBytes(4).toString("hex")}`;
  const producer = new Redis(inject("redisUrl"));
  const workerRedis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const poster = new ConsolePoster(new PassThrough().resume());
  const queues = new JobSubmitter(producer, prefix, { backoffDelayMs: 50 });
  const worker = startCheckWorker(
    {
      clusters,
      checks: checksById(["PRB-01"]),
      posters: new PosterRegistry([poster]),
      file: fileConfigSchema.parse({}),
      logger: createLogger("silent"),
      checkDeadlineMs: opts.deadlineMs,
    },
    { connection: workerRedis, prefix, concurrency: 1 },
  );
  cleanups.push(
    () => sandbox.close(),
    () => producer.quit(),
    () => workerRedis.quit(),
    () => queues.close(),
    () => worker.close(true),
  );
  return { sandbox, poster, queues };
}

async function enqueue(queues: JobSubmitter) {
  const result = await queues.enqueueCheck({
    kind: "check",
    cluster: "prod",
    target: "1.32",
    requester: { platform: "console", userId: "alice", name: "alice" },
    reply: { platform: "console", channel: "upgrades" },
    requestedAt: new Date().toISOString(),
  });
  expect(result.status).toBe("queued");
  return result.jobId;
}

async function settled(queues: JobSubmitter, jobId: string, withinMs: number) {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const state = await queues.check.getJobState(jobId);
    if (state === "completed" || state === "failed") return state;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${jobId} did not settle within ${withinMs} ms`);
}

describe("a hung API server", () => {
  it("posts 'checking…' at once, stops at the deadline and names the page that hung", async () => {
    const { sandbox, poster, queues } = await setup({ requestTimeoutMs: 30_000, deadlineMs: 3_000 });
    // The third list of pods (page 3) is accepted and never answered.
    const hang = sandbox.faults.add({ verb: "list", resource: "pods", every: 3, times: 1, hang: true });
    const started = Date.now();
    const jobId = await enqueue(queues);

    await expect
      .poll(() => poster.log[0]?.text, { timeout: 1_500 })
      .toBe("Upgrade check: prod → 1.32, requested by @alice: checking…");
    expect(Date.now() - started).toBeLessThan(1_500);

    expect(await settled(queues, jobId, 6_000)).toBe("failed");
    const elapsed = Date.now() - started;
    // The deadline, not the 30 s request timeout (nor 5 attempts of it), ended the check.
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeLessThan(5_000);
    expect(hang.fired).toBe(1);

    const root = poster.log[0]!;
    // Other lists may still have been in flight at that moment (pages of one object each); the
    // one named is the call that had waited longest, the hung page.
    const reason =
      /cluster prod: list pods \(all namespaces\), page 3 did not answer in [1-3]\.\d s, when the check's 3 s deadline passed(; \d+ other calls? (was|were) in flight)?$/;
    const note = poster.log.find((e) => e.kind === "reply" && e.thread === root.id);
    expect(note?.text).toMatch(new RegExp(`^⚠️ The check could not run: ${reason.source}`));
    expect(poster.log.filter((e) => e.kind === "edit" && e.id === root.id).at(-1)?.text).toMatch(
      new RegExp(`^Upgrade check: prod v1\\.31\\.4 → 1\\.32, requested by @alice: could not check: ${reason.source}`),
    );
    // One attempt: the deadline is final, nothing was retried into more silence.
    const job = await queues.check.getJob(jobId);
    expect(job?.attemptsMade).toBe(1);
  });

  it("with short request timeouts, retries stop when the deadline leaves no time and the thread names the call", async () => {
    const { sandbox, poster, queues } = await setup({ requestTimeoutMs: 700, deadlineMs: 2_500 });
    sandbox.faults.add({ verb: "list", resource: "pods", hang: true });
    const started = Date.now();
    const jobId = await enqueue(queues);
    expect(await settled(queues, jobId, 6_000)).toBe("failed");
    expect(Date.now() - started).toBeLessThan(4_000);
    const root = poster.log[0]!;
    expect(root.text).toMatch(/: checking…$/);
    const note = poster.log.find((e) => e.kind === "reply" && e.thread === root.id)?.text ?? "";
    // Either the deadline fired during an attempt (on a loaded machine it may fire while a retry's
    // first call, /version, is still out), or the last timeout left no time for another.
    expect(note).toMatch(
      /^⚠️ The check could not run: cluster prod: (?:list pods \(all namespaces\)|read \/version) (did not answer in [0-2]\.\d s, when the check's 2\.5 s deadline passed(; \d+ other calls? (was|were) in flight)?|failed \(no response\): no answer within 700 ms; the check's deadline leaves no time for another attempt)$/,
    );
    const job = await queues.check.getJob(jobId);
    expect(job?.attemptsMade).toBeGreaterThan(1);
  });

  it("an attempt that starts after the deadline names no call as hung: the time was gone before it asked", async () => {
    const { sandbox } = await setup({ requestTimeoutMs: 5_000, deadlineMs: 3_000 });
    const client = ClusterDirectory.fromString(sandbox.kubeconfig("prod")).client("prod");
    const late = client.withDeadline({ signal: AbortSignal.abort(), ms: 60_000 });
    await expect(late.serverVersion()).rejects.toThrow(
      /^cluster prod: the check's 60 s deadline passed before the check finished$/,
    );
  });
});
