// "/react MESSAGE_ID EMOJI [as USER]": the console's stand-in for Slack's and Discord's emoji
// reactions, so the demo can approve a plan from the terminal. The console parses it and hands on
// a ReactionEvent like any platform's; what the reaction means is the approval engine's.
import type { ReactionEvent } from "../../src/chat/reactions.ts";

export const REACT_COMMAND = "react";

export const REACT_USAGE = "usage: /react MESSAGE_ID ✅|❌ [as USER]";

/** The reaction `args` (what follows "/react") describe, in `channel` and by `user` unless "as" names one. */
export function parseReaction(args: string, where: { channel: string; user: string }): ReactionEvent | undefined {
  const m = /^(\S+)\s+(\S+)(?:\s+as\s+(\S+))?$/.exec(args.trim());
  if (!m) return undefined;
  const [, messageId, emoji, user] = m;
  return { platform: "console", added: true, userId: user ?? where.user, emoji, channel: where.channel, messageId };
}

/** What the console says back: the reaction and the engine's outcome ("approved", "not-approver", …). */
export function reactionLine(event: ReactionEvent, outcome: string): string {
  return `reaction ${event.emoji} by @${event.userId} on [${event.messageId}]: ${outcome}`;
}
