// /upgrade-verify [context]: after an upgrade, compare the cluster with its last baseline (taken
// by every preflight). Validated here, queued on the check queue, posted by the worker as a root
// whose headline is the verdict (healthy / degraded / incomplete) with the comparison threaded.

import type { TraitsSource } from "../src/chat/platformTraits.ts";
import type { EnqueueResult } from "../src/queue/jobSubmitter.ts";
import type { VerifyJobData } from "../src/queue/jobs.ts";
import { type CommandHandler, clusterCommand, oneContext, openScope } from "./router.ts";
import type { CommandInvocation, CommandReply } from "./types.ts";
import { threadHint } from "./upgradeCheck.ts";

export interface UpgradeVerifyDeps {
  clusters: { names(): string[]; defaultName(): string | undefined };
  jobs: { enqueueVerify(data: VerifyJobData): Promise<EnqueueResult> };
  /** The platforms' traits: how a reply names the channel its thread is in. */
  platforms: TraitsSource;
}

export const UPGRADE_VERIFY_SPEC = {
  name: "upgrade-verify",
  description: "After an upgrade: what changed since the last preflight, what got worse, what is left to do",
  usage: "[context]",
  options: [{ name: "context", description: "kubeconfig context (cluster)", autocomplete: "contexts" as const }],
};

export function upgradeVerifyCommand(deps: UpgradeVerifyDeps): CommandHandler {
  return clusterCommand(UPGRADE_VERIFY_SPEC, async (inv: CommandInvocation, scope = openScope(deps.clusters)) => {
    const contexts = deps.clusters.names();
    const chosen = oneContext(inv.text, contexts, scope, `/upgrade-verify ${UPGRADE_VERIFY_SPEC.usage}`);
    if (!("cluster" in chosen)) return chosen;
    const { cluster } = chosen;
    return {
      target: { clusters: [cluster] },
      contexts,
      async run(): Promise<CommandReply> {
        const result = await deps.jobs.enqueueVerify({
          kind: "verify",
          cluster,
          requester: inv.requester,
          reply: { platform: inv.platform, channel: inv.channel, guild: inv.guild },
          requestedAt: new Date().toISOString(),
          origin: "command",
          ...(inv.request ? { request: inv.request } : {}),
        });
        if (result.status === "replayed")
          return {
            refused: false,
            text: `This same request was already received and queued once; it runs once: ${threadHint(deps.platforms, result.reply)}.`,
          };
        return result.status === "queued"
          ? {
              refused: false,
              text: `Queued verify of ${cluster} against its last baseline. The comparison will appear in a thread in this channel.`,
            }
          : {
              refused: false,
              text: `Already running: the verify of ${cluster}; ${threadHint(deps.platforms, result.reply)}.`,
            };
      },
    };
  });
}
