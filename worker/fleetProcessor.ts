// /upgrade-check all: the fleet job opens one thread, then fans out one check per context as a
// BullMQ flow whose parent (the summary) runs when every child has finished — including those
// that failed, which the summary lists as "could not check" while the rest still report.
import { type FlowProducer, Job, type Queue } from "bullmq";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { Logger } from "../src/log.ts";
import type { CheckJobData, FleetJobData, FleetSummaryJobData } from "../src/queue/jobs.ts";
import { QUEUES } from "../src/queue/queues.ts";
import { fleetCheckingState, fleetDoneState, fleetRoot, fleetSummaryText } from "../src/render/checks.ts";
import type { FleetRow } from "../src/render/fleetTable.ts";
import type { CheckJobResult } from "./checkProcessor.ts";
import { ensureRoot, posterFor, postOnce, threadOf } from "./posting.ts";

export interface FleetProcessorDeps {
  posters: PosterRegistry;
  flows: FlowProducer;
  /** The check queue, to read failed children's data. */
  queue: Queue;
  prefix: string;
  /** Options for each child check (attempts, backoff, retention). */
  checkJobOptions: object;
  logger: Logger;
}

export async function processFleet(job: Job<FleetJobData>, deps: FleetProcessorDeps): Promise<{ children: number }> {
  const poster = posterFor(deps.posters, job.data.reply);
  await ensureRoot(
    job,
    poster,
    fleetRoot(job.data, fleetCheckingState(job.data.clusters), poster.traits),
    `${job.id}:fleet-root`,
  );
  if (job.data.flowAdded) return { children: job.data.clusters.length };
  const { clusters, target, requester, reply, requestedAt } = job.data;
  const summary: FleetSummaryJobData = { kind: "fleet-summary", clusters, target, requester, reply, requestedAt };
  await deps.flows.add({
    name: "fleet-summary",
    queueName: QUEUES.check.name,
    prefix: deps.prefix,
    data: summary,
    children: clusters.map((cluster) => ({
      name: "check",
      queueName: QUEUES.check.name,
      prefix: deps.prefix,
      data: { kind: "check", cluster, target, requester, reply, requestedAt, fleet: true } satisfies CheckJobData,
      // A failing cluster must not hold the summary back: its failure is recorded for the parent.
      opts: { ...deps.checkJobOptions, ignoreDependencyOnFailure: true },
    })),
  });
  await job.updateData({ ...job.data, flowAdded: true });
  return { children: clusters.length };
}

export async function processFleetSummary(
  job: Job<FleetSummaryJobData>,
  deps: FleetProcessorDeps,
): Promise<{ clusters: number }> {
  const poster = posterFor(deps.posters, job.data.reply);
  const values = (await job.getChildrenValues<CheckJobResult>()) ?? {};
  const failures = (await job.getIgnoredChildrenFailures()) ?? {};
  const rows: FleetRow[] = [];
  const done = new Set<string>();
  for (const result of Object.values(values)) {
    done.add(result.cluster);
    rows.push({
      cluster: result.cluster,
      versions: `${result.serverVersion} → ${result.target}`,
      verdict: result.verdict,
      counts: result.counts,
    });
  }
  for (const [key, reason] of Object.entries(failures)) {
    const id = key.slice(key.lastIndexOf(":") + 1);
    const child = await Job.fromId<CheckJobData>(deps.queue, id);
    const cluster = child?.data.cluster ?? id;
    done.add(cluster);
    rows.push({ cluster, failure: String(reason).slice(0, 120) });
  }
  // Keyed (see postOnce): a worker that dies after the summary post must not post it twice. No
  // progress write follows; the marker is left for a retry to look for, and the job then ends.
  const address = threadOf(job.data.reply);
  const key = `${job.id}:summary`;
  const text = fleetSummaryText(rows, done.size, job.data.clusters.length);
  await postOnce(job, poster, address, key, async () => ({
    id: await poster.postInThread(address, { text }, { key }),
    thread: address.thread,
  }));
  const { state, tone } = fleetDoneState(Object.values(values), Object.keys(failures).length);
  await poster.update(
    job.data.reply.channel,
    job.data.reply.rootMessage!,
    fleetRoot(job.data, state, poster.traits, tone),
  );
  return { clusters: done.size };
}
