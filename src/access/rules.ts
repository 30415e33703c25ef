// Pure evaluation of upshift.yaml's access rules: who may name which cluster with which command
// in which channel. No I/O: group membership arrives resolved (AccessPolicy looks it up). Which
// of a rule's users are the subject's platform's, its traits say.
// Rules only add: a request is allowed when, for every cluster it names, one rule that names the
// channel and admits the user allows that cluster and that command. Everything else is refused.
import { namedDirectly, type TraitsSource } from "../chat/platformTraits.ts";
import type { Platform } from "../chat/types.ts";
import type { AccessCommand, AccessRule } from "../config/schema.ts";

/** Who asks, from where, as the adapters normalise it. */
export interface AccessSubject {
  platform: Platform;
  /** Channel the command was typed in, or the channel of the message reacted to. */
  channel: string;
  userId: string;
  /** Discord: role ids of the guild member (from the interaction or the reaction). */
  roles?: readonly string[];
}

/** What one channel grants one user: cluster → the commands allowed on it ("every" for all). */
export type Grants = Map<string, Set<string> | "every">;

export type AccessTarget = { clusters: readonly string[] } | { all: true };

export type AccessDecision =
  | { allowed: true; clusters: string[] }
  | { allowed: false; refused: string[]; grants: Grants };

export function ruleNamesChannel(rule: AccessRule, platform: Platform, channel: string): boolean {
  return rule.channels[platform].includes(channel);
}

/** The groups named by the rules of a channel: the only memberships worth looking up. */
export function groupsToResolve(
  platforms: TraitsSource,
  rules: readonly AccessRule[],
  subject: AccessSubject,
): string[] {
  const traits = platforms.traits(subject.platform);
  const groups = new Set<string>();
  for (const rule of rules) {
    if (!ruleNamesChannel(rule, subject.platform, subject.channel) || !rule.users) continue;
    const people = traits.people(rule.users);
    // A user named directly needs no lookup.
    if (namedDirectly(people, subject)) continue;
    for (const g of people.groups) groups.add(g);
  }
  return [...groups];
}

/** True when the rule's users (absent: anyone in its channels) include the subject. */
export function ruleAdmits(
  platforms: TraitsSource,
  rule: AccessRule,
  subject: AccessSubject,
  inGroup: (group: string) => boolean,
): boolean {
  if (!rule.users) return true;
  const people = platforms.traits(subject.platform).people(rule.users);
  return namedDirectly(people, subject) || people.groups.some(inGroup);
}

/** Everything the rules grant this subject in this channel, merged by cluster. */
export function grantsFor(
  platforms: TraitsSource,
  rules: readonly AccessRule[],
  subject: AccessSubject,
  inGroup: (group: string) => boolean = () => false,
): Grants {
  const grants: Grants = new Map();
  for (const rule of rules) {
    if (!ruleNamesChannel(rule, subject.platform, subject.channel) || !ruleAdmits(platforms, rule, subject, inGroup))
      continue;
    for (const cluster of rule.clusters) {
      const had = grants.get(cluster);
      if (had === "every" || !rule.commands) grants.set(cluster, "every");
      else grants.set(cluster, new Set([...(had ?? []), ...rule.commands]));
    }
  }
  return grants;
}

export function grantAllows(grants: Grants, command: string, cluster: string): boolean {
  const g = grants.get(cluster);
  return g === "every" || (g?.has(command) ?? false);
}

/**
 * The decision for one command. `all` means the configured contexts this channel allows for the
 * command (refused when there is none); named clusters must each be allowed.
 */
export function decide(
  grants: Grants,
  command: string,
  target: AccessTarget,
  contexts: readonly string[],
): AccessDecision {
  if ("all" in target) {
    const clusters = contexts.filter((c) => grantAllows(grants, command, c));
    return clusters.length ? { allowed: true, clusters } : { allowed: false, refused: ["all"], grants };
  }
  const refused = target.clusters.filter((c) => !grantAllows(grants, command, c));
  return refused.length ? { allowed: false, refused, grants } : { allowed: true, clusters: [...target.clusters] };
}

/**
 * What the grants allow, for a refusal: "staging, dev (every command); prod (/upgrade-status)".
 * Clusters not in the kubeconfig are left out when `contexts` is given: naming them would only
 * invite a second refusal.
 */
export function describeGrants(grants: Grants, contexts?: readonly string[]): string {
  const byCommands = new Map<string, string[]>();
  for (const [cluster, commands] of grants) {
    if (contexts && !contexts.includes(cluster)) continue;
    const key = commands === "every" ? "every command" : [...commands].map((c) => `/${c}`).join(", ");
    byCommands.set(key, [...(byCommands.get(key) ?? []), cluster]);
  }
  if (byCommands.size === 0) return "";
  return [...byCommands].map(([commands, clusters]) => `${clusters.join(", ")} (${commands})`).join("; ");
}

/** The ephemeral refusal: what was refused, what this channel allows, that nothing was queued. */
export function refusalText(
  command: string,
  decision: Extract<AccessDecision, { allowed: false }>,
  contexts?: readonly string[],
): string {
  const what =
    decision.refused[0] === "all"
      ? `/${command} all: no cluster is allowed for /${command} in this channel`
      : `/${command} on ${decision.refused.join(", ")} is not allowed in this channel`;
  const may = describeGrants(decision.grants, contexts);
  const here = may
    ? `Here you may use: ${may}.`
    : "Here you may use no cluster: no access rule allows you Upshift in this channel.";
  return `Refused: ${what}. ${here} Nothing was queued. Access is granted in upshift.yaml (access.rules).`;
}

/** Cluster names the rules mention that the kubeconfig does not have (a likely typo). */
export function unknownRuleClusters(rules: readonly AccessRule[], contexts: readonly string[]): string[] {
  return [...new Set(rules.flatMap((r) => r.clusters))].filter((c) => !contexts.includes(c));
}

export type { AccessCommand };
