// Who may approve on which cluster: the approvers of upshift.yaml that are the acting platform's
// (its traits say which names those are), matched as user ids, roles that come with the event,
// or groups whose members are looked up through an injected lookup (src/chat/groupMembership.ts).
import { GroupMembership, type GroupMembersLookup } from "../chat/groupMembership.ts";
import { describePeople, namedDirectly, type TraitsSource } from "../chat/platformTraits.ts";
import type { ReactionEvent } from "../chat/reactions.ts";
import type { ApprovalsConfig } from "../config/schema.ts";
import { approverList } from "../render/approvals.ts";

/** A reaction as the approval engine reads it (Discord adapters fill in the member's roles). */
export type ApprovalReaction = ReactionEvent;

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
