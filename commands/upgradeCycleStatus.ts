// /upgrade-cycle-status [context]: the latest cycle's state and each step's journal entry.
import { userText } from "../src/chat/userText.ts";
import { splitWords } from "./grammar.ts";
import { type CommandHandler, type CommandScope, clusterCommand, openScope } from "./router.ts";
import type { CommandInvocation, CommandReply } from "./types.ts";
import type { UpgradeCycleDeps } from "./upgradeCycle.ts";

export function contextArg(
  text: string,
  deps: UpgradeCycleDeps,
  usage: string,
  scope: CommandScope = openScope(deps.clusters),
): { ok: true; cluster: string } | { ok: false; reply: CommandReply } {
  const contexts = deps.clusters.names();
  const words = splitWords(text);
  if (words.length > 1)
    return { ok: false, reply: { refused: true, text: `Expected at most one context. Usage: ${usage}` } };
  if (words.length === 1 && !contexts.includes(words[0]))
    return {
      ok: false,
      reply: { refused: true, text: `unknown cluster context "${userText(words[0])}". ${scope.listContexts()}` },
    };
  const cluster = words[0] ?? scope.defaultCluster();
  if (!cluster)
    return {
      ok: false,
      reply: { refused: true, text: `Name the cluster: there is more than one context. ${scope.listContexts()}` },
    };
  return { ok: true, cluster };
}

export const UPGRADE_CYCLE_STATUS_SPEC = {
  name: "upgrade-cycle-status",
  description: "State of the add-on cycle on a cluster",
  usage: "[context]",
  options: [{ name: "context", description: "kubeconfig context (cluster)", autocomplete: "contexts" as const }],
};

export function upgradeCycleStatusCommand(deps: UpgradeCycleDeps): CommandHandler {
  const spec = UPGRADE_CYCLE_STATUS_SPEC;
  return clusterCommand(spec, async (inv: CommandInvocation, scope?: CommandScope) => {
    const c = contextArg(inv.text, deps, `/upgrade-cycle-status ${spec.usage}`, scope);
    if (!c.ok) return c.reply;
    return {
      target: { clusters: [c.cluster] },
      contexts: deps.clusters.names(),
      run: async (): Promise<CommandReply> => ({ refused: false, text: await deps.cycles.status(c.cluster) }),
    };
  });
}
