// A fake Slack Web API on a real socket: the WebClient talks to it exactly as to slack.com
// (form-encoded or JSON POSTs to /api/<method>, a bearer token, 429 + Retry-After). It answers
// like Slack for the methods Upshift uses, keeps channels and threads, and records every call
// so tests assert on what was really sent.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { blockViolations } from "./slackBlockLimits.ts";

export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
  /** The bearer token sent (tests assert it is the bot token; it is never printed). */
  token?: string;
  /** performance.now() when the call arrived. */
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  /** Every text the message had, oldest first (chat.update appends). */
  history: string[];
  files: Array<{ id: string; name: string; content: string }>;
  /** Block Kit blocks of the message, as last posted or updated (undefined for a text-only message). */
  blocks?: unknown[];
  /** Every blocks the message had, oldest first (chat.update appends; undefined for a text-only version). */
  blocksHistory: Array<unknown[] | undefined>;
  /** Message metadata sent with chat.postMessage (Slack returns it with include_all_metadata). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

interface Fault {
  remaining: number;
  status: number;
  retryAfterSeconds?: number;
  error?: string;
}

export interface FakeSlackApiOptions {
  /** Bot token the fake accepts; anything else gets invalid_auth. */
  botToken?: string;
  /** App-level token (xapp-) the fake accepts for apps.connections.open, and only there. */
  appToken?: string;
  botUserId?: string;
  /**
   * Message ts from the wall clock, as Slack's are (seconds.micros of the post), so reads bounded
   * by oldest/latest see real times. Off by default: older tests expect the fixed 1700000000 base.
   */
  wallClockTs?: boolean;
  /** Workspace of the token, as auth.test reports it (default T0TEST). */
  teamId?: string;
  /** Enterprise Grid org of the token; auth.test names none when unset. */
  enterpriseId?: string;
  /** Members of Slack user groups, for usergroups.users.list (tests may change it later). */
  usergroups?: Record<string, string[]>;
}

