// What Upshift knows about Discord beyond posting (see PlatformTraits): its mention and channel
// syntax, unicode reactions, threads that are channels of their own, and the Discord names of
// upshift.yaml (user and role snowflakes; a member's roles come with the interaction or reaction).
import type { PlatformTraits } from "../../src/chat/types.ts";

export const discordTraits: PlatformTraits = {
  platform: "discord",
  mention: ({ userId }) => `<@${userId}>`,
  // Discord's groups of people are roles.
  mentionGroup: (roleId) => `<@&${roleId}>`,
  channel: (channelId) => `<#${channelId}>`,
  // Discord's limit for a message's content (format.ts splits and cuts messages by it).
  maxMessageChars: 2_000,
  seedEmoji: { approve: "✅", cancel: "❌" },
  // A thread is a channel of its own: its messages are addressed by the thread's id.
  threadMessageChannel: ({ thread }) => thread,
  people: (c) => ({ users: c.discordUsers, groups: [], roles: c.discordRoles }),
};

declare module "../../src/chat/types.ts" {
  /** Makes "discord" a Platform. */
  interface PlatformNames {
    discord: true;
  }
}
