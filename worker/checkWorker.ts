// The BullMQ worker for the check queue: checks, fleet fan-outs and summaries, verifies. Its lock
// and retries are the check row of src/queue/queues.ts.
import { FlowProducer, type Job, Queue, UnrecoverableError, type Worker } from "bullmq";
import type { CheckQueueJobData, FleetJobData, FleetSummaryJobData } from "../src/queue/jobs.ts";
import { QUEUES } from "../src/queue/queues.ts";
import { type QueueWorkerOptions, startQueueWorker } from "../src/queue/queueWorker.ts";
import { RequestGate } from "../src/redis/requestGate.ts";
import {
  type CheckJobProgress,
  type CheckJobResult,
  type CheckProcessorDeps,
  createCheckProcessor,
} from "./checkProcessor.ts";
import { processFleet, processFleetSummary } from "./fleetProcessor.ts";
import { createVerifyProcessor, type VerifyJobProgress } from "./verifyProcessor.ts";

export interface CheckWorkerOptions extends QueueWorkerOptions {
  /** Options for the checks a fleet job fans out (default: the check queue's job options). */
  checkJobOptions?: object;
}

export type CheckWorker = Worker<CheckQueueJobData, unknown>;

export function startCheckWorker(deps: CheckProcessorDeps, opts: CheckWorkerOptions): CheckWorker {
  const processCheck = createCheckProcessor(deps);
  const baselines = deps.baselines;
  const processVerify = baselines ? createVerifyProcessor({ ...deps, baselines }) : undefined;
  const flows = new FlowProducer({ connection: opts.connection, prefix: opts.prefix });
  const queue = new Queue(QUEUES.check.name, { connection: opts.connection, prefix: opts.prefix });
  const fleetDeps = {
    posters: deps.posters,
    flows,
    queue,
    prefix: opts.prefix,
    checkJobOptions: opts.checkJobOptions ?? QUEUES.check.jobOptions,
    logger: deps.logger,
  };
  const requests = new RequestGate(opts.connection, opts.prefix);
  // One queue, four job kinds: a check, a fleet fan-out, a fleet's summary, and a verify.
  const processor = async (job: Job<CheckQueueJobData>): Promise<unknown> => {
    // A job from a chat request runs only if the bot told the user it was queued (src/redis/requestGate.ts).
    const request = job.data.kind !== "fleet-summary" ? job.data.request : undefined;
    if (request) {
      const decided = await requests.decided(request);
      if (decided.state === "abandoned") {
        deps.logger.info({ job: job.id }, "the request was answered as not queued; its job is dropped unrun");
        return { abandoned: true };
      }
    }
    switch (job.data.kind) {
      case "fleet":
        return processFleet(job as Job<FleetJobData>, fleetDeps);
      case "fleet-summary":
        return processFleetSummary(job as Job<FleetSummaryJobData>, fleetDeps);
      case "verify":
        if (!processVerify) throw new UnrecoverableError("this worker keeps no baselines, so it cannot verify");
        return processVerify(job as Job<VerifyJobProgress>);
      default:
        return processCheck(job as Job<CheckJobProgress>) satisfies Promise<CheckJobResult>;
    }
  };
  // A Redis outage is logged once by the worker; these would otherwise print it as unhandled.
  flows.on("error", () => {});
  queue.on("error", () => {});
  return startQueueWorker("check", processor, {
    ...opts,
    logger: deps.logger,
    onClosed: () => {
      void flows.close();
      void queue.close();
    },
  });
}
