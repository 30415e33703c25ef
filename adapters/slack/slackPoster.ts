// ChatPoster for Slack over the Web API. Rate limits are the WebClient's business: on a 429 it
// waits Retry-After and retries within the bounded policy below, so the worker never sleeps or
// counts requests itself. Every call has a 10 s timeout; the token is never logged.
import { type RetryOptions, type WebAPICallResult, WebClient } from "@slack/web-api";
import type { ChatMessage, ChatPoster, PostedMessage, PostOptions, ReplyAddress } from "../../src/chat/types.ts";
import type { Logger } from "../../src/log.ts";
import { toBlocks } from "./blockKit.ts";
import { boltLogger } from "./boltLogger.ts";
import { toMrkdwn } from "./mrkdwn.ts";
import { slackTraits } from "./slackTraits.ts";

/** Up to 5 retries (429s, network errors), backing off 1 s to 30 s: a post gives up after ~2 min, not 30. */
export const SLACK_RETRY_POLICY: RetryOptions = {
  retries: 5,
  factor: 2,
  minTimeout: 1_000,
  maxTimeout: 30_000,
  randomize: true,
};

export const SLACK_TIMEOUT_MS = 10_000;

/** Message metadata event type that carries a post's idempotency key. */
export const POST_EVENT_TYPE = "upshift_post";
/** Messages per conversations.history/replies page (Slack recommends at most 200). */
const FIND_PAGE_SIZE = 200;
/** Pages read at most when looking for a post: a bounded search, never a walk of the whole channel. */
const FIND_MAX_PAGES = 10;
/**
 * The search window around `since` (the time the worker was about to post): a little before for
 * clock skew between the worker and Slack, and after it as long as one post can take with retries.
 */
const FIND_BEFORE_MS = 2 * 60_000;
const FIND_AFTER_MS = 10 * 60_000;

export interface SlackPosterOptions {
  botToken: string;
  /** Web API base, e.g. "https://slack.com/api/" (the default) or a test double's URL. */
  slackApiUrl?: string;
  logger: Logger;
  retryConfig?: RetryOptions;
  timeoutMs?: number;
}

/** The WebClient options every Upshift Slack client uses (poster and Bolt app alike). */
export function slackClientOptions(opts: { slackApiUrl?: string; retryConfig?: RetryOptions; timeoutMs?: number }) {
  return {
    ...(opts.slackApiUrl ? { slackApiUrl: withTrailingSlash(opts.slackApiUrl) } : {}),
    timeout: opts.timeoutMs ?? SLACK_TIMEOUT_MS,
    retryConfig: opts.retryConfig ?? SLACK_RETRY_POLICY,
    rejectRateLimitedCalls: false,
  };
}

function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** A failed Web API call, named by method and Slack's error code (never the token). */
export class SlackCallError extends Error {
  readonly method: string;
  readonly code: string | undefined;

  constructor(method: string, cause: unknown) {
    const data = (cause as { data?: { error?: string } } | undefined)?.data;
    const code = data?.error;
    super(
      `Slack ${method} failed: ${code ?? (cause instanceof Error ? cause.message : String(cause))}${hintFor(code)}`,
      { cause },
    );
    this.name = "SlackCallError";
    this.method = method;
    this.code = code;
  }
}

function hintFor(code: string | undefined): string {
  if (code === "not_in_channel" || code === "channel_not_found") return " (invite the Upshift app to the channel)";
  if (code === "invalid_auth" || code === "not_authed" || code === "token_revoked") return " (check SLACK_BOT_TOKEN)";
  if (code === "missing_scope")
    return " (the app lacks an OAuth scope: chat:write, reactions:write, files:write, channels:history, groups:history)";
  return "";
}

export class SlackPoster implements ChatPoster {
  readonly platform = "slack" as const;
  readonly traits = slackTraits;
  readonly client: WebClient;
  private readonly logger: Logger;

  constructor(opts: SlackPosterOptions) {
    this.logger = opts.logger.child({ component: "slack-poster" });
    this.client = new WebClient(opts.botToken, {
      ...slackClientOptions(opts),
      logger: boltLogger(opts.logger, "slack-web-api"),
    });
  }

  /** Members of a Slack user group (approvers and access rules name groups): usergroups.users.list, usergroups:read. */
  async groupMembers(groupId: string): Promise<string[]> {
    return ((await this.client.usergroups.users.list({ usergroup: groupId })).users ?? []) as string[];
  }

  async postRoot(channel: string, message: ChatMessage, opts: PostOptions = {}): Promise<PostedMessage> {
    const ts = await this.post(channel, undefined, message, opts);
    return { id: ts, thread: ts };
  }

  postInThread(
    address: Required<Pick<ReplyAddress, "channel" | "thread">>,
    message: ChatMessage,
    opts: PostOptions = {},
  ): Promise<string> {
    return this.post(address.channel, address.thread, message, opts);
  }

