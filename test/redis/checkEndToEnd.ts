// One upgrade check end to end through a REDIS_URL: the bot's producer connection enqueues with
// JobSubmitter (including its auto-pipelined duplicate), the real check worker runs it on its own
// worker connection against the sandbox cluster, posts to the console poster, and records the
// verdict in the last-check store. Only the Redis topology differs between the tests using it.
import { PassThrough } from "node:stream";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { checksById } from "../../src/checks/catalog/index.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { createLogger } from "../../src/log.ts";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import type { CheckJobData } from "../../src/queue/jobs.ts";
import { producerConnection, type RedisConnection, workerConnection } from "../../src/redis/connection.ts";
import { startSandbox } from "../../src/sandbox/index.ts";
import { LastCheckStore } from "../../src/status/lastCheckStore.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

export interface CheckRun {
  state: string;
  log: ConsolePoster["log"];
  lastCheck: Awaited<ReturnType<LastCheckStore["get"]>>;
  duplicate: Awaited<ReturnType<JobSubmitter["enqueueCheck"]>>;
}

/** Runs one check through `redisUrl` under `prefix`; `inspect` sees the producer connection before cleanup. */
export async function runCheckThrough(
  redisUrl: string,
  prefix: string,
  inspect?: (producer: RedisConnection) => Promise<void>,
): Promise<CheckRun> {
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
    cleanups.push(() => sandbox.close());
    const clusters = ClusterDirectory.fromString(sandbox.kubeconfig("prod"), { timeoutMs: 2_000 });
    const producer = producerConnection(redisUrl);
    const workerRedis = workerConnection(redisUrl);
    cleanups.push(
      async () => producer.disconnect(),
      async () => workerRedis.disconnect(),
    );
    const poster = new ConsolePoster(new PassThrough().resume());
    const queues = new JobSubmitter(producer, prefix, { backoffDelayMs: 50 });
    cleanups.push(() => queues.close());
    const lastChecks = new LastCheckStore(producer, prefix);
    const worker = startCheckWorker(
      {
        clusters,
        checks: checksById(["HELM-01", "SKEW-03", "PRB-01"]),
        posters: new PosterRegistry([poster]),
        file: fileConfigSchema.parse({}),
        lastChecks,
        logger: createLogger("silent"),
      },
      { connection: workerRedis, prefix, concurrency: 2 },
    );
    cleanups.push(() => worker.close());

    const request: CheckJobData = {
      kind: "check",
      cluster: "prod",
      target: "1.32",
      requester: { platform: "console", userId: "alice", name: "alice" },
      reply: { platform: "console", channel: "upgrades" },
      requestedAt: new Date().toISOString(),
    };
    // Two adds at once: the second is answered as a duplicate of the first (deduplication keys
    // live under the prefix too, so this exercises multi-key scripts on the add path).
    const [queued, duplicate] = await Promise.all([queues.enqueueCheck(request), queues.enqueueCheck(request)]);
    if (queued.status !== "queued") throw new Error(`expected the first add to queue, got ${JSON.stringify(queued)}`);
    let state = "missing";
    for (let i = 0; i < 300 && state !== "completed" && state !== "failed"; i++) {
      const job = await queues.check.getJob(queued.jobId);
      state = job ? await job.getState() : "missing";
      if (state !== "completed" && state !== "failed") await new Promise((r) => setTimeout(r, 50));
    }
    const lastCheck = await lastChecks.get("prod");
    await inspect?.(producer);
    return { state, log: poster.log, lastCheck, duplicate };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}
