// A reaction added to or removed from a message, as every chat adapter reports it. Approvals
// (✅/❌ on an approval request) are built on this; the adapters only translate and forward.
import type { Platform } from "./types.ts";

export interface ReactionEvent {
  platform: Platform;
  /** True for an added reaction, false for a removed one. */
  added: boolean;
  /** Who reacted (Slack user id, Discord user snowflake). */
  userId: string;
  /** Reaction name without colons on Slack ("white_check_mark"), the unicode emoji or custom name on Discord. */
  emoji: string;
  /** Channel of the message that was reacted to. */
  channel: string;
  /** The message reacted to (Slack ts, Discord message id). */
  messageId: string;
  /** Discord: the guild the message is in. */
  guild?: string;
  /** Discord: the reacting member's role ids (approvers may be named by role). */
  roles?: string[];
}
