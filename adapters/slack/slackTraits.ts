// What Upshift knows about Slack beyond posting (see PlatformTraits): its mention and channel
// syntax, its emoji names, thread replies that live in their channel, and the Slack names of
// upshift.yaml (user ids, and user groups whose members come from usergroups.users.list).
import type { PlatformTraits } from "../../src/chat/types.ts";
import { SLACK_LIMITS } from "./blockKit.ts";

export const slackTraits: PlatformTraits = {
  platform: "slack",
  mention: ({ userId }) => `<@${userId}>`,
  // Slack's groups of people are user groups.
  mentionGroup: (groupId) => `<!subteam^${groupId}>`,
  channel: (channelId) => `<#${channelId}>`,
  // A report's text goes into section blocks (SLACK_LIMITS names the source).
  maxMessageChars: SLACK_LIMITS.sectionText,
  // Slack's reactions API takes emoji names without colons.
  seedEmoji: { approve: "white_check_mark", cancel: "x" },
  // A thread reply lives in its parent channel, addressed by the channel and its own ts.
  threadMessageChannel: ({ channel }) => channel,
  people: (c) => ({ users: c.slackUsers, groups: c.slackGroups, roles: [] }),
};

declare module "../../src/chat/types.ts" {
  /** Makes "slack" a Platform. */
  interface PlatformNames {
    slack: true;
  }
}
