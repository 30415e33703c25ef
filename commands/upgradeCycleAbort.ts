// /upgrade-cycle-abort [context]: stop the cycle before its next step (the running step
// finishes: stopping mid-way would leave an add-on half installed), or cancel a pending plan.
// Only an approver of the cluster or the cycle's requester may: the same people whose ❌ counts.
import { type CommandHandler, type CommandScope, clusterCommand } from "./router.ts";
import type { CommandInvocation, CommandReply } from "./types.ts";
import type { UpgradeCycleDeps } from "./upgradeCycle.ts";
import { contextArg } from "./upgradeCycleStatus.ts";

export const UPGRADE_CYCLE_ABORT_SPEC = {
  name: "upgrade-cycle-abort",
  description: "Stop the add-on cycle on a cluster before its next step",
  usage: "[context]",
  options: [{ name: "context", description: "kubeconfig context (cluster)", autocomplete: "contexts" as const }],
};

export function upgradeCycleAbortCommand(deps: UpgradeCycleDeps): CommandHandler {
  const spec = UPGRADE_CYCLE_ABORT_SPEC;
  return clusterCommand(spec, async (inv: CommandInvocation, scope?: CommandScope) => {
    const c = contextArg(inv.text, deps, `/upgrade-cycle-abort ${spec.usage}`, scope);
    if (!c.ok) return c.reply;
    return {
      target: { clusters: [c.cluster] },
      contexts: deps.clusters.names(),
      async run(): Promise<CommandReply> {
        const r = await deps.cycles.abort(c.cluster, { requester: inv.requester, roles: inv.roles });
        return { refused: !r.ok, text: r.text };
      },
    };
  });
}
