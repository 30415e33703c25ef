// The gateway half of the fake Discord: a `ws` server speaking the real gateway protocol (v10,
// JSON encoding, no compression): HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats with ACKs,
// RESUME with replay of missed dispatches, RECONNECT and INVALID_SESSION on demand, and abrupt
// drops. discord.js's own WebSocketManager connects to it unmodified.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";

export const OP = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  Resume: 6,
  Reconnect: 7,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

export interface GatewayGuild {
  id: string;
  name: string;
  channels: Array<{ id: string; name: string }>;
  roles?: Array<{ id: string; name: string }>;
}

interface Session {
  id: string;
  seq: number;
  /** Every dispatch sent in this session, for RESUME replay. */
  log: Array<{ s: number; t: string; d: unknown }>;
  socket?: WebSocket;
  intents: number;
  valid: boolean;
}

export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  heartbeats: number;
  /** Intents bitfield of every IDENTIFY. */
  intents: number[];
  /** Query strings of every connection, to check what the client asked for (v, encoding). */
  queries: string[];
}

export interface GatewayOptions {
  token: string;
  applicationId: string;
  botUser: { id: string; username: string };
  guilds: GatewayGuild[];
  heartbeatIntervalMs: number;
  /** ws://host:port/gateway, filled in once the HTTP server listens. */
  url: () => string;
  /** Active threads of a guild as channel objects: GUILD_CREATE carries them, so a client that (re)identifies knows them. */
  activeThreads?: (guildId: string) => unknown[];
}

export class FakeDiscordGateway extends EventEmitter {
  readonly stats: GatewayStats = { connections: 0, identifies: 0, resumes: 0, heartbeats: 0, intents: [], queries: [] };
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly opts: GatewayOptions;
  private current?: Session;
  private refusing = false;

  constructor(opts: GatewayOptions) {
    super();
    this.opts = opts;
  }

