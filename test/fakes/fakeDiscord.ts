// A fake Discord for tests and benchmarks: the REST API (the routes Upshift uses) on node:http and
// the gateway (fakeDiscordGateway.ts) on the same port. Every REST call is recorded; 429s with
// Discord's headers and body can be injected per route, and the gateway can be dropped, asked to
// reconnect, or refused. The real discord.js Client and @discordjs/rest talk to it.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { FakeDiscordGateway, type GatewayGuild } from "./fakeDiscordGateway.ts";

/** A request body as sent: arbitrary JSON that tests read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: JSON from the client under test has no static shape.
export type Json = any;

export interface RestCall {
  method: string;
  /** Path after /api/v10, e.g. /channels/123/messages. */
  path: string;
  query: string;
  /** Parsed JSON body, or for multipart the payload_json plus `files`. */
  body: Json;
  files: Array<{ name: string; content: string }>;
  /** Status the fake answered with. */
  status: number;
  at: number;
  /** performance.now() when the request arrived, for latency measurements in the same process. */
  hr: number;
  authorized: boolean;
  /** Sent with the bot token (Authorization: Bot …); interaction endpoints need none. */
  botToken: boolean;
}

export interface FakeEmbed {
  title?: string;
  description?: string;
  color?: number;
  fields?: Array<{ name: string; value: string }>;
  footer?: { text: string };
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  /** Embeds as last sent (create or edit). */
  embeds: FakeEmbed[];
  /** Message components (action rows of buttons) as last sent. */
  components: Json[];
  attachments: Array<{ id: string; filename: string; size: number; content: string }>;
  edits: number;
  reactions: string[];
  /** The nonce the message was created with, echoed in the message object as Discord does. */
  nonce?: string;
  /** Date.now() at creation: enforce_nonce only matches messages of the last few minutes. */
  createdAt?: number;
}

export interface FakeThread {
  id: string;
  parent_id: string;
  message_id: string;
  name: string;
}

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  guilds?: GatewayGuild[];
  heartbeatIntervalMs?: number;
  /** How long a nonce is enforced ("the past few minutes" in Discord's docs); default 5 minutes. */
  nonceWindowMs?: number;
  /**
   * Bot-token requests a second before a global 429 (Discord: 50). Interaction endpoints are
   * exempt, as on Discord: "Interaction endpoints are not bound to the bot's Global Rate Limit"
   * (https://discord.com/developers/docs/topics/rate-limits#global-rate-limit).
   */
  globalLimitPerSecond?: number;
}

interface RateLimitRule {
  method: string;
  pattern: RegExp;
  remaining: number;
  retryAfterSec: number;
  global: boolean;
}

let snowflakeCounter = 0n;
/** Discord-style ids: timestamp-based 64-bit integers as decimal strings. */
export function snowflake(): string {
  const ms = BigInt(Date.now()) - 1420070400000n;
  snowflakeCounter = (snowflakeCounter + 1n) & 0xfffn;
  return ((ms << 22n) | (1n << 17n) | snowflakeCounter).toString();
}

export const DISCORD_MAX_CONTENT = 2_000;

/** What a reader sees of a message: its content and its embeds' text, in order. */
export function shownText(m: Pick<FakeMessage, "content" | "embeds">): string {
  const embedText = (m.embeds ?? []).map((e) =>
    [e.title, e.description, ...(e.fields ?? []).map((f) => `${f.name}\n${f.value}`), e.footer?.text]
      .filter(Boolean)
      .join("\n"),
  );
  return [m.content, ...embedText].filter(Boolean).join("\n");
}

/**
 * Why Discord would refuse a message's embeds and components (empty when it would not), from
 * its documented limits: discord.com/developers/docs/resources/message ("Embed Limits": title
 * 256, description 4,096, 25 fields of name 256 / value 1,024, footer 2,048, 6,000 characters in
 * all embeds of a message; up to 10 embeds) and …/components/reference (custom_id 1–100, label 80,
 * at most 5 buttons in a row, at most 5 rows).
 */
