// Finding a platform's traits (PlatformTraits, in types.ts) by its name, and what src/ builds
// from them. Each platform's traits live beside its ChatPoster in adapters/; src/ reads them and
// names no platform, so a new platform is one folder under adapters/.
import type { ConfiguredPeople, Platform, PlatformPeople, PlatformTraits } from "./types.ts";

/** Anything that hands out a platform's traits by its name: the poster registry, a traits table. */
export interface TraitsSource {
  traits(platform: Platform): PlatformTraits;
}

/** The traits of every platform a process knows, by name; cli/ builds it from adapters/. */
export class PlatformTraitsTable implements TraitsSource {
  private readonly byPlatform = new Map<Platform, PlatformTraits>();

  constructor(all: readonly PlatformTraits[]) {
    for (const t of all) this.byPlatform.set(t.platform, t);
  }

  traits(platform: Platform): PlatformTraits {
    const t = this.byPlatform.get(platform);
    if (!t) throw new Error(`no chat platform "${platform}" is known`);
    return t;
  }
}

/** The configured people as mentions, for the approval request text (users first). */
export function describePeople(traits: PlatformTraits, configured: ConfiguredPeople): string[] {
  const p = traits.people(configured);
  return [
    ...p.users.map((u) => traits.mention({ userId: u })),
    ...[...p.groups, ...p.roles].map((g) => traits.mentionGroup(g)),
  ];
}

/** True when the subject is named as a user, or has a named role; groups need a lookup (GroupMembership). */
export function namedDirectly(people: PlatformPeople, subject: { userId: string; roles?: readonly string[] }): boolean {
  return people.users.includes(subject.userId) || (subject.roles ?? []).some((r) => people.roles.includes(r));
}
