// The platform-neutral face of a chat platform, as the worker and the command handlers see it.
// Slack, Discord and the console each implement ChatPoster in adapters/; src/ only knows this.
import type { ChatAction, RichMessage } from "./richMessage.ts";

export type Platform = "slack" | "discord" | "console";

/** Where a job's output goes. Stored in Redis with the job, so a restarted worker keeps the thread. */
export interface ReplyAddress {
  platform: Platform;
  channel: string;
  /** Root message id (Slack ts, Discord message id) once posted. */
  rootMessage?: string;
  /** Thread to post findings into (Slack: root ts; Discord: thread channel id). */
  thread?: string;
  /** Discord guild, for role lookups and links. */
  guild?: string;
}

export interface Requester {
  platform: Platform;
  userId: string;
  /** Display name for messages; never used for authorization. */
  name?: string;
}

/** A message in platform-neutral form; each poster renders it to blocks/embeds/text. */
export interface ChatMessage {
  /** Plain text (also the notification/fallback text). Markdown-ish: *bold*, `code`, lists. */
  text: string;
  /** Optional file attachment for long reports. */
  file?: { name: string; content: string };
  /** The message as structure, for posters that lay it out (Block Kit, embeds); `text` is its fallback. */
  rich?: RichMessage;
  /** Buttons under the message (Approve / Cancel on approval plans). */
  actions?: ChatAction[];
  /**
   * What the thread a root opens is about, for platforms that name threads (Discord):
   * "Upgrade check · prod · v1.34.2 → 1.35 · 2026-12-01". Never a state that changes later.
   */
  threadName?: string;
}

export interface PostedMessage {
  /** Message id (Slack ts, Discord message id). */
  id: string;
  /** Thread id replies go into (Slack: same ts; Discord: the thread channel created on the message). */
  thread: string;
}

/** Options for a post that must not appear twice (a job retried after its worker died). */
export interface PostOptions {
  /**
   * Idempotency key, unique per post of a job (e.g. "<job id>:reply:3"). Slack stores it as
   * message metadata so findPosted can find the post; Discord sends a nonce derived from it so
   * the API itself returns the existing message instead of creating a second one.
   */
  key?: string;
}

export interface ChatPoster {
  readonly platform: Platform;
  /** Posts a top-level message in the channel and opens a thread on it. */
  postRoot(channel: string, message: ChatMessage, opts?: PostOptions): Promise<PostedMessage>;
  /** Posts a reply in the thread of a root message. */
  postInThread(
    address: Required<Pick<ReplyAddress, "channel" | "thread">>,
    message: ChatMessage,
    opts?: PostOptions,
  ): Promise<string>;
  /**
   * Finds a message this app posted with `key`: a root of `channel` when `thread` is undefined,
   * a reply in `thread` otherwise. `since` (epoch ms) is when the post was about to be sent, to
   * narrow the search. Platforms whose post API is idempotent by itself (Discord's nonce) leave
   * it out: posting again with the same key returns the existing message.
   */
  findPosted?(
    channel: string,
    thread: string | undefined,
    key: string,
    opts?: { since?: number },
  ): Promise<PostedMessage | undefined>;
  /** Edits a message (the root's headline, with the verdict). */
  update(channel: string, messageId: string, message: ChatMessage): Promise<void>;
  /** Adds a reaction (used to seed ✅/❌ on approval requests). Optional per platform. */
  react?(channel: string, messageId: string, emoji: string): Promise<void>;
}
