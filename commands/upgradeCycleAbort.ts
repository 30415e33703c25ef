// /upgrade-cycle-abort [context]: stop the cycle before its next step (the running step
// finishes: stopping mid-way would leave an add-on half installed), or cancel a pending plan.
import type { CommandHandler } from "./router.ts";
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
  return {
    spec,
    async handle(inv: CommandInvocation): Promise<CommandReply> {
      const c = contextArg(inv.text, deps, `/upgrade-cycle-abort ${spec.usage}`);
      if (!c.ok) return c.reply;
      const r = await deps.cycles.abort(c.cluster, inv.requester);
      return { refused: !r.ok, text: r.text };
    },
  };
}
