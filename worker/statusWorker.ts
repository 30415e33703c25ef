// The worker for /upgrade-status jobs: collect, render, post one message in the channel.
import { type Job, UnrecoverableError, type Worker } from "bullmq";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { Logger } from "../src/log.ts";
import type { StatusJobData } from "../src/queue/jobs.ts";
import { type QueueWorkerOptions, startQueueWorker } from "../src/queue/queueWorker.ts";
import { renderStatus, statusFailureMessage } from "../src/render/status.ts";
import { collectStatus, type StatusSources } from "../src/status/collectStatus.ts";
import { posterFor } from "./posting.ts";

export interface StatusWorkerDeps {
  clusters: { has(name: string): boolean };
  sources(cluster: string): StatusSources;
  posters: PosterRegistry;
  logger: Logger;
}

export function startStatusWorker(deps: StatusWorkerDeps, opts: QueueWorkerOptions): Worker<StatusJobData> {
  const processor = async (job: Job<StatusJobData>): Promise<void> => {
    const poster = posterFor(deps.posters, job.data.reply);
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
  };
  return startQueueWorker("status", processor, { ...opts, logger: deps.logger });
}