  /** Called by the HTTP server for upgrade requests on /gateway. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    this.stats.queries.push(query.toString());
    if (this.refusing) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, query));
  }

  private onConnection(ws: WebSocket, query: URLSearchParams): void {
    this.stats.connections++;
    // The real gateway closes with 4012 for an invalid version and 4002 for a payload it cannot decode.
    if (query.get("v") !== "10") {
      ws.close(4012, "Invalid API version");
      return;
    }
    if ((query.get("encoding") ?? "json") !== "json" || query.has("compress")) {
      ws.close(4002, "Decode error: only JSON without compression");
      return;
    }
    let session: Session | undefined;
    ws.on("message", (raw) => {
      let payload: { op: number; d: unknown; s?: number };
      try {
        payload = JSON.parse(raw.toString());
      } catch {
        ws.close(4002, "Decode error");
        return;
      }
      switch (payload.op) {
        case OP.Heartbeat:
          this.stats.heartbeats++;
          send(ws, { op: OP.HeartbeatAck, d: null });
          break;
        case OP.Identify:
          session = this.identify(ws, payload.d as { token: string; intents: number });
          break;
        case OP.Resume:
          session = this.resume(ws, payload.d as { token: string; session_id: string; seq: number });
          break;
        default:
          // Presence updates, voice state and the like: accepted and ignored.
          break;
      }
    });
    ws.on("close", () => {
      if (session && session.socket === ws) session.socket = undefined;
    });
    ws.on("error", () => {});
    send(ws, { op: OP.Hello, d: { heartbeat_interval: this.opts.heartbeatIntervalMs } });
  }

  private identify(ws: WebSocket, d: { token: string; intents: number }): Session | undefined {
    if (d.token !== this.opts.token && d.token !== `Bot ${this.opts.token}`) {
      ws.close(4004, "Authentication failed");
      return undefined;
    }
    this.stats.identifies++;
    this.stats.intents.push(d.intents);
    const session: Session = {
      id: randomUUID().replace(/-/g, ""),
      seq: 0,
      log: [],
      socket: ws,
      intents: d.intents,
      valid: true,
    };
    this.sessions.set(session.id, session);
    if (this.current) this.current.valid = false;
    this.current = session;
    this.dispatchTo(session, "READY", {
      v: 10,
      user: { ...this.opts.botUser, discriminator: "0", global_name: null, avatar: null, bot: true, flags: 0 },
      guilds: this.opts.guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.opts.url(),
      shard: [0, 1],
      application: { id: this.opts.applicationId, flags: 0 },
      user_settings: {},
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
    });
    for (const g of this.opts.guilds)
      this.dispatchTo(session, "GUILD_CREATE", guildPayload(g, this.opts.botUser.id, this.opts.activeThreads?.(g.id)));
    this.emit("identify", session.id);
    return session;
  }

  private resume(ws: WebSocket, d: { token: string; session_id: string; seq: number }): Session | undefined {
    const session = this.sessions.get(d.session_id);
    if (!session?.valid || d.token.replace(/^Bot /, "") !== this.opts.token) {
      // Not resumable: the client must identify again.
      send(ws, { op: OP.InvalidSession, d: false });
      return undefined;
    }
    this.stats.resumes++;
    if (session.socket && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    for (const e of session.log) if (e.s > d.seq) send(ws, { op: OP.Dispatch, s: e.s, t: e.t, d: e.d });
    this.dispatchTo(session, "RESUMED", {});
    this.emit("resume", session.id);
    return session;
  }

  private dispatchTo(session: Session, t: string, d: unknown): number {
    const s = ++session.seq;
    session.log.push({ s, t, d });
    // Keep the replay log bounded; a real gateway also forgets old events.
    if (session.log.length > 5_000) session.log.splice(0, session.log.length - 5_000);
    if (session.socket) send(session.socket, { op: OP.Dispatch, s, t, d });
    return s;
  }

  /** Sends a dispatch on the current session; buffered for RESUME when the client is disconnected. */
  dispatch(t: string, d: unknown): void {
    if (!this.current) throw new Error(`fake gateway: no session to dispatch ${t} to (the client never identified)`);
    this.dispatchTo(this.current, t, d);
  }

  /** True once a client has identified: dispatches then have a session to go to (or be replayed on). */
  identified(): boolean {
    return Boolean(this.current?.valid);
  }

  /** True when a client is connected on a live session. */
  connected(): boolean {
    return Boolean(this.current?.socket && this.current.valid);
  }

  /** Closes every socket abruptly (no close frame), as a network drop would. */
  drop(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  /** Asks the client to reconnect (op 7); it should come back with RESUME. */
  requestReconnect(): void {
    for (const ws of this.wss.clients) send(ws, { op: OP.Reconnect, d: null });
  }

  /** op 9; with resumable false the session is forgotten and the client must IDENTIFY again. */
  invalidateSession(resumable: boolean): void {
    if (!resumable && this.current) this.current.valid = false;
    for (const ws of this.wss.clients) send(ws, { op: OP.InvalidSession, d: resumable });
  }

  /** While refusing, upgrade requests get HTTP 503 (the gateway is "down"). */
  refuseConnections(refuse: boolean): void {
    this.refusing = refuse;
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}

function send(ws: WebSocket, payload: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
}

export function guildPayload(g: GatewayGuild, botUserId: string, threads: unknown[] = []): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    owner_id: botUserId,
    unavailable: false,
    large: false,
    member_count: 1,
    joined_at: new Date(0).toISOString(),
    features: [],
    roles: [
      {
        id: g.id,
        name: "@everyone",
        permissions: "0",
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
      ...(g.roles ?? []).map((r, i) => ({
        ...r,
        permissions: "0",
        position: i + 1,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      })),
    ],
    channels: g.channels.map((c, i) => ({
      id: c.id,
      name: c.name,
      type: 0,
      guild_id: g.id,
      position: i,
      permission_overwrites: [],
      topic: null,
      nsfw: false,
    })),
    threads,
    members: [],
    emojis: [],
    stickers: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
