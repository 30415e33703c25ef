// /upgrade-cycle [context] [addon ...|all] [--dry-run]: queue a plan. The worker reads the
// add-ons, posts the ordered plan in a thread and asks for approval (not for --dry-run).
// A cluster already held by a cycle is refused here, naming the cycle.
import { userText } from "../src/chat/userText.ts";
import type { CycleActor, PlanRequestResult } from "../src/cycles/cycleControl.ts";
import type { CyclePlanJobData } from "../src/queue/jobs.ts";
import { splitWords } from "./grammar.ts";
import { type CommandHandler, type CommandScope, clusterCommand, openScope } from "./router.ts";
import type { CommandInvocation, CommandReply } from "./types.ts";

export interface UpgradeCycleDeps {
  clusters: { names(): string[]; defaultName(): string | undefined };
  cycles: {
    requestPlan(data: CyclePlanJobData): Promise<PlanRequestResult>;
    status(cluster: string): Promise<string>;
    /** Only an approver of the cluster or the cycle's requester may abort (see CycleControl.abort). */
    abort(cluster: string, actor: CycleActor): Promise<{ ok: boolean; text: string }>;
  };
}

export const UPGRADE_CYCLE_SPEC = {
  name: "upgrade-cycle",
  description: "Plan an add-on disable/enable cycle (CNI, DNS, Ingress, Storage, rest), run after approval",
  usage: "[context] [addon ...|all] [--dry-run]",
  options: [
    { name: "context", description: "kubeconfig context (cluster)", autocomplete: "contexts" as const },
    { name: "addons", description: "add-on names separated by spaces, or all (default)" },
    { name: "flags", description: "--dry-run to only show the plan" },
  ],
};

export interface CycleArgs {
  cluster?: string;
  addons: string[];
  dryRun: boolean;
}

export function parseCycleArgs(
  text: string,
  contexts: readonly string[],
): { ok: true; value: CycleArgs } | { ok: false; error: string } {
  const args: CycleArgs = { addons: [], dryRun: false };
  let all = false;
  for (const word of splitWords(text)) {
    if (word === "--dry-run" || word === "dry-run") args.dryRun = true;
    else if (word.startsWith("--"))
      return { ok: false, error: `unknown option "${userText(word)}" (expected --dry-run)` };
    else if (!args.cluster && args.addons.length === 0 && !all && contexts.includes(word)) args.cluster = word;
    else if (word === "all") all = true;
    else if (/^[a-z0-9][a-z0-9-]{0,62}$/.test(word)) args.addons.push(word);
    else return { ok: false, error: `"${userText(word)}" is not an add-on name (lowercase letters, digits and "-")` };
  }
  if (all && args.addons.length)
    return { ok: false, error: `"all" and add-on names (${args.addons.join(", ")}) together; give one or the other` };
  // "ingress ingress" names one add-on: it is cycled once.
  args.addons = [...new Set(args.addons)];
  return { ok: true, value: args };
}

function clusterOf(
  scope: CommandScope,
  cluster: string | undefined,
): { ok: true; cluster: string } | { ok: false; reply: CommandReply } {
  const name = cluster ?? scope.defaultCluster();
  if (!name)
    return {
      ok: false,
      reply: { refused: true, text: `Name the cluster: there is more than one context. ${scope.listContexts()}` },
    };
  return { ok: true, cluster: name };
}

export function upgradeCycleCommand(deps: UpgradeCycleDeps): CommandHandler {
  return clusterCommand(UPGRADE_CYCLE_SPEC, async (inv: CommandInvocation, scope = openScope(deps.clusters)) => {
    const contexts = deps.clusters.names();
    const parsed = parseCycleArgs(inv.text, contexts);
    if (!parsed.ok)
      return { refused: true, text: `${parsed.error}. Usage: /upgrade-cycle ${UPGRADE_CYCLE_SPEC.usage}` };
    const c = clusterOf(scope, parsed.value.cluster);
    if (!c.ok) return c.reply;
    return {
      target: { clusters: [c.cluster] },
      contexts,
      async run(): Promise<CommandReply> {
        const result = await deps.cycles.requestPlan({
          kind: "cycle-plan",
          cluster: c.cluster,
          addons: parsed.value.addons,
          dryRun: parsed.value.dryRun,
          requester: inv.requester,
          reply: { platform: inv.platform, channel: inv.channel, guild: inv.guild },
          requestedAt: new Date().toISOString(),
        });
        if (result.status === "busy") {
          return {
            refused: true,
            text: `${c.cluster} is busy: cycle ${result.holder} holds it. See /upgrade-cycle-status ${c.cluster}.`,
          };
        }
        const what = parsed.value.addons.length ? parsed.value.addons.join(", ") : "all enabled add-ons";
        return {
          refused: false,
          text: `Planning a${parsed.value.dryRun ? " dry-run" : "n"} add-on cycle of ${what} on ${c.cluster}. The plan will appear in a thread in this channel${parsed.value.dryRun ? "" : " and needs approval by reaction"}.`,
        };
      },
    };
  });
}
