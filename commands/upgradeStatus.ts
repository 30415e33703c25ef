// /upgrade-status [context]. Decision: status runs as a job (QUEUES.status) whose worker
// posts one message in the channel, not inline in the bot. The bot must ack within 3 s, and a
// status needs several list calls (nodes, workloads, Helm Secrets, which are large) plus Redis
// reads: on a big or slow cluster that exceeds 3 s, and an unreachable one would only fail after
// the client timeout. The worker also already owns the platform posting APIs and retries.
import { randomUUID } from "node:crypto";
import type { Queue } from "bullmq";
import type { StatusJobData } from "../src/queue/jobs.ts";
import { QUEUES } from "../src/queue/queues.ts";
import { safeKeyPart } from "../src/redis/safeKeyPart.ts";
import { type CommandHandler, clusterCommand, oneContext, openScope } from "./router.ts";
import type { CommandInvocation, CommandReply } from "./types.ts";
export interface UpgradeStatusDeps {
  clusters: { names(): string[]; defaultName(): string | undefined };
  /** The QUEUES.status queue. */
  statusQueue: Pick<Queue<StatusJobData>, "add">;
}

export const UPGRADE_STATUS_SPEC = {
  name: "upgrade-status",
  description: "Versions, nodes, add-ons, Helm releases, Upshift jobs and the last verdict of a cluster",
  usage: "[context]",
  options: [{ name: "context", description: "kubeconfig context (cluster)", autocomplete: "contexts" as const }],
};

export function upgradeStatusCommand(deps: UpgradeStatusDeps): CommandHandler {
  return clusterCommand(UPGRADE_STATUS_SPEC, async (inv: CommandInvocation, scope = openScope(deps.clusters)) => {
    const contexts = deps.clusters.names();
    const chosen = oneContext(inv.text, contexts, scope);
    if (!("cluster" in chosen)) return chosen;
    const { cluster } = chosen;
    return {
      target: { clusters: [cluster] },
      contexts,
      async run(): Promise<CommandReply> {
        const data: StatusJobData = {
          kind: "status",
          cluster,
          requester: inv.requester,
          reply: { platform: inv.platform, channel: inv.channel, guild: inv.guild },
          requestedAt: new Date().toISOString(),
        };
        await deps.statusQueue.add("status", data, {
          ...QUEUES.status.jobOptions,
          jobId: randomUUID(),
          deduplication: { id: `status.${safeKeyPart(cluster)}.${safeKeyPart(inv.channel)}` },
        });
        return { refused: false, text: `Gathering the status of ${cluster}; it will post in this channel.` };
      },
    };
  });
}
