// What Upshift knows about the demo's console chat beyond posting (see PlatformTraits): a
// terminal has no mention syntax, so people and channels are written by name; reactions are the
// unicode emoji the demo's /react takes; upshift.yaml names console users by name.
import type { PlatformTraits } from "../../src/chat/types.ts";

export const consoleTraits: PlatformTraits = {
  platform: "console",
  mention: ({ userId, name }) => `@${name ?? userId}`,
  mentionGroup: (groupId) => `@${groupId}`,
  channel: (channelId) => `#${channelId}`,
  // Reports are cut like Slack's, so the demo shows what a Slack channel would.
  maxMessageChars: 3_000,
  seedEmoji: { approve: "✅", cancel: "❌" },
  // Thread replies live in the channel, as on Slack.
  threadMessageChannel: ({ channel }) => channel,
  people: (c) => ({ users: c.consoleUsers, groups: [], roles: [] }),
};

declare module "../../src/chat/types.ts" {
  /** Makes "console" a Platform. */
  interface PlatformNames {
    console: true;
  }
}
