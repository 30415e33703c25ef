// Requests as Slack sends them: signed with the app's signing secret (v0:timestamp:body,
// HMAC-SHA256, hex), slash commands form-encoded, events as JSON envelopes.
import { createHmac, randomBytes } from "node:crypto";

export interface SignedHeaders {
  "x-slack-signature": string;
  "x-slack-request-timestamp": string;
}

export function signSlackRequest(
  body: string,
  signingSecret: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): SignedHeaders {
  const digest = createHmac("sha256", signingSecret).update(`v0:${timestampSeconds}:${body}`).digest("hex");
  return { "x-slack-signature": `v0=${digest}`, "x-slack-request-timestamp": String(timestampSeconds) };
}

export interface SlashCommandFields {
  command: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  team_id?: string;
  enterprise_id?: string;
  response_url?: string;
}

/** The URL-encoded body Slack posts for a slash command. */
export function slashCommandBody(fields: SlashCommandFields): string {
  return new URLSearchParams({
    token: "verification-token-deprecated",
    team_id: fields.team_id ?? "T0TEST",
    team_domain: "upshift-test",
    channel_id: fields.channel_id ?? "C0UPGRADES",
    channel_name: "upgrades",
    user_id: fields.user_id ?? "U0ALICE",
    user_name: fields.user_name ?? "alice",
    command: fields.command,
    text: fields.text ?? "",
    api_app_id: "A0UPSHIFT",
    is_enterprise_install: "false",
    response_url: fields.response_url ?? "https://hooks.slack.invalid/commands/T0TEST/1/x",
    trigger_id: `${Date.now()}.${randomBytes(4).toString("hex")}`,
    ...(fields.enterprise_id ? { enterprise_id: fields.enterprise_id } : {}),
  }).toString();
}

/** An Events API envelope for a reaction_added/removed event on a message. */
export function reactionEventBody(e: {
  type: "reaction_added" | "reaction_removed";
  user: string;
  reaction: string;
  channel: string;
  ts: string;
  /** Workspace the event comes from (default T0TEST, the fake token's). */
  team_id?: string;
}): string {
  return JSON.stringify({
    token: "verification-token-deprecated",
    team_id: e.team_id ?? "T0TEST",
    api_app_id: "A0UPSHIFT",
    type: "event_callback",
    event_id: `Ev${randomBytes(5).toString("hex").toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: "T0TEST", user_id: "UBOT0001", is_bot: true, is_enterprise_install: false }],
    event: {
      type: e.type,
      user: e.user,
      reaction: e.reaction,
      item_user: "UBOT0001",
      item: { type: "message", channel: e.channel, ts: e.ts },
      event_ts: `${Math.floor(Date.now() / 1000)}.000200`,
    },
  });
}

export interface PostResult {
  status: number;
  text: string;
  /** Parsed JSON body when there is one (Bolt acks slash commands with JSON). */
  json?: { response_type?: string; text?: string };
  ms: number;
}

/** POSTs a signed body to a Bolt endpoint; `signWith`/`timestamp` let tests forge or age the signature. */
export async function postSigned(
  url: string,
  body: string,
  opts: {
    signingSecret: string;
    contentType?: string;
    timestampSeconds?: number;
    signature?: string;
    timeoutMs?: number;
  },
): Promise<PostResult> {
  const headers = signSlackRequest(body, opts.signingSecret, opts.timestampSeconds);
  if (opts.signature) headers["x-slack-signature"] = opts.signature;
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": opts.contentType ?? "application/x-www-form-urlencoded" },
    body,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: PostResult["json"];
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, ms };
}

/**
 * The body Slack posts when someone clicks a Block Kit button (interactivity): form-encoded, one
 * `payload` field holding the block_actions JSON, signed like every request.
 */
export function blockActionsBody(e: {
  user: string;
  channel: string;
  /** The ts of the message the button is on, and of its thread. */
  messageTs: string;
  threadTs?: string;
  actionId: string;
  value: string;
  responseUrl: string;
}): string {
  const payload = {
    type: "block_actions",
    user: { id: e.user, username: e.user.toLowerCase(), name: e.user.toLowerCase(), team_id: "T0TEST" },
    api_app_id: "A0UPSHIFT",
    token: "verification-token-deprecated",
    container: {
      type: "message",
      message_ts: e.messageTs,
      channel_id: e.channel,
      is_ephemeral: false,
      ...(e.threadTs ? { thread_ts: e.threadTs } : {}),
    },
    trigger_id: `${Date.now()}.${randomBytes(4).toString("hex")}`,
    team: { id: "T0TEST", domain: "upshift-test" },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: e.channel, name: "upgrades" },
    message: {
      type: "message",
      ts: e.messageTs,
      ...(e.threadTs ? { thread_ts: e.threadTs } : {}),
      bot_id: "B0TEST",
      user: "UBOT0001",
      text: "plan",
    },
    state: { values: {} },
    response_url: e.responseUrl,
    actions: [
      {
        action_id: e.actionId,
        block_id: "upshift_approval",
        text: { type: "plain_text", text: e.actionId, emoji: true },
        value: e.value,
        type: "button",
        action_ts: `${Math.floor(Date.now() / 1000)}.000300`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