export function embedViolations(embeds: Json, components: Json): string[] {
  const out: string[] = [];
  const len = (t: unknown) => (typeof t === "string" ? t.length : 0);
  if (embeds !== undefined) {
    if (!Array.isArray(embeds)) return ["embeds is not an array"];
    if (embeds.length > 10) out.push(`${embeds.length} embeds (at most 10)`);
    let total = 0;
    for (const [i, e] of embeds.entries()) {
      if (len(e?.title) > 256) out.push(`embed ${i}: title over 256`);
      if (len(e?.description) > 4096) out.push(`embed ${i}: description over 4096`);
      const fields = Array.isArray(e?.fields) ? e.fields : [];
      if (fields.length > 25) out.push(`embed ${i}: ${fields.length} fields (at most 25)`);
      for (const f of fields) {
        if (len(f?.name) > 256) out.push(`embed ${i}: field name over 256`);
        if (len(f?.value) > 1024) out.push(`embed ${i}: field value over 1024`);
        total += len(f?.name) + len(f?.value);
      }
      if (len(e?.footer?.text) > 2048) out.push(`embed ${i}: footer over 2048`);
      total += len(e?.title) + len(e?.description) + len(e?.footer?.text) + len(e?.author?.name);
    }
    if (total > 6000) out.push(`${total} characters across embeds (at most 6000)`);
  }
  if (components !== undefined) {
    if (!Array.isArray(components) || components.length > 5) out.push("components: at most 5 action rows");
    for (const row of Array.isArray(components) ? components : []) {
      const buttons = Array.isArray(row?.components) ? row.components : [];
      if (row?.type !== 1 || buttons.length < 1 || buttons.length > 5) out.push("an action row holds 1 to 5 buttons");
      for (const b of buttons) {
        if (b?.type !== 2) out.push("a component in a row is not a button");
        if (len(b?.custom_id) < 1 || len(b?.custom_id) > 100)
          out.push(`custom_id of ${len(b?.custom_id)} characters (1 to 100)`);
        if (len(b?.label) > 80) out.push("button label over 80");
      }
    }
  }
  return out;
}

function invalidForm(violations: string[]) {
  return {
    message: "Invalid Form Body",
    code: 50035,
    errors: { embeds: { _errors: violations.map((v) => ({ code: "BASE_TYPE_BAD_LENGTH", message: v })) } },
  };
}

export class FakeDiscord extends EventEmitter {
  readonly token: string;
  readonly applicationId: string;
  readonly botUser = { id: snowflake(), username: "upshift" };
  readonly guilds: GatewayGuild[];
  readonly calls: RestCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly threads = new Map<string, FakeThread>();
  /** Registered commands by scope ("global" or the guild id). */
  readonly commands = new Map<string, Json[]>();
  readonly gateway: FakeDiscordGateway;
  /** REST base to pass as `api` (the client appends /v10). */
  url = "";
  gatewayUrl = "";
  private readonly http: Server;
  private readonly sockets = new Set<Socket>();
  private readonly rateLimits: RateLimitRule[] = [];
  private readonly nonceWindowMs: number;
  private readonly globalLimitPerSecond: number;
  /** The bot token's current one-second window of the global limit. */
  private globalWindow = { startedAt: 0, count: 0 };
  /** Bot-token requests answered with a global 429 by the limit above (not by rateLimit()). */
  globalLimited = 0;

