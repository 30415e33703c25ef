// A fake of Slack's Socket Mode WebSocket endpoint on a real socket: the SocketModeClient Bolt
// uses connects to it exactly as to wss://wss-primary.slack.com/link/ (a single-use ticket URL
// from apps.connections.open), gets `hello`, receives envelopes and acks them by envelope_id.
// The fake records every ack and every connection so tests assert on what the app really sent,
// and can ask the client to reconnect (`disconnect`, reason refresh_requested) as Slack does
// every few hours.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

export type EnvelopeType = "slash_commands" | "events_api" | "interactive";

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface RecordedAck {
  envelope_id: string;
  /** The response payload (the slash command's reply, say); {} for a bare ack. */
  payload?: Record<string, unknown>;
  /** performance.now() when the ack arrived. */
  at: number;
  /** Which connection (1-based, in connection order) carried it. */
  connection: number;
}

export interface FakeSlackSocketModeOptions {
  appId?: string;
  /** How long sendAndAwaitAck waits before failing (Slack retries after 3 s; tests want a clear error). */
  ackTimeoutMs?: number;
}

interface Connection {
  socket: WebSocket;
  number: number;
  ticket: string;
}

export class FakeSlackSocketMode {
  readonly appId: string;
  readonly acks: RecordedAck[] = [];
  /** Every envelope sent, with when (performance.now()). */
  readonly sent: Array<Envelope & { at: number }> = [];
  /** Text frames the client sent that were not acks (unparsable, or without envelope_id). */
  readonly unexpected: string[] = [];
  /** Tickets issued by apps.connections.open; each admits one connection. */
  readonly issuedTickets: string[] = [];
  /** How each connection ended: the close code the client sent (1000 for a normal close), 1006 if it just dropped. */
  readonly closes: Array<{ connection: number; code: number }> = [];
  /** Upgrade requests refused (unknown or reused ticket). */
  readonly refused: string[] = [];
  private readonly server: WebSocketServer;
  private readonly openTickets = new Set<string>();
  private readonly connections: Connection[] = [];
  private readonly ackWaiters = new Map<string, (ack: RecordedAck) => void>();
  private readonly ackTimeoutMs: number;
  private port = 0;

  private constructor(opts: FakeSlackSocketModeOptions) {
    this.appId = opts.appId ?? "A0TEST";
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 5_000;
    this.server = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      // A URL is good for one connection, as Slack's tickets are: a reconnect must call
      // apps.connections.open again.
      verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
        const url = new URL(info.req.url ?? "/", "ws://fake");
        const ticket = url.searchParams.get("ticket") ?? "";
        if (url.pathname !== "/link/" || !this.openTickets.delete(ticket)) {
          this.refused.push(info.req.url ?? "");
          return done(false, 401, "invalid ticket");
        }
        (info.req as IncomingMessage & { ticket?: string }).ticket = ticket;
        done(true);
      },
    });
    this.server.on("connection", (socket, req) => this.onConnection(socket, req));
  }

  static async start(opts: FakeSlackSocketModeOptions = {}): Promise<FakeSlackSocketMode> {
    const fake = new FakeSlackSocketMode(opts);
    await new Promise<void>((resolve, reject) => {
      fake.server.once("listening", resolve);
      fake.server.once("error", reject);
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** A fresh single-use WebSocket URL, as apps.connections.open returns (wire it to FakeSlackApi.socketModeUrl). */
  issueUrl(): string {
    const ticket = randomUUID();
    this.openTickets.add(ticket);
    this.issuedTickets.push(ticket);
    return `ws://127.0.0.1:${this.port}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** How many connections were ever accepted (1 after start, 2 after one reconnect...). */
  connectionCount(): number {
    return this.connections.length;
  }

  /** Connections currently open. */
  openConnections(): number {
    return this.connections.filter((c) => c.socket.readyState === WebSocket.OPEN).length;
  }

  private onConnection(socket: WebSocket, req: IncomingMessage): void {
    const connection: Connection = {
      socket,
      number: this.connections.length + 1,
      ticket: (req as IncomingMessage & { ticket?: string }).ticket ?? "",
    };
    this.connections.push(connection);
    socket.on("message", (data, isBinary) => this.onMessage(connection, data.toString(), isBinary));
    socket.on("close", (code) => this.closes.push({ connection: connection.number, code }));
    // ws answers the client's pings with pongs by itself, as Slack's server does.
    socket.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.openConnections(),
        debug_info: {
          host: `applink-fake-${randomBytes(3).toString("hex")}`,
          build_number: 1,
          approximate_connection_time: 18_060,
        },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  private onMessage(connection: Connection, text: string, isBinary: boolean): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      this.unexpected.push(text);
      return;
    }
    if (isBinary || typeof message.envelope_id !== "string") {
      this.unexpected.push(text);
      return;
    }
    const ack: RecordedAck = {
      envelope_id: message.envelope_id,
      ...(message.payload && typeof message.payload === "object"
        ? { payload: message.payload as Record<string, unknown> }
        : {}),
      at: performance.now(),
      connection: connection.number,
    };
    this.acks.push(ack);
    this.ackWaiters.get(ack.envelope_id)?.(ack);
  }

  private current(): Connection {
    const open = this.connections.filter((c) => c.socket.readyState === WebSocket.OPEN);
    const last = open.at(-1);
    if (!last) throw new Error("FakeSlackSocketMode: no open Socket Mode connection to send on");
    return last;
  }

  /** Sends an envelope on the newest open connection; returns it (its envelope_id names the ack). */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    opts: { acceptsResponsePayload?: boolean; retryAttempt?: number } = {},
  ): Envelope {
    const envelope: Envelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: opts.acceptsResponsePayload ?? type !== "events_api",
      ...(type === "events_api" ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: "" } : {}),
    };
    this.current().socket.send(JSON.stringify(envelope));
    this.sent.push({ ...envelope, at: performance.now() });
    return envelope;
  }

  /** Sends an envelope and resolves with its ack and how long it took, or fails after ackTimeoutMs. */
  async sendAndAwaitAck(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    opts: { acceptsResponsePayload?: boolean } = {},
  ): Promise<{ envelope: Envelope; ack: RecordedAck; ms: number }> {
    let envelope: Envelope | undefined;
    let timer: NodeJS.Timeout | undefined;
    const started = performance.now();
    const ack = await new Promise<RecordedAck>((resolve, reject) => {
      envelope = this.send(type, payload, opts);
      const id = envelope.envelope_id;
      const already = this.acks.find((a) => a.envelope_id === id);
      if (already) return resolve(already);
      this.ackWaiters.set(id, resolve);
      timer = setTimeout(
        () =>
          reject(new Error(`FakeSlackSocketMode: no ack for ${type} envelope ${id} within ${this.ackTimeoutMs} ms`)),
        this.ackTimeoutMs,
      );
    }).finally(() => {
      clearTimeout(timer);
      if (envelope) this.ackWaiters.delete(envelope.envelope_id);
    });
    return { envelope: envelope!, ack, ms: ack.at - started };
  }

  /**
   * Asks every open connection to reconnect, as Slack does before recycling a server
   * (`{"type":"disconnect","reason":"refresh_requested"}`); the client closes and reconnects.
   */
  requestRefresh(reason: "refresh_requested" | "warning" | "link_disabled" = "refresh_requested"): void {
    for (const c of this.connections) {
      if (c.socket.readyState !== WebSocket.OPEN) continue;
      c.socket.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-fake" } }));
    }
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
