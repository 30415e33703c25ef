// The access rules of upshift.yaml as the command layer and the approval engine ask them. Without
// an `access` key nothing is restricted (as before rules existed; `upshift bot` warns at start).
// With one, what no rule allows is refused. Group membership is looked up here, through the
// same cached, time-bounded lookup the approvals use; a failed lookup admits nobody by that group.
import { GroupMembership, type GroupMembersLookup } from "../chat/groupMembership.ts";
import { PlatformTraitsTable, type TraitsSource } from "../chat/platformTraits.ts";
import type { AccessConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import {
  type AccessDecision,
  type AccessSubject,
  type AccessTarget,
  decide,
  type Grants,
  grantsFor,
  groupsToResolve,
  refusalText,
  unknownRuleClusters,
} from "./rules.ts";

export const NO_ACCESS_RULES_WARNING =
  "upshift.yaml has no access rules: every channel the bot is in may use every cluster and every command. Add access.rules to restrict them (see README, Access rules).";

export type AccessCheck =
  | { allowed: true; clusters: string[] }
  | { allowed: false; text: string; decision: Extract<AccessDecision, { allowed: false }> };

export class AccessPolicy {
  private readonly config?: AccessConfig;
  private readonly groups: GroupMembership;
  private readonly logger?: Logger;
  private readonly platforms: TraitsSource;

  constructor(
    config: AccessConfig | undefined,
    opts: {
      /** The platforms' traits: which of a rule's users are the subject's platform's. */
      platforms: TraitsSource;
      groupMembers?: GroupMembersLookup;
      logger?: Logger;
    },
  ) {
    this.config = config;
    this.platforms = opts.platforms;
    this.groups = new GroupMembership({ groupMembers: opts.groupMembers });
    this.logger = opts.logger;
  }

  /** Allows everything: no `access` key (so no platform's names are ever read). */
  static open(): AccessPolicy {
    return new AccessPolicy(undefined, { platforms: new PlatformTraitsTable([]) });
  }

  get restricted(): boolean {
    return this.config !== undefined;
  }

  /** What to log once at start: the open-door warning, or rule clusters the kubeconfig lacks. */
  startupWarnings(contexts: readonly string[]): string[] {
    if (!this.config) return [NO_ACCESS_RULES_WARNING];
    const unknown = unknownRuleClusters(this.config.rules, contexts);
    return unknown.length
      ? [`access.rules name clusters that are not kubeconfig contexts (never allowed anywhere): ${unknown.join(", ")}`]
      : [];
  }

  /** What the rules grant the subject in its channel; undefined when nothing is restricted. */
  async grants(subject: AccessSubject): Promise<Grants | undefined> {
    if (!this.config) return undefined;
    const member = new Set<string>();
    for (const group of groupsToResolve(this.platforms, this.config.rules, subject)) {
      try {
        if (await this.groups.has(group, subject.userId)) member.add(group);
      } catch (err) {
        this.logger?.warn({ err, group }, "group lookup failed; the group admits nobody");
      }
    }
    return grantsFor(this.platforms, this.config.rules, subject, (g) => member.has(g));
  }

  /** May the subject run `command` on the target? `all` becomes the clusters allowed here. */
  async check(
    subject: AccessSubject,
    command: string,
    target: AccessTarget,
    contexts: readonly string[],
  ): Promise<AccessCheck> {
    const grants = await this.grants(subject);
    if (!grants) return { allowed: true, clusters: "all" in target ? [...contexts] : [...target.clusters] };
    const decision = decide(grants, command, target, contexts);
    if (decision.allowed) return decision;
    return { allowed: false, text: refusalText(command, decision, contexts), decision };
  }

  /** The contexts the subject may name here with `command` (any command when undefined). */
  async clustersFor(subject: AccessSubject, contexts: readonly string[], command?: string): Promise<string[]> {
    const grants = await this.grants(subject);
    if (!grants) return [...contexts];
    return contexts.filter((c) => {
      const g = grants.get(c);
      return g === "every" || (g !== undefined && (command === undefined || g.has(command)));
    });
  }
}