  constructor(opts: FakeDiscordOptions = {}) {
    super();
    this.setMaxListeners(0);
    this.token = opts.token ?? "fake-bot-token.secret";
    this.nonceWindowMs = opts.nonceWindowMs ?? 5 * 60_000;
    this.globalLimitPerSecond = opts.globalLimitPerSecond ?? 50;
    this.applicationId = opts.applicationId ?? snowflake();
    this.guilds = opts.guilds ?? [
      { id: snowflake(), name: "upshift-test", channels: [{ id: snowflake(), name: "ops" }] },
    ];
    this.gateway = new FakeDiscordGateway({
      token: this.token,
      applicationId: this.applicationId,
      botUser: this.botUser,
      guilds: this.guilds,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 5_000,
      url: () => this.gatewayUrl,
      activeThreads: (guildId) =>
        guildId === this.guildId ? [...this.threads.values()].map((t) => this.threadObject(t)) : [],
    });
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((err) => json(res, 500, { message: String(err), code: 0 }));
    });
    this.http.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.http.on("upgrade", (req, socket, head) => {
      if (new URL(req.url ?? "/", "http://x").pathname === "/gateway") this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(opts);
    await new Promise<void>((resolve) => fake.http.listen(0, "127.0.0.1", resolve));
    const { port } = fake.http.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}/api`;
    fake.gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
    return fake;
  }

  get guildId(): string {
    return this.guilds[0].id;
  }

  get channelId(): string {
    return this.guilds[0].channels[0].id;
  }

  /** The next `times` calls matching method and path pattern get 429 with retry_after. */
  rateLimit(method: string, pattern: RegExp, times: number, retryAfterSec = 0.2, global = false): void {
    this.rateLimits.push({ method: method.toUpperCase(), pattern, remaining: times, retryAfterSec, global });
  }

  /** Resolves with the first recorded call (past or future) that matches. */
  waitForCall(match: (c: RestCall) => boolean, timeoutMs = 10_000, what = "a REST call"): Promise<RestCall> {
    const found = this.calls.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("call", onCall);
        reject(
          new Error(
            `fake Discord: timed out after ${timeoutMs} ms waiting for ${what}; calls so far: ${this.calls.map((c) => `${c.method} ${c.path} ${c.status}`).join(", ")}`,
          ),
        );
      }, timeoutMs);
      const onCall = (c: RestCall) => {
        if (!match(c)) return;
        clearTimeout(timer);
        this.off("call", onCall);
        resolve(c);
      };
      this.on("call", onCall);
    });
  }

  /** Sends INTERACTION_CREATE for a slash command (type 2) or autocomplete (type 4). */
  interaction(opts: {
    name: string;
    options?: Array<{ name: string; value: string; focused?: boolean }>;
    type?: 2 | 4;
    guildId?: string | null;
    channelId?: string;
    user?: { id: string; username: string };
    roles?: string[];
  }): { id: string; token: string } {
    const id = snowflake();
    const token = `itoken-${randomUUID()}`;
    const guildId = opts.guildId === undefined ? this.guildId : opts.guildId;
    const channelId = opts.channelId ?? this.channelId;
    const user = {
      id: opts.user?.id ?? "100000000000000001",
      username: opts.user?.username ?? "alice",
      global_name: "Alice",
      discriminator: "0",
      avatar: null,
    };
    this.gateway.dispatch("INTERACTION_CREATE", {
      id,
      application_id: this.applicationId,
      type: opts.type ?? 2,
      token,
      version: 1,
      locale: "en-US",
      app_permissions: "2248473465835073",
      entitlements: [],
      authorizing_integration_owners: guildId ? { "0": guildId } : { "1": user.id },
      context: guildId ? 0 : 1,
      attachment_size_limit: 10_485_760,
      channel_id: channelId,
      channel: {
        id: channelId,
        type: guildId ? 0 : 1,
        ...(guildId ? { guild_id: guildId, name: "ops" } : { recipients: [user] }),
      },
      ...(guildId
        ? {
            guild_id: guildId,
            guild_locale: "en-US",
            member: {
              user,
              roles: opts.roles ?? [],
              joined_at: new Date(0).toISOString(),
              nick: null,
              deaf: false,
              mute: false,
              flags: 0,
              permissions: "2248473465835073",
            },
          }
        : { user }),
      data: {
        id: snowflake(),
        name: opts.name,
        type: 1,
        ...(guildId ? { guild_id: guildId } : {}),
        options: (opts.options ?? []).map((o) => ({
          name: o.name,
          type: 3,
          value: o.value,
          ...(o.focused ? { focused: true } : {}),
        })),
      },
    });
    return { id, token };
  }

  /**
   * Sends INTERACTION_CREATE for a click on a message's button (type 3, MESSAGE_COMPONENT,
   * component_type 2), as a guild member with roles. `customId` defaults to the message's
   * button with that label; a test may forge any other.
   */
  buttonClick(opts: {
    messageId: string;
    label?: string;
    customId?: string;
    user?: { id: string; username: string };
    roles?: string[];
  }): { id: string; token: string } {
    const msg = this.messages.get(opts.messageId);
    if (!msg) throw new Error(`fake Discord: no message ${opts.messageId} to click on`);
    const button = msg.components
      .flatMap((row: Json) => row.components ?? [])
      .find((b: Json) => opts.label === undefined || b.label === opts.label);
    const customId = opts.customId ?? button?.custom_id;
    if (!customId) throw new Error(`fake Discord: message ${opts.messageId} has no button ${opts.label ?? ""}`);
    const id = snowflake();
    const token = `itoken-${randomUUID()}`;
    const user = {
      id: opts.user?.id ?? "100000000000000001",
      username: opts.user?.username ?? "alice",
      global_name: null,
      discriminator: "0",
      avatar: null,
    };
    const thread = this.threads.get(msg.channel_id);
    this.gateway.dispatch("INTERACTION_CREATE", {
      id,
      application_id: this.applicationId,
      type: 3,
      token,
      version: 1,
      locale: "en-US",
      app_permissions: "2248473465835073",
      entitlements: [],
      authorizing_integration_owners: { "0": this.guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
      channel_id: msg.channel_id,
      channel: thread
        ? { id: thread.id, type: 11, guild_id: this.guildId, parent_id: thread.parent_id, name: thread.name }
        : { id: msg.channel_id, type: 0, guild_id: this.guildId, name: "ops" },
      guild_id: this.guildId,
      guild_locale: "en-US",
      member: {
        user,
        roles: opts.roles ?? [],
        joined_at: new Date(0).toISOString(),
        nick: null,
        deaf: false,
        mute: false,
        flags: 0,
        permissions: "2248473465835073",
      },
      message: this.messageObject(msg),
      data: { custom_id: customId, component_type: 2 },
    });
    return { id, token };
  }

  /** Sends MESSAGE_REACTION_ADD (or REMOVE) for a message, as a guild member with roles. */
  reaction(opts: {
    added: boolean;
    messageId: string;
    channelId?: string;
    emoji: string;
    userId?: string;
    roles?: string[];
    guildId?: string;
  }): void {
    const userId = opts.userId ?? "100000000000000001";
    const guildId = opts.guildId ?? this.guildId;
    const base = {
      user_id: userId,
      channel_id: opts.channelId ?? this.channelId,
      message_id: opts.messageId,
      guild_id: guildId,
      emoji: { id: null, name: opts.emoji },
      burst: false,
      type: 0,
    };
    if (opts.added) {
      this.gateway.dispatch("MESSAGE_REACTION_ADD", {
        ...base,
        burst_colors: [],
        member: {
          user: { id: userId, username: "bob", discriminator: "0", global_name: null, avatar: null },
          roles: opts.roles ?? [],
          joined_at: new Date(0).toISOString(),
          nick: null,
          deaf: false,
          mute: false,
          flags: 0,
        },
      });
    } else {
      this.gateway.dispatch("MESSAGE_REACTION_REMOVE", base);
    }
  }

  /** Callbacks for one interaction (POST /interactions/{id}/{token}/callback). */
  callbacksFor(interactionId: string): RestCall[] {
    return this.calls.filter((c) => c.method === "POST" && c.path.startsWith(`/interactions/${interactionId}/`));
  }

  /** Messages in a channel or thread, oldest first. */
  messagesIn(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }

  async close(): Promise<void> {
    this.gateway.close();
    const done = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await done;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hr = performance.now();
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readBody(req);
    const method = req.method ?? "GET";
    if (!url.pathname.startsWith("/api/v10/"))
      return json(res, 404, { message: "404: Not Found (expected /api/v10/...)", code: 0 });
    // Clients encode "@" in "@original" and emoji in reaction routes; Discord accepts both forms.
    const path = decodeURIComponent(url.pathname.slice("/api/v10".length));
    const { body, files } = await parseBody(req, raw, url);
    const auth = req.headers.authorization;
    // Interaction callbacks and webhook edits are authenticated by the interaction token in the path.
    const tokenless = path.startsWith("/interactions/") || path.startsWith("/webhooks/");
    const interactionEndpoint =
      path.startsWith("/interactions/") || path.startsWith(`/webhooks/${this.applicationId}/`);
    const authorized = tokenless || auth === `Bot ${this.token}`;
    const call: RestCall = {
      method,
      path,
      query: url.search,
      body,
      files,
      status: 0,
      at: Date.now(),
      hr,
      authorized,
      botToken: auth === `Bot ${this.token}`,
    };
    const reply = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      this.calls.push(call);
      this.emit("call", call);
      if (status === 204 || payload === undefined) {
        res.writeHead(status, headers).end();
      } else json(res, status, payload, headers);
    };
    if (!authorized) return reply(401, { message: "401: Unauthorized", code: 0 });

    // The global limit: per bot token, every route but the interaction endpoints.
    if (!interactionEndpoint && call.botToken) {
      const now = Date.now();
      if (now - this.globalWindow.startedAt >= 1_000) this.globalWindow = { startedAt: now, count: 0 };
      if (++this.globalWindow.count > this.globalLimitPerSecond) {
        this.globalLimited++;
        const retryAfterSec = Math.max(0.001, (this.globalWindow.startedAt + 1_000 - now) / 1_000);
        return reply(
          429,
          { message: "You are being rate limited.", retry_after: retryAfterSec, global: true },
          {
            "Retry-After": String(Math.ceil(retryAfterSec)),
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
          },
        );
      }
    }

    const limited = this.rateLimits.find((r) => r.remaining > 0 && r.method === method && r.pattern.test(path));
    if (limited) {
      limited.remaining--;
      const bucket = `fake-${limited.pattern.source.replace(/[^a-z0-9]/gi, "").slice(0, 16)}`;
      return reply(
        429,
        {
          message: "You are being rate limited.",
          retry_after: limited.retryAfterSec,
          global: limited.global,
          ...(limited.global ? {} : { code: 0 }),
        },
        {
          "Retry-After": String(Math.ceil(limited.retryAfterSec)),
          "X-RateLimit-Limit": "5",
          "X-RateLimit-Remaining": "0",
          "X-RateLimit-Reset": ((Date.now() + limited.retryAfterSec * 1000) / 1000).toFixed(3),
          "X-RateLimit-Reset-After": limited.retryAfterSec.toFixed(3),
          "X-RateLimit-Bucket": bucket,
          "X-RateLimit-Scope": limited.global ? "global" : "user",
          ...(limited.global ? { "X-RateLimit-Global": "true" } : {}),
        },
      );
    }

    const seg = path.split("/").filter(Boolean);
    const is = (m: string, re: RegExp) => method === m && re.test(path);

    if (is("GET", /^\/gateway\/bot$/)) {
      return reply(200, {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      });
    }
    if (is("GET", /^\/users\/@me$/))
      return reply(200, { ...this.botUser, discriminator: "0", global_name: null, avatar: null, bot: true, flags: 0 });
    if (is("POST", /^\/interactions\/\d+\/[^/]+\/callback$/)) {
      // Discord answers 204 unless ?with_response=true.
      if (url.searchParams.get("with_response") === "true") {
        return reply(200, {
          interaction: {
            id: seg[1],
            type: 2,
            activity_instance_id: null,
            response_message_id: null,
            response_message_loading: body?.type === 5,
            response_message_ephemeral: true,
          },
          resource: { type: body?.type },
        });
      }
      return reply(204);
    }
    if (is("PATCH", /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/)) {
      if (seg[1] !== this.applicationId) return reply(404, { message: "Unknown Webhook", code: 10015 });
      const content = body?.content ?? "";
      if (content.length > DISCORD_MAX_CONTENT) return reply(400, contentTooLong());
      return reply(
        200,
        this.messageObject(
          {
            id: snowflake(),
            channel_id: this.channelId,
            content,
            attachments: [],
            edits: 1,
            reactions: [],
            embeds: [],
            components: [],
          },
          64,
        ),
      );
    }
    if (is("PUT", /^\/applications\/\d+\/(guilds\/\d+\/)?commands$/)) {
      if (seg[1] !== this.applicationId) return reply(403, { message: "Missing Access", code: 50001 });
      if (!Array.isArray(body)) return reply(400, { message: "Invalid Form Body", code: 50035 });
      const scope = seg[2] === "guilds" ? seg[3] : "global";
      const stored = body.map((c: Json) => ({
        ...c,
        id: snowflake(),
        application_id: this.applicationId,
        version: snowflake(),
        type: c.type ?? 1,
      }));
      this.commands.set(scope, stored);
      return reply(200, stored);
    }
    if (is("POST", /^\/channels\/\d+\/messages$/)) {
      const content: string = body?.content ?? "";
      if (content.length > DISCORD_MAX_CONTENT) return reply(400, contentTooLong());
      const violations = embedViolations(body?.embeds, body?.components);
      if (violations.length) return reply(400, invalidForm(violations));
      if (!content && files.length === 0 && !(body?.embeds?.length > 0))
        return reply(400, { message: "Cannot send an empty message", code: 50006 });
      const nonce = body?.nonce;
      if (nonce !== undefined && !(typeof nonce === "string" && nonce.length <= 25) && !Number.isInteger(nonce)) {
        return reply(400, {
          message: "Invalid Form Body",
          code: 50035,
          errors: { nonce: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 25 or fewer in length." }] } },
        });
      }
      // enforce_nonce: the same author's message with this nonce in the last few minutes is
      // returned as it is (200, no new message, no gateway event); without it a nonce is just echoed.
      if (nonce !== undefined && body?.enforce_nonce === true) {
        const earlier = [...this.messages.values()].find(
          (m) =>
            m.channel_id === seg[1] &&
            m.nonce === String(nonce) &&
            Date.now() - (m.createdAt ?? 0) <= this.nonceWindowMs,
        );
        if (earlier) return reply(200, this.messageObject(earlier));
      }
      const msg: FakeMessage = {
        id: snowflake(),
        channel_id: seg[1],
        content,
        attachments: files.map((f) => ({
          id: snowflake(),
          filename: f.name,
          size: f.content.length,
          content: f.content,
        })),
        edits: 0,
        reactions: [],
        embeds: body?.embeds ?? [],
        components: body?.components ?? [],
        ...(nonce === undefined ? {} : { nonce: String(nonce) }),
        createdAt: Date.now(),
      };
      this.messages.set(msg.id, msg);
      return reply(200, this.messageObject(msg));
    }
    if (is("PATCH", /^\/channels\/\d+\/messages\/\d+$/)) {
      const msg = this.messages.get(seg[3]);
      if (!msg || msg.channel_id !== seg[1]) return reply(404, { message: "Unknown Message", code: 10008 });
      if (typeof body?.content === "string") {
        if (body.content.length > DISCORD_MAX_CONTENT) return reply(400, contentTooLong());
      }
      const violations = embedViolations(body?.embeds, body?.components);
      if (violations.length) return reply(400, invalidForm(violations));
      if (typeof body?.content === "string") msg.content = body.content;
      // Fields left out of an edit keep their value, as on Discord.
      if (body?.embeds !== undefined) msg.embeds = body.embeds;
      if (body?.components !== undefined) msg.components = body.components;
      msg.edits++;
      return reply(200, this.messageObject(msg));
    }
    if (is("GET", /^\/channels\/\d+\/messages\/\d+$/)) {
      const msg = this.messages.get(seg[3]);
      if (!msg || msg.channel_id !== seg[1]) return reply(404, { message: "Unknown Message", code: 10008 });
      return reply(200, this.messageObject(msg));
    }
    if (is("POST", /^\/channels\/\d+\/messages\/\d+\/threads$/)) {
      const msg = this.messages.get(seg[3]);
      if (!msg || msg.channel_id !== seg[1]) return reply(404, { message: "Unknown Message", code: 10008 });
      if (typeof body?.name !== "string" || body.name.length < 1 || body.name.length > 100) {
        return reply(400, {
          message: "Invalid Form Body",
          code: 50035,
          errors: {
            name: { _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 100 in length." }] },
          },
        });
      }
      if ([...this.threads.values()].some((t) => t.message_id === msg.id))
        return reply(400, { message: "A thread has already been created for this message", code: 160004 });
      // A thread started from a message has the message's id.
      const thread: FakeThread = { id: msg.id, parent_id: msg.channel_id, message_id: msg.id, name: body.name };
      this.threads.set(thread.id, thread);
      const channel = this.threadObject(thread, body.auto_archive_duration);
      // Discord tells a connected bot about a thread it created (THREAD_CREATE, Guilds intent);
      // discord.js caches the thread from it, and drops reactions in threads it never heard of.
      if (this.gateway.identified()) {
        this.gateway.dispatch("THREAD_CREATE", {
          ...channel,
          newly_created: true,
          member: { id: thread.id, user_id: this.botUser.id, join_timestamp: new Date().toISOString(), flags: 0 },
        });
      }
      return reply(201, channel);
    }
    if (is("GET", /^\/channels\/\d+$/)) {
      const thread = this.threads.get(seg[1]);
      if (thread)
        return reply(200, {
          id: thread.id,
          type: 11,
          guild_id: this.guildId,
          parent_id: thread.parent_id,
          name: thread.name,
        });
      for (const g of this.guilds) {
        const c = g.channels.find((ch) => ch.id === seg[1]);
        if (c)
          return reply(200, {
            id: c.id,
            type: 0,
            guild_id: g.id,
            name: c.name,
            position: 0,
            permission_overwrites: [],
          });
      }
      return reply(404, { message: "Unknown Channel", code: 10003 });
    }
    if (is("PUT", /^\/channels\/\d+\/messages\/\d+\/reactions\/[^/]+\/@me$/)) {
      const msg = this.messages.get(seg[3]);
      if (!msg || msg.channel_id !== seg[1]) return reply(404, { message: "Unknown Message", code: 10008 });
      msg.reactions.push(seg[5]);
      // Discord echoes the bot's own reaction on the gateway; the bot must ignore it.
      if (this.gateway.identified()) {
        this.gateway.dispatch("MESSAGE_REACTION_ADD", {
          user_id: this.botUser.id,
          channel_id: msg.channel_id,
          message_id: msg.id,
          guild_id: this.guildId,
          emoji: { id: null, name: seg[5] },
          burst: false,
          burst_colors: [],
          type: 0,
          member: {
            user: { ...this.botUser, discriminator: "0", global_name: null, avatar: null, bot: true },
            roles: [],
            joined_at: new Date(0).toISOString(),
            nick: null,
            deaf: false,
            mute: false,
            flags: 0,
          },
        });
      }
      return reply(204);
    }
    return reply(404, { message: `404: Not Found (fake Discord has no ${method} ${path})`, code: 0 });
  }

  /** A thread as a channel object (REST answers, THREAD_CREATE, GUILD_CREATE's active threads). */
  private threadObject(thread: FakeThread, autoArchiveMinutes = 1440): Record<string, unknown> {
    return {
      id: thread.id,
      type: 11,
      guild_id: this.guildId,
      parent_id: thread.parent_id,
      name: thread.name,
      owner_id: this.botUser.id,
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: autoArchiveMinutes,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
    };
  }

  private messageObject(m: FakeMessage, flags = 0): Record<string, unknown> {
    return {
      id: m.id,
      channel_id: m.channel_id,
      type: 0,
      content: m.content,
      author: { ...this.botUser, discriminator: "0", global_name: null, avatar: null, bot: true },
      timestamp: new Date().toISOString(),
      edited_timestamp: m.edits ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: m.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        size: a.size,
        url: `https://cdn.example/${a.id}/${a.filename}`,
        proxy_url: `https://cdn.example/${a.id}/${a.filename}`,
      })),
      embeds: m.embeds ?? [],
      pinned: false,
      ...(m.nonce === undefined ? {} : { nonce: m.nonce }),
      flags,
      components: m.components ?? [],
    };
  }
}

function contentTooLong() {
  return {
    message: "Invalid Form Body",
    code: 50035,
    errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] } },
  };
}

function json(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(payload);
  res
    .writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers })
    .end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function parseBody(
  req: IncomingMessage,
  raw: Buffer,
  url: URL,
): Promise<{ body: Json; files: Array<{ name: string; content: string }> }> {
  const type = req.headers["content-type"] ?? "";
  if (raw.length === 0) return { body: undefined, files: [] };
  if (type.startsWith("multipart/form-data")) {
    // @discordjs/rest sends files as multipart: payload_json plus files[n].
    const form = await new Request(url, {
      method: "POST",
      headers: { "content-type": type },
      body: new Uint8Array(raw),
    }).formData();
    const files: Array<{ name: string; content: string }> = [];
    let body: Json;
    for (const [key, value] of form.entries()) {
      if (key === "payload_json") body = JSON.parse(String(value));
      else if (typeof value !== "string") files.push({ name: value.name, content: await value.text() });
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString("utf8")), files: [] };
}
