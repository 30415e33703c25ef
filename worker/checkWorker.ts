// The BullMQ worker for check jobs. lockDuration is short enough that a killed worker's job is
// noticed as stalled and handed to another worker within ~30 s, long enough for a slow list.
import { FlowProducer, type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { CHECK_JOB_OPTIONS } from "../src/queue/jobQueues.ts";
import { type CheckQueueJobData, type FleetJobData, type FleetSummaryJobData, QUEUE_NAMES } from "../src/queue/jobs.ts";
import {
  type CheckJobProgress,
  type CheckJobResult,
  type CheckProcessorDeps,
  createCheckProcessor,
} from "./checkProcessor.ts";
import { processFleet, processFleetSummary } from "./fleetProcessor.ts";
import { createVerifyProcessor, type VerifyJobProgress } from "./verifyProcessor.ts";
import { asRedis, type RedisConnection } from "../src/queue/redisConnection.ts";
import { RequestGate } from "../src/queue/requestGate.ts";

export interface CheckWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Options for the checks a fleet job fans out (defaults: CHECK_JOB_OPTIONS). */
  checkJobOptions?: object;
}

export type CheckWorker = Worker<CheckQueueJobData, unknown>;

export function startCheckWorker(deps: CheckProcessorDeps, opts: CheckWorkerOptions): CheckWorker {
  const processCheck = createCheckProcessor(deps);
  const baselines = deps.baselines;
  const processVerify = baselines ? createVerifyProcessor({ ...deps, baselines }) : undefined;
  const flows = new FlowProducer({ connection: opts.connection, prefix: opts.prefix });
  const queue = new Queue(QUEUE_NAMES.check, { connection: opts.connection, prefix: opts.prefix });
  const fleetDeps = {
    posters: deps.posters,
    flows,
    queue,
    prefix: opts.prefix,
    checkJobOptions: opts.checkJobOptions ?? CHECK_JOB_OPTIONS,
    logger: deps.logger,
  };
  const requests = new RequestGate(asRedis(opts.connection), opts.prefix);
  // One queue, four job kinds: a check, a fleet fan-out, a fleet's summary, and a verify.
  const processor = async (job: Job<CheckQueueJobData>): Promise<unknown> => {
    // A job from a chat request runs only if the bot told the user it was queued (requestGate.ts).
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
  const worker = new Worker<CheckQueueJobData, unknown>(QUEUE_NAMES.check, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 4,
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 15_000,
    // A job whose worker died twice mid-run is failed rather than retried forever.
    maxStalledCount: 2,
  });
  worker.on("error", (err) => deps.logger.error({ err }, "check worker error"));
  // A Redis outage is logged once by the worker; these would otherwise print it as unhandled.
  flows.on("error", () => {});
  queue.on("error", () => {});
  worker.on("closed", () => {
    void flows.close();
    void queue.close();
  });
  return worker;
}
