// The platform-neutral face of a chat platform, as the worker and the command handlers see it.
// Each platform implements ChatPoster and PlatformTraits in adapters/; src/ only knows these.

import type { ApprovalsConfig } from "../config/schema.ts";
import type { ChatAction, RichMessage } from "./richMessage.ts";

/**
 * The chat platforms by name, one key each. Empty here: each platform's traits file in adapters/
 * adds its own name (declaration merging), so src/ names no platform and a typo in a platform's
 * name is still a type error.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the adapters through declaration merging.
export interface PlatformNames {}

export type Platform = keyof PlatformNames & string;

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

// What Upshift must know about a chat platform beyond posting: how its people and channels are
// written in a message, how long a message may be, which reactions to seed on an approval
// request, where a reaction on a thread reply is attached, and which of the names configured in
// upshift.yaml are its own.

/**
 * A block of people in upshift.yaml: an approvals `approvers` block or an access rule's `users`
 * (both have one list per kind of name each platform has).
 */
export type ConfiguredPeople = ApprovalsConfig["approvers"];

/** The names of a ConfiguredPeople block that one platform reads, by how a name is matched. */
export interface PlatformPeople {
  /** User ids, matched against the user who acts. */
  users: readonly string[];
  /** Groups whose members are looked up through the platform's API (GroupMembership). */
  groups: readonly string[];
  /** Roles that arrive with the event (the acting member's roles). */
  roles: readonly string[];
}

export interface PlatformTraits {
  readonly platform: Platform;
  /** A user as a mention in a message (a display name where the platform has no mention syntax). */
  mention(user: { userId: string; name?: string }): string;
  /** A group of people (PlatformPeople.groups or .roles: a user group, a role) as a mention. */
  mentionGroup(groupId: string): string;
  /** A channel as a link in a message. */
  channel(channelId: string): string;
  /** Longest message text the platform shows in one piece; longer reports go to an attached file. */
  readonly maxMessageChars: number;
  /** The reactions seeded on an approval request, in the platform's own emoji naming. */
  readonly seedEmoji: { readonly approve: string; readonly cancel: string };
  /**
   * The channel a message posted in a thread is addressed by, to react to it or edit it: the
   * thread itself where threads are channels of their own, else the parent channel.
   */
  threadMessageChannel(address: { channel: string; thread: string }): string;
  /** The names in a block of upshift.yaml people that are this platform's. */
  people(configured: ConfiguredPeople): PlatformPeople;
}

/** What text that names people needs of a platform: its mentions. */
export type Mentions = Pick<PlatformTraits, "mention">;

export interface ChatPoster {
  readonly platform: Platform;
  /** What else Upshift knows about the platform: mentions, limits, seed emoji, names in upshift.yaml. */
  readonly traits: PlatformTraits;
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
