// The worker's way of answering on Discord: plain REST through @discordjs/rest, no gateway, so a
// job accepted while the gateway is down still posts. The REST client's own per-route queue
// honours rate limits (429 retry_after, X-RateLimit-* buckets); we only set a request timeout.
// Re-posting is idempotent by Discord itself: a keyed post carries a nonce with enforce_nonce, and
// Discord returns the message that nonce already created (same author, last few minutes) instead
// of creating another; so this poster needs no findPosted.
import { createHash } from "node:crypto";
import { DiscordAPIError, type RawFile, REST } from "@discordjs/rest";
import { type RESTPostAPIChannelMessageJSONBody, Routes } from "discord.js";
import type { ChatMessage, ChatPoster, PostedMessage, PostOptions, ReplyAddress } from "../../src/chat/types.ts";
import { discordTraits } from "./discordTraits.ts";
import { type DiscordButtonRow, type DiscordEmbed, toComponents, toEmbeds } from "./embeds.ts";
import { DISCORD_MAX_CHARS, splitMessage, threadName, toDiscordMarkdown, truncateMessage } from "./format.ts";
import { discordRestAgent } from "./restAgent.ts";

export interface DiscordPosterOptions {
  token: string;
  /** REST base, default https://discord.com/api (the client appends /v10). */
  apiUrl?: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

/** Threads started on a root message stay open a day after the last activity. */
const THREAD_ARCHIVE_MINUTES = 1440;

/** Mentions in our messages may ping the requester, never @everyone or roles. */
const ALLOWED_MENTIONS = { parse: ["users"] } as RESTPostAPIChannelMessageJSONBody["allowed_mentions"];

/** "A thread has already been created for this message". */
const THREAD_ALREADY_CREATED = 160004;

/** Discord accepts a nonce of at most 25 characters. */
const NONCE_LENGTH = 25;

interface APIMessageLike {
  id: string;
}

export class DiscordPoster implements ChatPoster {
  readonly platform = "discord" as const;
  readonly traits = discordTraits;
  readonly rest: REST;

  constructor(opts: DiscordPosterOptions) {
    if (!opts.token) throw new Error("DiscordPoster: token is required (DISCORD_TOKEN)");
    this.rest = new REST({
      version: "10",
      timeout: opts.timeoutMs ?? 10_000,
      // Our own undici 6 Agent, never the global dispatcher: attachments go as multipart (restAgent.ts).
      agent: discordRestAgent,
      ...(opts.apiUrl ? { api: opts.apiUrl } : {}),
    }).setToken(opts.token);
  }

  async postRoot(channel: string, message: ChatMessage, opts: PostOptions = {}): Promise<PostedMessage> {
    const [first, ...rest] = render(message);
    const root = (await this.rest.post(
      Routes.channelMessages(channel),
      createBody(first, partKey(opts.key, 0)),
    )) as APIMessageLike;
    // The thread is named for what it is about (cluster, target, day), never for a state of the root.
    const thread = await this.startThread(channel, root.id, threadName(message.threadName ?? message.text));
    // A root too long for one message continues in its own thread.
    for (const [i, part] of rest.entries())
      await this.rest.post(Routes.channelMessages(thread), createBody(part, partKey(opts.key, i + 1)));
    return { id: root.id, thread };
  }

  async postInThread(
    address: Required<Pick<ReplyAddress, "channel" | "thread">>,
    message: ChatMessage,
    opts: PostOptions = {},
  ): Promise<string> {
    let firstId: string | undefined;
    for (const [i, part] of render(message).entries()) {
      const posted = (await this.rest.post(
        Routes.channelMessages(address.thread),
        createBody(part, partKey(opts.key, i)),
      )) as APIMessageLike;
      firstId ??= posted.id;
    }
    return firstId!;
  }

  /**
   * Starts the thread on a root message. When the root came back from its nonce (a re-post after
   * a worker died), its thread may exist already: Discord refuses a second one with 160004, and a
   * thread started from a message has that message's id, so that answer names the thread too.
   */
  private async startThread(channel: string, messageId: string, name: string): Promise<string> {
    try {
      const thread = (await this.rest.post(Routes.threads(channel, messageId), {
        body: { name, auto_archive_duration: THREAD_ARCHIVE_MINUTES },
      })) as APIMessageLike;
      return thread.id;
    } catch (err) {
      if (err instanceof DiscordAPIError && err.code === THREAD_ALREADY_CREATED) return messageId;
      throw err;
    }
  }

  async update(channel: string, messageId: string, message: ChatMessage): Promise<void> {
    // An edit is one message: long text is cut at a line boundary (roots are headlines, short).
    const embeds = toEmbeds(message);
    await this.rest.patch(Routes.channelMessage(channel, messageId), {
      body: embeds
        ? { content: "", embeds, components: toComponents(message) ?? [], allowed_mentions: ALLOWED_MENTIONS }
        : {
            content: truncateMessage(toDiscordMarkdown(message.text), DISCORD_MAX_CHARS),
            allowed_mentions: ALLOWED_MENTIONS,
          },
    });
  }

  async react(channel: string, messageId: string, emoji: string): Promise<void> {
    // Unicode emoji go URL-encoded in the path; custom ones as name:id.
    await this.rest.put(Routes.channelMessageOwnReaction(channel, messageId, encodeURIComponent(emoji)));
  }
}

interface Part {
  content: string;
  embeds?: DiscordEmbed[];
  components?: DiscordButtonRow[];
  files?: RawFile[];
}

/**
 * A ChatMessage as Discord messages: one message of embeds (and buttons) for a message with
 * structure, else the text split to fit; the file (if any) on the last part.
 */
export function render(message: ChatMessage): Part[] {
  const embeds = toEmbeds(message);
  const text = toDiscordMarkdown(message.text);
  if (embeds) {
    const components = toComponents(message);
    const part: Part = { content: "", embeds, ...(components ? { components } : {}) };
    if (message.file)
      part.files = [
        { name: message.file.name, data: Buffer.from(message.file.content, "utf8"), contentType: "text/plain" },
      ];
    return [part];
  }
  const parts: Part[] = splitMessage(text, DISCORD_MAX_CHARS).map((content) => ({ content }));
  if (parts.length === 0) parts.push({ content: "" });
  if (message.file) {
    parts[parts.length - 1].files = [
      { name: message.file.name, data: Buffer.from(message.file.content, "utf8"), contentType: "text/plain" },
    ];
  }
  return parts;
}

/** The key of one part of a keyed post: a message split in three parts is three messages. */
function partKey(key: string | undefined, part: number): string | undefined {
  if (key === undefined) return undefined;
  return part === 0 ? key : `${key}#${part}`;
}

/** A Discord nonce for a key: 25 characters of base64url(sha256(key)), ~150 bits, unique enough. */
export function nonceFor(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, NONCE_LENGTH);
}

function createBody(part: Part, key?: string): { body: RESTPostAPIChannelMessageJSONBody; files?: RawFile[] } {
  const body: RESTPostAPIChannelMessageJSONBody = {
    content: part.content,
    ...(part.embeds ? { embeds: part.embeds } : {}),
    ...(part.components ? { components: part.components } : {}),
    allowed_mentions: ALLOWED_MENTIONS,
    ...(key === undefined ? {} : { nonce: nonceFor(key), enforce_nonce: true }),
  };
  if (!part.files) return { body };
  // Multipart: attachments are described in the payload and uploaded as files[n].
  body.attachments = part.files.map((f, i) => ({ id: i, filename: f.name }));
  return { body, files: part.files };
}
