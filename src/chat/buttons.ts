// A click on one of a message's buttons (Approve / Cancel under an approval plan), as every chat
// adapter reports it: a second way to vote beside reactions. The adapters only translate and
// forward; the approval engine decides, and its answer is shown to the clicker alone.
import type { Platform } from "./types.ts";

export interface ButtonClick {
  platform: Platform;
  userId: string;
  decision: "approve" | "cancel";
  /** The value the button carries (the plan and its hash; see approvals' buttonValue). */
  value: string;
  /** Where the clicked message is (Slack channel and ts; Discord thread channel and message id). */
  channel: string;
  messageId: string;
  /** Discord: the guild and the clicking member's role ids (approvers may be named by role). */
  guild?: string;
  roles?: string[];
}

/** What the clicker is told, ephemerally. */
export interface ButtonAnswer {
  notice: string;
}
