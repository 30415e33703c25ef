// Wiring shared by `upshift all|bot|worker` and the demo: the queue controls the bot needs, the
// approval engine both sides need, and the four workers. Kept in one place so the demo runs the
// same system as production, not a look-alike.

import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Queue, type Worker } from "bullmq";
import { parse as parseYaml } from "yaml";
import { platformTraits } from "../adapters/platformTraits.ts";
import { createRouter } from "../commands/index.ts";
import { AccessPolicy } from "../src/access/policy.ts";
import { ApprovalEngine } from "../src/approvals/approvalEngine.ts";
import { ApproverResolver } from "../src/approvals/approvers.ts";
import type { GroupMembersLookup } from "../src/chat/groupMembership.ts";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { Platform, ReplyAddress } from "../src/chat/types.ts";
import { allChecks } from "../src/checks/catalog/index.ts";
import type { CheckReport } from "../src/checks/preflight.ts";
import { approvalsFor } from "../src/config/load.ts";
import type { FileConfig } from "../src/config/schema.ts";
import { CycleControl } from "../src/cycles/cycleControl.ts";
import { runCommand } from "../src/cycles/drivers/exec.ts";
import { ManifestsDriver } from "../src/cycles/drivers/manifestsDriver.ts";
import { Microk8sDriver } from "../src/cycles/drivers/microk8sDriver.ts";
import type { DriverSet } from "../src/cycles/types.ts";
import type { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import type { Logger } from "../src/log.ts";
import { JobSubmitter } from "../src/queue/jobSubmitter.ts";
import type { StatusJobData } from "../src/queue/jobs.ts";
import { QUEUES } from "../src/queue/queues.ts";
import type { RedisConnection } from "../src/redis/connection.ts";
import { LastCheckStore } from "../src/status/lastCheckStore.ts";
import { BaselineStore } from "../src/verify/baselineStore.ts";
import { QueueWatchControl } from "../src/watch/control.ts";
import { startCheckWorker } from "../worker/checkWorker.ts";
import { startCycleWorker } from "../worker/cycleWorker.ts";
import { startStatusWorker } from "../worker/statusWorker.ts";
import { startWatchWorker } from "../worker/watchWorker.ts";

export interface Controls {
  /** Checks, fleet checks and verifies: adds them to the check queue (with the request gate). */
  jobs: JobSubmitter;
  cycles: CycleControl;
  watch: QueueWatchControl;
  statusQueue: Queue<StatusJobData>;
  lastChecks: LastCheckStore;
  /** Each cluster's last baseline (every preflight keeps one), for /upgrade-verify. */
  baselines: BaselineStore;
  /** Every queue, for metrics and the dashboard. */
  all(): Queue[];
  close(): Promise<void>;
}

/**
 * Who approves what: the approvals rules of upshift.yaml, with Slack groups looked up. Aborting a
 * cycle by command asks it (approver or requester only); without it only the requester may.
 */
export interface ApproverRules {
  file: FileConfig;
  groupMembers?: GroupMembersLookup;
}

/** The producer side of every queue, on one non-blocking connection. */
export function createControls(redis: RedisConnection, prefix: string, approvers?: ApproverRules): Controls {
  const jobs = new JobSubmitter(redis, prefix);
  const resolver = approvers
    ? new ApproverResolver({ platforms: platformTraits, groupMembers: approvers.groupMembers })
    : undefined;
  const cycles = new CycleControl(redis, prefix, {
    platforms: platformTraits,
    isApprover:
      approvers && resolver
        ? (cluster, actor) =>
            resolver.isApprover(
              { platform: actor.requester.platform, userId: actor.requester.userId, roles: actor.roles },
              approvalsFor(approvers.file, cluster),
            )
        : undefined,
  });
  const watch = new QueueWatchControl(redis, prefix);
  const statusQueue = new Queue<StatusJobData>(QUEUES.status.name, { connection: redis, prefix });
  return {
    jobs,
    cycles,
    watch,
    statusQueue,
    lastChecks: new LastCheckStore(redis, prefix),
    baselines: new BaselineStore(redis, prefix),
    all: () => [jobs.check, cycles.queue, watch.queue, statusQueue] as Queue[],
    async close() {
      await Promise.all([jobs.close(), cycles.close(), watch.queue.close(), statusQueue.close()]);
    },
  };
}

export function createBotRouter(
  clusters: Pick<ClusterDirectory, "names" | "defaultName">,
  controls: Controls,
  access?: AccessPolicy,
  logger?: Logger,
) {
  return createRouter({
    clusters,
    platforms: platformTraits,
    jobs: controls.jobs,
    verify: controls.jobs,
    statusQueue: controls.statusQueue,
    watch: controls.watch,
    cycles: controls.cycles,
    access,
    logger,
  });
}

/** The access rules of upshift.yaml (none: nothing restricted), Slack groups looked up. */
export function createAccessPolicy(opts: {
  file: FileConfig;
  groupMembers?: GroupMembersLookup;
  logger?: Logger;
}): AccessPolicy {
  return new AccessPolicy(opts.file.access, {
    platforms: platformTraits,
    groupMembers: opts.groupMembers,
    logger: opts.logger,
  });
}

export function createApprovals(opts: {
  redis: RedisConnection;
  prefix: string;
  posters: PosterRegistry;
  file: FileConfig;
  controls: Controls;
  groupMembers?: GroupMembersLookup;
  /** Access rules a reaction must also pass (never widening who approves). */
  access?: AccessPolicy;
  logger: Logger;
}): ApprovalEngine {
  const engine = new ApprovalEngine({
    redis: opts.redis,
    prefix: opts.prefix,
    posters: opts.posters,
    file: opts.file,
    access: opts.access,
    onApproved: (run) => opts.controls.cycles.enqueueRun(run),
    groupMembers: opts.groupMembers,
    logger: opts.logger,
  });
  // An abort typed in the channel is told in the cycle's thread, and its root says so.
  opts.controls.cycles.setNotifier((planId, text, state) => engine.note(planId, text, state));
  return engine;
}

export interface MicroK8sSettings {
  /** Context of the MicroK8s cluster this worker runs on. */
  context?: string;
  bin: string;
}

/** `microk8s status --format yaml`, parsed, for the one local MicroK8s cluster; else undefined. */
export function microk8sStatusReader(
  settings: MicroK8sSettings,
  cluster: string,
): (() => Promise<string | undefined>) | undefined {
  if (!settings.context || settings.context !== cluster) return undefined;
  return async () => {
    const r = await runCommand(settings.bin, ["status", "--format", "yaml"], { timeoutMs: 15_000 });
    return r.code === 0 ? r.output : undefined;
  };
}

export interface WorkerSet {
  workers: Worker[];
  close(): Promise<void>;
}

export function startWorkers(opts: {
  clusters: ClusterDirectory;
  posters: PosterRegistry;
  file: FileConfig;
  configPath?: string;
  redis: RedisConnection;
  /** Blocking connection for the BullMQ workers. */
  workerRedis: RedisConnection;
  prefix: string;
  controls: Controls;
  approvals: ApprovalEngine;
  concurrency: number;
  /** UPSHIFT_CHECK_DEADLINE_SECONDS in ms (default 60 s). */
  checkDeadlineMs?: number;
  /** UPSHIFT_HELM_NAMESPACES: the narrow Secrets mode. */
  helmNamespaces?: readonly string[];
  microk8s: MicroK8sSettings;
  backupDir?: string;
  /** Base of the links to docs/checks.md in alerts (UPSHIFT_DOCS_URL); default the repo path. */
  docsUrl?: string;
  logger: Logger;
  maxChars?: (platform: Platform) => number;
  onReport?: (report: CheckReport) => void;
  /** Each alert a watch posts (upshift_alerts_sent_total). */
  onAlertPosted?: (cluster: string, reason: string) => void;
}): WorkerSet {
  const { clusters, posters, file, logger, prefix } = opts;
  // The end of a watch or an add-on cycle queues a verify that posts its summary in that thread.
  const verifyAfter = (origin: "watch" | "cycle") => async (cluster: string, reply: ReplyAddress) => {
    await opts.controls.jobs.enqueueVerify({
      kind: "verify",
      cluster,
      reply,
      requestedAt: new Date().toISOString(),
      origin,
    });
  };
  const connection = opts.workerRedis;
  const check = startCheckWorker(
    {
      clusters,
      checks: allChecks,
      posters,
      file,
      lastChecks: opts.controls.lastChecks,
      baselines: opts.controls.baselines,
      logger,
      maxChars: opts.maxChars,
      docsUrl: opts.docsUrl,
      onReport: opts.onReport,
      checkDeadlineMs: opts.checkDeadlineMs,
      helmNamespaces: opts.helmNamespaces,
      microk8sStatus: (cluster) => {
        const read = microk8sStatusReader(opts.microk8s, cluster);
        return read ? async () => parseYaml((await read()) ?? "") : undefined;
      },
    },
    { connection, prefix, concurrency: opts.concurrency },
  );
  const drivers = (cluster: string): DriverSet => ({
    manifests: new ManifestsDriver({
      kc: clusters.kubeConfig(cluster),
      client: clusters.client(cluster),
      addons: file.addons,
      // Manifest paths in upshift.yaml are relative to that file.
      baseDir: opts.configPath ? dirname(opts.configPath) : process.cwd(),
    }),
    ...(opts.microk8s.context === cluster
      ? { microk8s: new Microk8sDriver({ bin: opts.microk8s.bin, client: clusters.client(cluster) }) }
      : {}),
  });
  const cycle = startCycleWorker(
    {
      redis: opts.redis,
      prefix,
      posters,
      file,
      approvals: opts.approvals,
      drivers,
      backupDir: opts.backupDir ?? join(tmpdir(), "upshift-backups"),
      logger,
      watch: opts.controls.watch,
      verifyAfter: verifyAfter("cycle"),
    },
    { connection, prefix, concurrency: 2 },
  );
  const watch = startWatchWorker(
    {
      clusters,
      posters,
      redis: opts.redis,
      prefix,
      logger,
      tuning: opts.docsUrl ? { docsBase: opts.docsUrl } : undefined,
      helmNamespaces: opts.helmNamespaces,
      onAlertPosted: opts.onAlertPosted,
      verifyAfter: verifyAfter("watch"),
    },
    { connection, prefix },
  );
  const status = startStatusWorker(
    {
      clusters,
      posters,
      logger,
      sources: (cluster) => ({
        client: clusters.client(cluster),
        queues: {
          check: opts.controls.jobs.check,
          cycle: opts.controls.cycles.queue,
          watch: opts.controls.watch.queue,
        },
        lastChecks: opts.controls.lastChecks,
        declaredAddons: file.addons,
        microk8sStatus: microk8sStatusReader(opts.microk8s, cluster),
        helmNamespaces: opts.helmNamespaces,
      }),
    },
    { connection, prefix },
  );
  const workers = [check, cycle, watch, status] as Worker[];
  return {
    workers,
    close: async () => {
      // Watches run for hours: signal them to hand their job back to the queue (another worker
      // carries on); checks, cycle steps and status reads are left to finish.
      watch.cancelAllJobs("shutdown");
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
