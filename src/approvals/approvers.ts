// Who may approve on which cluster: the approvers of upshift.yaml that are the acting platform's
// (its traits say which names those are), matched as user ids, roles that come with the event,
// or groups whose members are looked up through an injected lookup, cached (GroupMembership) so
// a burst of reactions does not hit the platform's rate limits.
import { withTimeout } from "../async/withTimeout.ts";
import { describePeople, namedDirectly, type TraitsSource } from "../chat/platformTraits.ts";
import type { ReactionEvent } from "../chat/reactions.ts";
import type { ApprovalsConfig } from "../config/schema.ts";
import { approverList } from "../render/approvals.ts";

/** A reaction as the approval engine reads it (Discord adapters fill in the member's roles). */
export type ApprovalReaction = ReactionEvent;

export type GroupMembersLookup = (groupId: string) => Promise<string[]>;

/**
 * Members of a platform's groups through an injected lookup (the platform's API, wired in cli/),
 * each group cached for a while so a burst of reactions or commands does not hit its rate limits,
 * and every lookup bounded by a timeout. Shared by approvals and access rules.
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
  private readonly platforms: TraitsSource;

  constructor(opts: {
    /** The traits of the platforms whose people act. */
    platforms: TraitsSource;
    groupMembers?: GroupMembersLookup;
    cacheMs?: number;
    timeoutMs?: number;
  }) {
    this.groups = new GroupMembership(opts);
    this.platforms = opts.platforms;
  }

  async isApprover(
    event: Pick<ApprovalReaction, "platform" | "userId" | "roles">,
    cfg: ApprovalsConfig,
  ): Promise<boolean> {
    const people = this.platforms.traits(event.platform).people(cfg.approvers);
    if (namedDirectly(people, event)) return true;
    for (const group of people.groups) {
      if (await this.groups.has(group, event.userId)) return true;
    }
    return false;
  }

  /** Everyone named in the configuration, for the approval request text. */
  describe(cfg: ApprovalsConfig, platform: ApprovalReaction["platform"]): string {
    return approverList(describePeople(this.platforms.traits(platform), cfg.approvers));
  }
}
