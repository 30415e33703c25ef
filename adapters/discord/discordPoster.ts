// The worker's way of answering on Discord: plain REST through @discordjs/rest, no gateway, so a
// job accepted while the gateway is down still posts. The REST client's own per-route queue
// honours rate limits (429 retry_after, X-RateLimit-* buckets); we only set a request timeout.
import { REST, type RawFile } from "@discordjs/rest";
import { type RESTPostAPIChannelMessageJSONBody, Routes } from "discord.js";
import type { ChatMessage, ChatPoster, PostedMessage, ReplyAddress } from "../../src/chat/types.ts";
import { DISCORD_MAX_CHARS, splitMessage, threadName, toDiscordMarkdown, truncateMessage } from "./format.ts";

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

interface APIMessageLike {
  id: string;
}

export class DiscordPoster implements ChatPoster {
  readonly platform = "discord" as const;
  readonly rest: REST;

  constructor(opts: DiscordPosterOptions) {
    if (!opts.token) throw new Error("DiscordPoster: token is required (DISCORD_TOKEN)");
    this.rest = new REST({
      version: "10",
      timeout: opts.timeoutMs ?? 10_000,
      ...(opts.apiUrl ? { api: opts.apiUrl } : {}),
    }).setToken(opts.token);
  }

  async postRoot(channel: string, message: ChatMessage): Promise<PostedMessage> {
    const [first, ...rest] = render(message);
    const root = (await this.rest.post(Routes.channelMessages(channel), createBody(first))) as APIMessageLike;
    const thread = (await this.rest.post(Routes.threads(channel, root.id), {
      body: { name: threadName(message.text), auto_archive_duration: THREAD_ARCHIVE_MINUTES },
    })) as APIMessageLike;
    // A root too long for one message continues in its own thread.
    for (const part of rest) await this.rest.post(Routes.channelMessages(thread.id), createBody(part));
    return { id: root.id, thread: thread.id };
  }

  async postInThread(
    address: Required<Pick<ReplyAddress, "channel" | "thread">>,
    message: ChatMessage,
  ): Promise<string> {
    let firstId: string | undefined;
    for (const part of render(message)) {
      const posted = (await this.rest.post(Routes.channelMessages(address.thread), createBody(part))) as APIMessageLike;
      firstId ??= posted.id;
    }
    return firstId!;
  }

  async update(channel: string, messageId: string, message: ChatMessage): Promise<void> {
    // An edit is one message: long text is cut at a line boundary (roots are headlines, short).
    await this.rest.patch(Routes.channelMessage(channel, messageId), {
      body: {
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
  files?: RawFile[];
}

/** A ChatMessage as Discord messages: text split to fit, the file (if any) on the last part. */
export function render(message: ChatMessage): Part[] {
  const text = toDiscordMarkdown(message.text);
  const parts: Part[] = splitMessage(text, DISCORD_MAX_CHARS).map((content) => ({ content }));
  if (parts.length === 0) parts.push({ content: "" });
  if (message.file) {
    parts[parts.length - 1].files = [
      { name: message.file.name, data: Buffer.from(message.file.content, "utf8"), contentType: "text/plain" },
    ];
  }
  return parts;
}

function createBody(part: Part): { body: RESTPostAPIChannelMessageJSONBody; files?: RawFile[] } {
  const body: RESTPostAPIChannelMessageJSONBody = { content: part.content, allowed_mentions: ALLOWED_MENTIONS };
  if (!part.files) return { body };
  // Multipart: attachments are described in the payload and uploaded as files[n].
  body.attachments = part.files.map((f, i) => ({ id: i, filename: f.name }));
  return { body, files: part.files };
}
