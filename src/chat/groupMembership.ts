// Members of a platform's groups (groups its API lists; roles that come with an event need no
// lookup), looked up through the platform's API as cli/ wires it. Approvals and access rules both
// ask, so it sits below both.
import { withTimeout } from "../async/withTimeout.ts";

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
