// /upgrade-check all: the fleet job opens one thread, then fans out one check per context as a
// BullMQ flow whose parent (the summary) runs when every child has finished — including those
// that failed, which the summary lists as "could not check" while the rest still report.
import { type FlowProducer, Job, type Queue } from "bullmq";
import type { Logger } from "pino";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { ChatMessage, PlatformTraits } from "../src/chat/types.ts";
import { userText } from "../src/chat/userText.ts";
import type { CheckJobData, FleetJobData, FleetSummaryJobData } from "../src/queue/jobs.ts";
import { QUEUE_NAMES } from "../src/queue/jobs.ts";
import { plural } from "../src/render/english.ts";
import { type FleetRow, renderFleetTable } from "../src/render/fleetTable.ts";
import { dayOf, type Tone } from "../src/render/richMessage.ts";
import type { CheckJobResult } from "./checkProcessor.ts";
import { ensureRoot, postOnce, threadOf } from "./posting.ts";

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

function fleetHeadline(
  data: FleetJobData | FleetSummaryJobData,
  state: string,
  traits: PlatformTraits,
): { text: string } {
  return {
    text: `*Fleet upgrade check:* ${plural(data.clusters.length, "cluster")}${data.target ? ` → ${userText(data.target)}` : " → next minor"}, requested by ${traits.mention(data.requester)}: ${state}`,
  };
}

/** The fleet headline with its structure: the verdict in the header, and a thread name that says what it is. */
function fleetRoot(
  data: FleetJobData | FleetSummaryJobData,
  state: string,
  traits: PlatformTraits,
  tone: Tone = "progress",
): ChatMessage {
  const what = `${plural(data.clusters.length, "cluster")}${data.target ? ` → ${userText(data.target)}` : " → next minor"}`;
  return {
    ...fleetHeadline(data, state, traits),
    rich: {
      tone,
      title: `Fleet upgrade check · ${what}: ${state}`,
      sections: [],
      context: [`requested by ${traits.mention(data.requester)}`],
    },
    threadName: `Fleet upgrade check · ${what} · ${dayOf(data.requestedAt)}`,
  };
}

export async function processFleet(job: Job<FleetJobData>, deps: FleetProcessorDeps): Promise<{ children: number }> {
  const poster = deps.posters.get(job.data.reply.platform);
  if (!poster) throw new Error(`no chat platform "${job.data.reply.platform}" is configured on this worker`);
  await ensureRoot(
    job,
    poster,
    fleetRoot(job.data, `checking ${job.data.clusters.join(", ")}`, poster.traits),
    `${job.id}:fleet-root`,
  );
  if (job.data.flowAdded) return { children: job.data.clusters.length };
  const { clusters, target, requester, reply, requestedAt } = job.data;
  const summary: FleetSummaryJobData = { kind: "fleet-summary", clusters, target, requester, reply, requestedAt };
  await deps.flows.add({
    name: "fleet-summary",
    queueName: QUEUE_NAMES.check,
    prefix: deps.prefix,
    data: summary,
    children: clusters.map((cluster) => ({
      name: "check",
      queueName: QUEUE_NAMES.check,
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
  const poster = deps.posters.get(job.data.reply.platform);
  if (!poster) throw new Error(`no chat platform "${job.data.reply.platform}" is configured on this worker`);
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
  const table = renderFleetTable(rows);
  // Keyed (see postOnce): a worker that dies after the summary post must not post it twice. No
  // progress write follows; the marker is left for a retry to look for, and the job then ends.
  const address = threadOf(job.data.reply);
  const key = `${job.id}:summary`;
  const text = `*Fleet summary* (${done.size} of ${plural(job.data.clusters.length, "cluster")})\n${table}`;
  await postOnce(job, poster, address, key, async () => ({
    id: await poster.postInThread(address, { text }, { key }),
    thread: address.thread,
  }));
  const results = Object.values(values);
  const state = [
    `${results.filter((r) => r.verdict === "ready").length} ready`,
    `${results.filter((r) => r.verdict === "warnings").length} with warnings`,
    `${results.filter((r) => r.verdict === "blocked").length} blocked`,
    `${Object.keys(failures).length} could not be checked`,
  ].join(", ");
  const tone: Tone =
    Object.keys(failures).length || results.some((r) => r.verdict === "blocked")
      ? "danger"
      : results.some((r) => r.verdict === "warnings")
        ? "warning"
        : "good";
  await poster.update(
    job.data.reply.channel,
    job.data.reply.rootMessage!,
    fleetRoot(job.data, `*done*: ${state}`, poster.traits, tone),
  );
  return { clusters: done.size };
}