  /** One chat.postMessage (in a thread when `thread` is given), then the file into the same thread. */
  private async post(
    channel: string,
    thread: string | undefined,
    message: ChatMessage,
    opts: PostOptions,
  ): Promise<string> {
    const res = await this.call("chat.postMessage", () =>
      this.client.chat.postMessage({
        channel,
        ...(thread ? { thread_ts: thread } : {}),
        // With blocks, `text` is what notifications and clients without Block Kit show.
        text: toMrkdwn(message.text),
        ...blocksOf(message),
        mrkdwn: true,
        unfurl_links: false,
        unfurl_media: false,
        ...keyMetadata(opts.key),
      }),
    );
    const ts = requireTs("chat.postMessage", res);
    if (message.file) await this.upload(channel, thread ?? ts, message.file);
    return ts;
  }

  /**
   * Slack's chat.postMessage has no idempotency key, so a worker that died between a post and
   * recording it asks Slack instead: the key travels as message metadata, and this reads it back
   * (conversations.history for a root, conversations.replies for a reply; needs channels:history
   * and, in private channels, groups:history). The search is bounded in time and pages: not
   * finding the post means it was never made (or is out of reach, and is posted again).
   */
  async findPosted(
    channel: string,
    thread: string | undefined,
    key: string,
    opts: { since?: number } = {},
  ): Promise<PostedMessage | undefined> {
    const window =
      opts.since === undefined
        ? {}
        : {
            oldest: slackTs(opts.since - FIND_BEFORE_MS),
            latest: slackTs(opts.since + FIND_AFTER_MS),
            inclusive: true,
          };
    let cursor: string | undefined;
    for (let page = 0; page < FIND_MAX_PAGES; page++) {
      const res: { messages?: SlackHistoryMessage[]; response_metadata?: { next_cursor?: string } } = thread
        ? await this.call("conversations.replies", () =>
            this.client.conversations.replies({
              channel,
              ts: thread,
              include_all_metadata: true,
              limit: FIND_PAGE_SIZE,
              ...window,
              ...(cursor ? { cursor } : {}),
            }),
          )
        : await this.call("conversations.history", () =>
            this.client.conversations.history({
              channel,
              include_all_metadata: true,
              limit: FIND_PAGE_SIZE,
              ...window,
              ...(cursor ? { cursor } : {}),
            }),
          );
      const found = res.messages?.find(
        (m) =>
          m.metadata?.event_type === POST_EVENT_TYPE &&
          m.metadata.event_payload?.key === key &&
          typeof m.ts === "string" &&
          // A root is a top-level message; a reply sits in the thread (the parent is listed too).
          (thread ? m.ts !== thread : m.thread_ts === undefined || m.thread_ts === m.ts),
      );
      if (found?.ts) {
        this.logger.info({ channel, thread, key, ts: found.ts }, "found a post made before a worker restart");
        return { id: found.ts, thread: thread ?? found.ts };
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    this.logger.warn({ channel, thread, key, pages: FIND_MAX_PAGES }, "post not found within the search bound");
    return undefined;
  }

  async update(channel: string, messageId: string, message: ChatMessage): Promise<void> {
    await this.call("chat.update", () =>
      this.client.chat.update({ channel, ts: messageId, text: toMrkdwn(message.text), ...blocksOf(message) }),
    );
  }

  async react(channel: string, messageId: string, emoji: string): Promise<void> {
    const name = emoji.replace(/^:|:$/g, "");
    try {
      await this.client.reactions.add({ channel, timestamp: messageId, name });
    } catch (err) {
      // Seeding a reaction twice (a retried job) is not a failure.
      if ((err as { data?: { error?: string } }).data?.error === "already_reacted") return;
      throw new SlackCallError("reactions.add", err);
    }
  }

  /** Uploads a file as a reply in the thread (files.uploadV2: get URL, POST bytes, complete). */
  private async upload(channel: string, thread: string, file: NonNullable<ChatMessage["file"]>): Promise<void> {
    await this.call("files.uploadV2", () =>
      this.client.filesUploadV2({
        channel_id: channel,
        thread_ts: thread,
        filename: file.name,
        title: file.name,
        content: file.content,
      }),
    );
    this.logger.debug({ channel, thread, file: file.name, bytes: Buffer.byteLength(file.content) }, "uploaded file");
  }

  private async call<T extends WebAPICallResult>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new SlackCallError(method, err);
    }
  }
}

interface SlackHistoryMessage {
  ts?: string;
  thread_ts?: string;
  metadata?: { event_type?: string; event_payload?: { key?: unknown } };
}

/** The Block Kit layout of a message with structure; nothing for plain text. */
function blocksOf(message: ChatMessage) {
  const blocks = toBlocks(message);
  return blocks ? { blocks } : {};
}

/** chat.postMessage's `metadata` for a keyed post (nothing for an unkeyed one). */
function keyMetadata(key: string | undefined) {
  return key ? { metadata: { event_type: POST_EVENT_TYPE, event_payload: { key } } } : {};
}

/** Epoch ms as a Slack timestamp ("seconds.micros"). */
function slackTs(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(6);
}

function requireTs(method: string, res: WebAPICallResult): string {
  const ts = (res as { ts?: unknown }).ts;
  if (typeof ts !== "string" || ts === "") throw new SlackCallError(method, new Error("the response has no ts"));
  return ts;
}
