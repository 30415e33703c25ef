// Who may approve on which cluster. Slack: user ids, or user-group ids resolved through an
// injected lookup (usergroups.users.list on the Slack side), cached (GroupMembership) so a burst
// of reactions does not hit Slack's rate limits. Discord: user ids, or role ids that come with the reaction event.
import { withTimeout } from "../async/withTimeout.ts";
import type { ApprovalsConfig } from "../config/schema.ts";
import type { ReactionEvent } from "../chat/reactions.ts";

/** A reaction as the approval engine reads it (Discord adapters fill in the member's roles). */
export type ApprovalReaction = ReactionEvent;

export type GroupMembersLookup = (groupId: string) => Promise<string[]>;

/**
 * Members of Slack user groups through an injected lookup (usergroups.users.list), each group
 * cached for a while so a burst of reactions or commands does not hit Slack's rate limits, and
 * every lookup bounded by a timeout. Shared by approvals and access rules.
 */
export class GroupMembership {
  private readonly lookup?: GroupMembersLookup;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly cache = new Map<string, { members: Set<string>; until: number }>();

  constructor(opts: { groupMembers?: GroupMembersLookup; cacheMs?: number; timeoutMs?: number } = {}) {
    this.lookup = opts.groupMembers;
    this.ttlMs = opts.cacheMs ?? 5 * 60_000;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
  }

  async has(group: string, userId: string): Promise<boolean> {
    return (await this.members(group)).has(userId);
  }

  async members(group: string): Promise<Set<string>> {
    const hit = this.cache.get(group);
    if (hit && hit.until > Date.now()) return hit.members;
    if (!this.lookup) return new Set();
    const members = new Set(
      await withTimeout(
        this.lookup(group),
        this.timeoutMs,
        `group lookup of ${group} took longer than ${this.timeoutMs} ms`,
      ),
    );
    this.cache.set(group, { members, until: Date.now() + this.ttlMs });
    return members;
  }
}

export class ApproverResolver {
  private readonly groups: GroupMembership;

  constructor(opts: { groupMembers?: GroupMembersLookup; cacheMs?: number; timeoutMs?: number } = {}) {
    this.groups = new GroupMembership(opts);
  }

  async isApprover(
    event: Pick<ApprovalReaction, "platform" | "userId" | "roles">,
    cfg: ApprovalsConfig,
  ): Promise<boolean> {
    const a = cfg.approvers;
    if (event.platform === "slack") {
      if (a.slackUsers.includes(event.userId)) return true;
      for (const group of a.slackGroups) {
        if (await this.groups.has(group, event.userId)) return true;
      }
      return false;
    }
    if (event.platform === "discord") {
      if (a.discordUsers.includes(event.userId)) return true;
      return (event.roles ?? []).some((r) => a.discordRoles.includes(r));
    }
    if (event.platform === "console") return a.consoleUsers.includes(event.userId);
    return false;
  }

  /** Everyone named in the configuration, for the approval request text. */
  describe(cfg: ApprovalsConfig, platform: string): string {
    const a = cfg.approvers;
    const names =
      platform === "slack"
        ? [...a.slackUsers.map((u) => `<@${u}>`), ...a.slackGroups.map((g) => `<!subteam^${g}>`)]
        : platform === "discord"
          ? [...a.discordUsers.map((u) => `<@${u}>`), ...a.discordRoles.map((r) => `<@&${r}>`)]
          : platform === "console"
            ? a.consoleUsers.map((u) => `@${u}`)
            : [];
    return names.length ? names.join(", ") : "nobody (no approvers are configured for this cluster)";
  }
}