export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly reactions: Array<{ channel: string; timestamp: string; name: string }> = [];
  readonly responses: Array<{ path: string; body: Record<string, unknown> }> = [];
  /** Every blocks payload refused as invalid_blocks, with why (a test that sends none asserts this is empty). */
  readonly refusedBlocks: Array<{ method: string; violations: string[] }> = [];
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId: string;
  readonly teamId: string;
  readonly enterpriseId: string | undefined;
  usergroups: Record<string, string[]>;
  /**
   * Socket Mode: issues the WebSocket URL apps.connections.open answers with (a FakeSlackSocketMode's
   * issueUrl). Unset, the app has Socket Mode off, and Slack answers the call with an error.
   */
  socketModeUrl: (() => string) | undefined;
  private readonly server: Server;
  private readonly faults = new Map<string, Fault[]>();
  private readonly uploads = new Map<string, { filename: string; length: number; content?: string }>();
  /**
   * Called with every answered Web API call after its effect is stored and before the response is
   * written: a test can SIGKILL a worker here, so the post exists and the worker never hears of it.
   */
  onAnswer: ((method: string, body: Record<string, unknown>, answer: Record<string, unknown>) => void) | undefined;
  private tsCounter = 0;
  private readonly wallClockTs: boolean;
  private lastWallMicros = 0;
  private fileCounter = 0;
  private baseUrl = "";

  private constructor(opts: FakeSlackApiOptions) {
    this.botToken = opts.botToken ?? `xoxb-test-${randomBytes(6).toString("hex")}`;
    this.appToken = opts.appToken ?? `xapp-1-A0TEST-${randomBytes(6).toString("hex")}`;
    this.botUserId = opts.botUserId ?? "UBOT0001";
    this.teamId = opts.teamId ?? "T0TEST";
    this.enterpriseId = opts.enterpriseId;
    this.usergroups = opts.usergroups ?? {};
    this.wallClockTs = opts.wallClockTs ?? false;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake Slack API error: ${err.message}`);
      });
    });
  }

  static async start(opts: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
    const fake = new FakeSlackApi(opts);
    await new Promise<void>((resolve, reject) => {
      fake.server.once("error", reject);
      fake.server.listen(0, "127.0.0.1", () => resolve());
    });
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The WebClient's slackApiUrl. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** A response_url for slash-command bodies (Bolt's respond() posts there). */
  responseUrl(id = "cmd"): string {
    return `${this.baseUrl}/respond/${id}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` calls of `method` fail with `status` (429 carries Retry-After). */
  failNext(
    method: string,
    count: number,
    fault: { status?: number; retryAfterSeconds?: number; error?: string } = {},
  ): void {
    const list = this.faults.get(method) ?? [];
    list.push({
      remaining: count,
      status: fault.status ?? 429,
      retryAfterSeconds: fault.retryAfterSeconds ?? 1,
      error: fault.error,
    });
    this.faults.set(method, list);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  roots(channel?: string): FakeMessage[] {
    return this.messages.filter((m) => !m.thread_ts && (channel === undefined || m.channel === channel));
  }

  replies(channel: string, threadTs: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.thread_ts === threadTs);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  private nextTs(): string {
    if (this.wallClockTs) {
      // Unique and increasing like Slack's, even for two posts in the same microsecond.
      this.lastWallMicros = Math.max(
        Math.round((performance.timeOrigin + performance.now()) * 1000),
        this.lastWallMicros + 1,
      );
      return `${Math.floor(this.lastWallMicros / 1_000_000)}.${String(this.lastWallMicros % 1_000_000).padStart(6, "0")}`;
    }
    this.tsCounter += 100;
    const seconds = 1_700_000_000 + Math.floor(this.tsCounter / 1_000_000);
    return `${seconds}.${String(this.tsCounter % 1_000_000).padStart(6, "0")}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    const raw = await readBody(req);
    if (req.method !== "POST") return json(res, 405, { ok: false, error: "method_not_allowed" });

    if (url.pathname.startsWith("/upload/"))
      return this.handleUpload(url.pathname.slice("/upload/".length), req, raw, res);
    if (url.pathname.startsWith("/respond/")) {
      this.responses.push({ path: url.pathname, body: JSON.parse(raw.toString("utf8") || "{}") });
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end("ok");
    }
    if (!url.pathname.startsWith("/api/")) return json(res, 404, { ok: false, error: "unknown_path" });

    const method = url.pathname.slice("/api/".length);
    const body = await parseBody(req, raw);
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ")
      ? auth.slice("Bearer ".length)
      : typeof body.token === "string"
        ? body.token
        : undefined;
    this.calls.push({ method, body, token, at: performance.now() });

    const fault = this.faults.get(method)?.find((f) => f.remaining > 0);
    if (fault) {
      fault.remaining--;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.status === 429 && fault.retryAfterSeconds !== undefined)
        headers["retry-after"] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers);
      return void res.end(
        JSON.stringify({ ok: false, error: fault.error ?? (fault.status === 429 ? "ratelimited" : "fatal_error") }),
      );
    }
    if (method === "apps.connections.open") return json(res, 200, this.connectionsOpen(token));
    if (token !== this.botToken) return json(res, 200, { ok: false, error: token ? "invalid_auth" : "not_authed" });
    const answer = this.answer(method, body);
    this.onAnswer?.(method, body, answer);
    return json(res, 200, answer);
  }

  /**
   * apps.connections.open takes the app-level token only (a bot token is the wrong type, as on
   * Slack) and answers with a fresh single-use WebSocket URL.
   */
  private connectionsOpen(token: string | undefined): Record<string, unknown> {
    if (!token) return { ok: false, error: "not_authed" };
    if (token === this.botToken) return { ok: false, error: "not_allowed_token_type" };
    if (token !== this.appToken) return { ok: false, error: "invalid_auth" };
    if (!this.socketModeUrl) return { ok: false, error: "invalid_app_id" };
    return { ok: true, url: this.socketModeUrl() };
  }

  private answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://upshift-test.slack.com/",
          team: "Upshift Test",
          user: "upshift",
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: "B0TEST",
          ...(this.enterpriseId ? { enterprise_id: this.enterpriseId } : {}),
          is_enterprise_install: false,
        };
      case "usergroups.users.list": {
        const group = str("usergroup");
        const users = group ? this.usergroups[group] : undefined;
        return users ? { ok: true, users } : { ok: false, error: "no_such_subteam" };
      }
      case "chat.postMessage": {
        const channel = str("channel");
        const text = str("text");
        if (!channel) return { ok: false, error: "channel_not_found" };
        if (!text && !body.blocks) return { ok: false, error: "no_text" };
        const thread = str("thread_ts");
        if (thread && !this.message(channel, thread)) return { ok: false, error: "thread_not_found" };
        const metadata = parseMetadata(body.metadata);
        if (metadata === null) return { ok: false, error: "invalid_metadata_format" };
        const blocks = this.parseBlocks("chat.postMessage", body.blocks);
        if (blocks === null) return { ok: false, error: "invalid_blocks" };
        const ts = this.nextTs();
        const m: FakeMessage = {
          channel,
          ts,
          thread_ts: thread,
          text: text ?? "",
          history: [text ?? ""],
          files: [],
          ...(blocks ? { blocks } : {}),
          blocksHistory: [blocks],
          ...(metadata ? { metadata } : {}),
        };
        this.messages.push(m);
        return {
          ok: true,
          channel,
          ts,
          message: { ...this.messageObject(m, true) },
        };
      }
      case "conversations.history": {
        // Top-level messages (and broadcast replies, which Upshift never sends), newest first.
        const channel = str("channel");
        if (!channel) return { ok: false, error: "channel_not_found" };
        const list = this.messages.filter((m) => m.channel === channel && (!m.thread_ts || m.thread_ts === m.ts));
        return this.page(list.reverse(), body, truthy(body.include_all_metadata));
      }
      case "conversations.replies": {
        // The parent first, then its replies oldest first; the parent heads the first page only.
        const channel = str("channel");
        const ts = str("ts");
        if (!channel) return { ok: false, error: "channel_not_found" };
        if (!ts) return { ok: false, error: "invalid_arguments" };
        const parent = this.message(channel, ts);
        if (!parent) return { ok: false, error: "thread_not_found" };
        const list = [parent, ...this.replies(channel, ts)];
        return this.page(list, body, truthy(body.include_all_metadata), parent);
      }
      case "chat.update": {
        const channel = str("channel");
        const ts = str("ts");
        const m = channel && ts ? this.message(channel, ts) : undefined;
        if (!m) return { ok: false, error: "message_not_found" };
        const blocks = this.parseBlocks("chat.update", body.blocks);
        if (blocks === null) return { ok: false, error: "invalid_blocks" };
        m.text = str("text") ?? m.text;
        m.history.push(m.text);
        // Slack keeps a message's blocks unless the update sends new ones.
        if (blocks) m.blocks = blocks;
        m.blocksHistory.push(blocks ?? m.blocks);
        return { ok: true, channel, ts, text: m.text };
      }
      case "reactions.add": {
        const channel = str("channel");
        const timestamp = str("timestamp");
        const name = str("name");
        if (!channel || !timestamp || !this.message(channel, timestamp))
          return { ok: false, error: "message_not_found" };
        if (!name) return { ok: false, error: "invalid_name" };
        if (this.reactions.some((r) => r.channel === channel && r.timestamp === timestamp && r.name === name))
          return { ok: false, error: "already_reacted" };
        this.reactions.push({ channel, timestamp, name });
        return { ok: true };
      }
      case "files.getUploadURLExternal": {
        const filename = str("filename");
        const length = Number(body.length);
        if (!filename)
          return {
            ok: false,
            error: "invalid_arguments",
            response_metadata: { messages: ["[ERROR] missing required field: filename"] },
          };
        if (!Number.isInteger(length) || length < 0)
          return {
            ok: false,
            error: "invalid_arguments",
            response_metadata: { messages: ["[ERROR] missing required field: length"] },
          };
        const fileId = `F${String(++this.fileCounter).padStart(8, "0")}`;
        this.uploads.set(fileId, { filename, length });
        return { ok: true, upload_url: `${this.baseUrl}/upload/${fileId}`, file_id: fileId };
      }
      case "files.completeUploadExternal": {
        let files: Array<{ id: string; title?: string }>;
        try {
          files = typeof body.files === "string" ? JSON.parse(body.files) : (body.files as typeof files);
        } catch {
          return { ok: false, error: "invalid_arguments" };
        }
        if (!Array.isArray(files) || files.length === 0) return { ok: false, error: "invalid_arguments" };
        const channel = str("channel_id");
        const thread = str("thread_ts");
        const done = [];
        for (const f of files) {
          const upload = this.uploads.get(f.id);
          if (!upload || upload.content === undefined) return { ok: false, error: "file_not_found" };
          if (Buffer.byteLength(upload.content) !== upload.length)
            return { ok: false, error: "file_upload_size_mismatch" };
          done.push({ id: f.id, name: upload.filename, title: f.title ?? upload.filename });
          if (channel) {
            const anchor = thread ? this.message(channel, thread) : undefined;
            if (thread && !anchor) return { ok: false, error: "thread_not_found" };
            const ts = this.nextTs();
            this.messages.push({
              channel,
              ts,
              thread_ts: thread,
              text: "",
              history: [""],
              blocksHistory: [undefined],
              files: [{ id: f.id, name: upload.filename, content: upload.content }],
            });
          }
        }
        return { ok: true, files: done };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  /**
   * A message's `blocks` (a JSON string when form-encoded): undefined when absent, null when Slack
   * would refuse them (malformed, or over a Block Kit limit; recorded in refusedBlocks).
   */
  private parseBlocks(method: string, raw: unknown): unknown[] | null | undefined {
    if (raw === undefined || raw === "") return undefined;
    let value: unknown = raw;
    if (typeof raw === "string") {
      try {
        value = JSON.parse(raw);
      } catch {
        this.refusedBlocks.push({ method, violations: ["blocks is not JSON"] });
        return null;
      }
    }
    const violations = blockViolations(value);
    if (violations.length) {
      this.refusedBlocks.push({ method, violations });
      return null;
    }
    return value as unknown[];
  }

  /**
   * One page of a conversations.* listing, as Slack pages it: `oldest`/`latest` bound the ts
   * (exclusive unless `inclusive`), `limit` (default 100, at most 999) the page, and an opaque
   * `cursor` from the previous page's response_metadata.next_cursor continues it.
   */
  private page(
    list: FakeMessage[],
    body: Record<string, unknown>,
    withMetadata: boolean,
    alwaysFirst?: FakeMessage,
  ): Record<string, unknown> {
    const num = (v: unknown) => (v === undefined || v === "" ? undefined : Number(v));
    const oldest = num(body.oldest);
    const latest = num(body.latest);
    const inclusive = truthy(body.inclusive);
    const limit = num(body.limit) ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 999) return { ok: false, error: "invalid_limit" };
    let start = 0;
    if (typeof body.cursor === "string" && body.cursor !== "") {
      const decoded = Number(
        Buffer.from(body.cursor, "base64")
          .toString("utf8")
          .replace(/^next_ts:/, ""),
      );
      if (!Number.isInteger(decoded) || decoded < 0) return { ok: false, error: "invalid_cursor" };
      start = decoded;
    }
    const inWindow = list.filter((m) => {
      if (m === alwaysFirst) return true;
      const ts = Number(m.ts);
      if (oldest !== undefined && (inclusive ? ts < oldest : ts <= oldest)) return false;
      if (latest !== undefined && (inclusive ? ts > latest : ts >= latest)) return false;
      return true;
    });
    const slice = inWindow.slice(start, start + limit);
    const more = start + limit < inWindow.length;
    return {
      ok: true,
      messages: slice.map((m) => this.messageObject(m, withMetadata)),
      has_more: more,
      response_metadata: { next_cursor: more ? Buffer.from(`next_ts:${start + limit}`).toString("base64") : "" },
    };
  }

  /** A stored message as the Web API returns it. */
  private messageObject(m: FakeMessage, withMetadata: boolean): Record<string, unknown> {
    const replies = m.thread_ts ? [] : this.replies(m.channel, m.ts);
    return {
      type: "message",
      user: this.botUserId,
      bot_id: "B0TEST",
      app_id: "A0TEST",
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ts: m.ts,
      // A parent carries its own ts as thread_ts once it has replies; a reply its parent's.
      ...(m.thread_ts
        ? { thread_ts: m.thread_ts }
        : replies.length > 0
          ? { thread_ts: m.ts, reply_count: replies.length }
          : {}),
      ...(m.files.length > 0 ? { files: m.files.map((f) => ({ id: f.id, name: f.name })) } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  private async handleUpload(fileId: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const upload = this.uploads.get(fileId);
    if (!upload) {
      res.writeHead(404, { "content-type": "text/plain" });
      return void res.end("no such upload");
    }
    const type = req.headers["content-type"] ?? "";
    let content: string;
    if (type.startsWith("multipart/form-data")) {
      // The WebClient posts the bytes as a multipart field; undici's Request parses it as Slack would.
      const form = await new Request("http://fake/upload", {
        method: "POST",
        headers: { "content-type": type },
        body: new Uint8Array(raw),
      }).formData();
      const part = [...form.values()][0];
      content = typeof part === "string" ? part : await part.text();
    } else {
      content = raw.toString("utf8");
    }
    upload.content = content;
    this.calls.push({ method: "upload", body: { fileId, bytes: Buffer.byteLength(content) }, at: performance.now() });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`OK - ${Buffer.byteLength(content)}`);
  }
}

/** Form-encoded booleans arrive as "true"/"1"; JSON ones as booleans. */
function truthy(v: unknown): boolean {
  return v === true || v === "true" || v === "1" || v === 1;
}

/**
 * chat.postMessage's `metadata` (a JSON string when form-encoded): undefined when absent, null
 * when malformed (Slack: event_type a string, event_payload an object).
 */
function parseMetadata(raw: unknown): FakeMessage["metadata"] | null | undefined {
  if (raw === undefined || raw === "") return undefined;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  const m = value as { event_type?: unknown; event_payload?: unknown } | null;
  if (!m || typeof m.event_type !== "string" || !m.event_payload || typeof m.event_payload !== "object") return null;
  return { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
  const type = req.headers["content-type"] ?? "";
  const text = raw.toString("utf8");
  if (type.startsWith("application/json")) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (type.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake/api", {
      method: "POST",
      headers: { "content-type": type },
      body: new Uint8Array(raw),
    }).formData();
    const out: Record<string, unknown> = {};
    for (const [k, v] of form.entries()) out[k] = typeof v === "string" ? v : await v.text();
    return out;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Polls `predicate` until it holds (returns its truthy value) or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  predicate: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: ${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
