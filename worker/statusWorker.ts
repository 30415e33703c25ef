// The worker for /upgrade-status jobs: collect, render, post one message in the channel.
import { UnrecoverableError, Worker } from "bullmq";
import type { Logger } from "pino";
import type { StatusJobData } from "../commands/upgradeStatus.ts";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import { QUEUE_NAMES } from "../src/queue/jobs.ts";
import type { RedisConnection } from "../src/queue/redisConnection.ts";
import { renderStatus, statusFailureMessage } from "../src/render/status.ts";
import { collectStatus, type StatusSources } from "../src/status/collectStatus.ts";

export interface StatusWorkerDeps {
  clusters: { has(name: string): boolean };
  sources(cluster: string): StatusSources;
  posters: PosterRegistry;
  logger: Logger;
}

export function startStatusWorker(
  deps: StatusWorkerDeps,
  opts: { connection: RedisConnection; prefix: string; concurrency?: number },
): Worker<StatusJobData> {
  const worker = new Worker<StatusJobData>(
    QUEUE_NAMES.status,
    async (job) => {
      const poster = deps.posters.get(job.data.reply.platform);
      if (!poster)
        throw new UnrecoverableError(`no chat platform "${job.data.reply.platform}" is configured on this worker`);
      if (!deps.clusters.has(job.data.cluster))
        throw new UnrecoverableError(`unknown cluster context "${job.data.cluster}"`);
      try {
        const status = await collectStatus(job.data.cluster, deps.sources(job.data.cluster));
        await poster.postRoot(job.data.reply.channel, renderStatus(status));
      } catch (err) {
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          await poster.postRoot(job.data.reply.channel, statusFailureMessage(job.data.cluster, (err as Error).message));
        }
        throw err;
      }
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 4, lockDuration: 30_000 },
  );
  worker.on("error", (err) => deps.logger.error({ err: err.message }, "status worker error"));
  return worker;
}
