// /upgrade-check [context|all] [target]: validate against the configured contexts, then queue a
// check job that carries its reply address. Validation happens here, before anything is queued,
// so a typo costs the user one ephemeral message and the cluster nothing.
import type { TraitsSource } from "../src/chat/platformTraits.ts";
import type { ReplyAddress } from "../src/chat/types.ts";
import { userText } from "../src/chat/userText.ts";
import type { EnqueueResult } from "../src/queue/jobSubmitter.ts";
import type { CheckJobData } from "../src/queue/jobs.ts";
import { parseCheckArgs } from "./grammar.ts";
import { type CommandHandler, clusterCommand, openScope } from "./router.ts";
import type { CommandInvocation, CommandReply } from "./types.ts";

export interface UpgradeCheckDeps {
  clusters: { names(): string[]; defaultName(): string | undefined };
  /** The platforms' traits: how a reply names the channel its thread is in. */
  platforms: TraitsSource;
  jobs: {
    enqueueCheck(data: CheckJobData): Promise<EnqueueResult>;
    /** Fleet run; optional until the fleet flow is wired. */
    enqueueFleetCheck?(data: Omit<CheckJobData, "cluster">, clusters: string[]): Promise<EnqueueResult>;
  };
}

export const UPGRADE_CHECK_SPEC = {
  name: "upgrade-check",
  description: "Preflight checks for a Kubernetes upgrade, posted as a thread",
  usage: "[context|all] [target version]",
  options: [
    { name: "context", description: "kubeconfig context (cluster), or all", autocomplete: "contexts" as const },
    { name: "target", description: "target version, e.g. 1.32 (default: next minor)" },
  ],
};

export function threadHint(platforms: TraitsSource, reply: ReplyAddress | undefined): string {
  if (!reply) return "see the channel";
  const channel = platforms.traits(reply.platform).channel(reply.channel);
  return reply.rootMessage ? `see the thread in ${channel}` : `it will post in ${channel}`;
}

// A retried or replayed request (same Slack trigger_id / Discord interaction id) finds its first job.
const REPLAYED_TEXT = "This same request was already received and queued once; it runs once";

export function upgradeCheckCommand(deps: UpgradeCheckDeps): CommandHandler {
  return clusterCommand(UPGRADE_CHECK_SPEC, async (inv: CommandInvocation, scope = openScope(deps.clusters)) => {
    const contexts = deps.clusters.names();
    const parsed = parseCheckArgs(inv.text, contexts);
    if (!parsed.ok)
      return {
        refused: true,
        text: `${parsed.error}. ${scope.listContexts()} Usage: /upgrade-check ${UPGRADE_CHECK_SPEC.usage}`,
      };
    const { all, target } = parsed.value;
    const base = {
      kind: "check" as const,
      target,
      requester: inv.requester,
      reply: { platform: inv.platform, channel: inv.channel, guild: inv.guild },
      requestedAt: new Date().toISOString(),
      ...(inv.request ? { request: inv.request } : {}),
    };
    const shownTarget = target ? userText(target) : undefined;
    if (all) {
      const enqueueFleet = deps.jobs.enqueueFleetCheck?.bind(deps.jobs);
      if (!enqueueFleet)
        return { refused: true, text: "Fleet checks (/upgrade-check all) are not enabled on this installation." };
      return {
        // "all" is every context this channel may check (every context without access rules).
        target: { all: true },
        contexts,
        async run(clusters): Promise<CommandReply> {
          const result = await enqueueFleet(base, clusters);
          if (result.status === "replayed")
            return { refused: false, text: `${REPLAYED_TEXT}: ${threadHint(deps.platforms, result.reply)}.` };
          return result.status === "queued"
            ? {
                refused: false,
                text: `Queued checks of ${clusters.length} clusters${shownTarget ? ` for ${shownTarget}` : ""}. A summary will follow in this channel.`,
              }
            : {
                refused: false,
                text: `A fleet check is already running: ${threadHint(deps.platforms, result.reply)}.`,
              };
        },
      };
    }
    const cluster = parsed.value.cluster ?? scope.defaultCluster();
    if (!cluster)
      return { refused: true, text: `Name the cluster: there is more than one context. ${scope.listContexts()}` };
    return {
      target: { clusters: [cluster] },
      contexts,
      async run(): Promise<CommandReply> {
        const result = await deps.jobs.enqueueCheck({ ...base, cluster });
        if (result.status === "replayed")
          return { refused: false, text: `${REPLAYED_TEXT}: ${threadHint(deps.platforms, result.reply)}.` };
        const what = `${cluster}${shownTarget ? ` → ${shownTarget}` : ""}`;
        return result.status === "queued"
          ? {
              refused: false,
              text: `Queued upgrade check of ${what}. Results will appear in a thread in this channel.`,
            }
          : {
              refused: false,
              text: `Already running: the check of ${what}; ${threadHint(deps.platforms, result.reply)}.`,
            };
      },
    };
  });
}
