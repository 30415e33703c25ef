// The Slack front door: Bolt receives slash commands and reaction events (HTTP with signature
// verification, or Socket Mode), hands commands to the shared CommandRouter and acks with its
// reply. Slack drops a command that is not acked within 3 s, so the router gets 2.5 s; past that
// (Redis down, say) the user hears that nothing was queued instead of Slack's "operation_timeout".
// It serves no ops routes: /healthz, /readyz, /metrics and /admin/queues are the ops server's
// (src/http/opsServer.ts) in every mode, and readiness is asked through ready() (ChatAdapter).
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, type RespondFn, type SlashCommand, SocketModeReceiver } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { type CommandRouter, QUEUE_UNAVAILABLE_TEXT } from "../../commands/router.ts";
import type { CommandInvocation, CommandReply } from "../../commands/types.ts";
import type { ChatAdapter } from "../../src/chat/adapter.ts";
import type { ButtonAnswer, ButtonClick } from "../../src/chat/buttons.ts";
import type { ReactionEvent } from "../../src/chat/reactions.ts";
import type { Logger } from "../../src/log.ts";
import { ACTION_IDS } from "./blockKit.ts";
import { boltLogger } from "./boltLogger.ts";
import { toMrkdwn } from "./mrkdwn.ts";
import { slackClientOptions } from "./slackPoster.ts";

export const SLACK_EVENTS_PATH = "/slack/events";

/** Slack's limit is 3 s from its side; 2.5 s leaves room for the network and Bolt. */
export const DEFAULT_ACK_DEADLINE_MS = 2_500;

/** auth.test at start: one bounded call (and one retry), not the posting policy's two minutes. */
const AUTH_TEST_TIMEOUT_MS = 10_000;

export const FOREIGN_WORKSPACE_TEXT =
  "Refused: this Upshift serves another Slack workspace, so requests from this one are not accepted. Nothing was queued.";

/** Who the bot token belongs to, from auth.test at start. */
export interface SlackIdentity {
  teamId?: string;
  enterpriseId?: string;
  /** An org-wide install on Enterprise Grid answers for every workspace of the enterprise. */
  isEnterpriseInstall: boolean;
  botUserId?: string;
  botId?: string;
}

/**
 * The workspace a request comes from: team_id and enterprise_id at the top of a slash command's
 * body and of an Events API envelope (https://docs.slack.dev/interactivity/implementing-slash-commands,
 * https://docs.slack.dev/apis/events-api/#callback-field).
 */
export function requestWorkspace(body: unknown): { teamId?: string; enterpriseId?: string } {
  const b = (body ?? {}) as {
    team_id?: unknown;
    enterprise_id?: unknown;
    team?: { id?: unknown; enterprise_id?: unknown } | null;
    enterprise?: { id?: unknown } | null;
    user?: { team_id?: unknown } | null;
  };
  const text = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  // Interactive payloads (block_actions: the approval buttons) name the workspace as team.id and
  // the enterprise as enterprise.id or team.enterprise_id, where Bolt itself reads them
  // (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload).
  const teamId = text(b.team_id) ?? text(b.team?.id) ?? text(b.user?.team_id);
  const enterpriseId = text(b.enterprise_id) ?? text(b.enterprise?.id) ?? text(b.team?.enterprise_id);
  return { ...(teamId ? { teamId } : {}), ...(enterpriseId ? { enterpriseId } : {}) };
}

/** Same workspace as the token's (same enterprise, for an org-wide install); a request naming none is foreign. */
export function fromOwnWorkspace(identity: SlackIdentity, from: { teamId?: string; enterpriseId?: string }): boolean {
  if (identity.isEnterpriseInstall)
    return identity.enterpriseId !== undefined && from.enterpriseId === identity.enterpriseId;
  if (identity.teamId === undefined || from.teamId !== identity.teamId) return false;
  return !(identity.enterpriseId && from.enterpriseId && identity.enterpriseId !== from.enterpriseId);
}

export interface SlackAppOptions {
  botToken: string;
  /** Required over HTTP: every request's signature is verified with it. */
  signingSecret?: string;
  /** xapp- token: Socket Mode instead of HTTP. */
  appToken?: string;
  /** Web API base (tests point it at a fake; auth.test goes there too). */
  slackApiUrl?: string;
  /**
   * Standalone HTTP only (neither appToken nor externalServer): the port Bolt listens on for
   * /slack/events (0, the default, picks a free one; see port()). Socket Mode listens on nothing.
   */
  port?: number;
  router: CommandRouter;
  logger: Logger;
  onReaction?: (event: ReactionEvent) => Promise<void>;
  /** A click on an approval plan's button; the answer is shown to the clicker only. */
  onButton?: (click: ButtonClick) => Promise<ButtonAnswer>;
  /** How long the router may take before the command is acked as "queue unavailable". */
  ackDeadlineMs?: number;
  /**
   * HTTP mode only: do not listen; serve Slack through `requestListener()` from a server of the
   * caller's (Upshift's ops server, which also serves /metrics and /admin/queues on the same port).
   */
  externalServer?: boolean;
}

export interface SlackAppHandle extends ChatAdapter {
  app: App;
  /** Standalone HTTP: the bound port once started (the real one when `port` was 0). */
  port(): number;
  /** With externalServer: Bolt's request handler for /slack/events, signature checks included. */
  requestListener?: (req: IncomingMessage, res: ServerResponse) => void;
}

type Outcome = { kind: "reply"; reply: CommandReply } | { kind: "timeout" };

/** The router's reply, or "timeout" once `ms` pass first; `late` is the reply whenever it comes. */
function withDeadline(work: Promise<CommandReply>, ms: number): { outcome: Promise<Outcome>; late: Promise<Outcome> } {
  const late: Promise<Outcome> = work.then((reply) => ({ kind: "reply", reply }));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timeout" }), ms);
  });
  const outcome = Promise.race([late, deadline]).finally(() => clearTimeout(timer));
  return { outcome, late };
}

/**
 * The request's own id is Slack's trigger_id (unique per invocation, repeated by a replay of the
 * signed body). It may be accepted until ACCEPT_MARGIN_MS before the ack deadline, so an accept
 * that is still under way when the ack goes out is refused by Redis and the ack's "nothing was
 * queued" stays true.
 */
export const ACCEPT_MARGIN_MS = 500;

function invocationOf(command: SlashCommand, acceptBy: number): CommandInvocation {
  return {
    ...(command.trigger_id ? { request: { id: `slack.${command.trigger_id}`, acceptBy } } : {}),
    platform: "slack",
    name: command.command.replace(/^\//, ""),
    text: command.text ?? "",
    requester: { platform: "slack", userId: command.user_id, name: command.user_name },
    channel: command.channel_id,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function createSlackApp(opts: SlackAppOptions): SlackAppHandle {
  const log = opts.logger.child({ component: "slack-app" });
  const socketMode = Boolean(opts.appToken);
  if (!socketMode && !opts.signingSecret) {
    throw new Error(
      "SLACK_SIGNING_SECRET: required for Slack over HTTP (every request's signature is verified); or set SLACK_APP_TOKEN for Socket Mode",
    );
  }
  const deadlineMs = opts.ackDeadlineMs ?? DEFAULT_ACK_DEADLINE_MS;

  // Served by the ops server: Bolt's receiver without a server of its own.
  const receiver =
    !socketMode && opts.externalServer
      ? new HTTPReceiver({
          signingSecret: opts.signingSecret!,
          signatureVerification: true,
          endpoints: SLACK_EVENTS_PATH,
          processBeforeResponse: false,
          logger: boltLogger(opts.logger, "slack-receiver"),
        })
      : undefined;
  // Socket Mode: the receiver is made here rather than by Bolt so its client's connection state
  // can be followed. No customRoutes and no OAuth installer, so it starts no HTTP server at all.
  const socketReceiver = socketMode
    ? new SocketModeReceiver({
        appToken: opts.appToken!,
        logger: boltLogger(opts.logger, "slack-bolt"),
        // apps.connections.open goes where the Web API goes (SLACK_API_URL), with the same bounds.
        installerOptions: { clientOptions: slackClientOptions({ slackApiUrl: opts.slackApiUrl }) },
      })
    : undefined;
  // True between a `hello` and the next disconnect: Slack recycles sockets every few hours, and
  // while the client reconnects no event can arrive.
  let socketConnected = false;
  if (socketReceiver) {
    socketReceiver.client.on("connected", () => (socketConnected = true));
    // "close" too: after Slack asks for a new socket the client waits (its ping timeout, 5 s by
    // default) before it says "reconnecting", and no event can arrive in between either.
    for (const state of ["close", "reconnecting", "disconnecting", "disconnected"])
      socketReceiver.client.on(state, () => (socketConnected = false));
  }
  // Standalone HTTP (tests, benches) leaves the receiver to Bolt, listening on `port`.
  const custom = receiver ?? socketReceiver;
  // Bolt is given an authorize function rather than the token, so it calls no auth.test of its
  // own: start() calls it once, and the identity it returns both authorizes requests and says
  // which workspace may send them.
  let identity: SlackIdentity | undefined;
  const app = new App({
    authorize: async () => {
      if (!identity) throw new Error("the Slack app is not started (auth.test has not answered)");
      return {
        botToken: opts.botToken,
        botId: identity.botId,
        botUserId: identity.botUserId,
        teamId: identity.teamId,
        enterpriseId: identity.enterpriseId,
      };
    },
    ...(custom
      ? { receiver: custom }
      : {
          signingSecret: opts.signingSecret,
          signatureVerification: true,
          endpoints: SLACK_EVENTS_PATH,
          port: opts.port ?? 0,
        }),
    processBeforeResponse: false,
    // Bolt's conversation store (a middleware and a lookup on every request) holds state no
    // listener here reads.
    convoStore: false,
    logger: boltLogger(opts.logger, "slack-bolt"),
    clientOptions: slackClientOptions({ slackApiUrl: opts.slackApiUrl }),
    // auth.test runs in start(), awaited, so a bad token fails startup with a message instead of
    // an unhandled rejection in the constructor.
    deferInitialization: true,
  });

  // Before any listener: a request from another workspace (or enterprise) than the token's is
  // refused, answered only where Slack expects an answer (a slash command's ack).
  app.use(async (args) => {
    const from = requestWorkspace(args.body);
    if (identity && fromOwnWorkspace(identity, from)) {
      await args.next();
      return;
    }
    log.warn({ team: from.teamId, enterprise: from.enterpriseId }, "request from another Slack workspace refused");
    if ("command" in args && typeof args.ack === "function")
      await args.ack({ response_type: "ephemeral", text: FOREIGN_WORKSPACE_TEXT });
    // A button click is acked (Slack waits for it) and counts nothing.
    else if ("action" in args && typeof args.ack === "function") await args.ack();
  });

  app.error(async (err) => {
    log.error({ err }, "Slack request failed");
  });

  const handleCommand = async (
    command: SlashCommand,
    ack: (r: { response_type: "ephemeral"; text: string }) => Promise<void>,
    respond: RespondFn,
  ) => {
    const inv = invocationOf(command, Date.now() + Math.max(0, deadlineMs - ACCEPT_MARGIN_MS));
    const { outcome, late } = withDeadline(opts.router.handle(inv), deadlineMs);
    const result = await outcome;
    // The per-command logger is made after the router answered, and the success line written
    // after the ack: neither is on the path Slack waits for.
    const clog = log.child({ command: inv.name, user: inv.requester.userId, channel: inv.channel });
    let text: string;
    if (result.kind === "reply") {
      text = toMrkdwn(result.reply.text);
    } else {
      // A failed command is the router's to log and answer; a slow one is Slack's deadline, so ours.
      text = QUEUE_UNAVAILABLE_TEXT;
      clog.error({ deadlineMs }, "command not answered in time; acked as queue unavailable");
      void late.then((after) => correctLateReply(after, respond, clog));
    }
    try {
      await ack({ response_type: "ephemeral", text });
    } catch (err) {
      clog.error({ err }, "could not ack the command");
    }
    if (result.kind === "reply") clog.info({ refused: result.reply.refused }, "command answered");
  };

  // One listener for every command: the router knows the names, and answers one configured in
  // the Slack app but not in this router (it lists what it knows) rather than leaving it to
  // Slack's timeout. Bolt runs each request through every listener's matcher, so one listener
  // instead of one per command is less work on the ack path.
  app.command(/^\/.+/, async ({ command, ack, respond }) => handleCommand(command, ack, respond));

  for (const type of ["reaction_added", "reaction_removed"] as const) {
    app.event(type, async ({ event }) => {
      if (event.item.type !== "message" || !opts.onReaction) return;
      const reaction: ReactionEvent = {
        platform: "slack",
        added: type === "reaction_added",
        userId: event.user,
        emoji: event.reaction,
        channel: event.item.channel,
        messageId: event.item.ts,
      };
      try {
        await opts.onReaction(reaction);
      } catch (err) {
        log.error({ err, reaction }, "reaction handler failed");
      }
    });
  }

  // Approve / Cancel under an approval plan (Block Kit interactivity). Bolt verifies the request's
  // signature and timestamp like every other before this runs; the click is acked at once (Slack
  // waits 3 s) and answered to the clicker only, through the payload's response_url.
  for (const [kind, actionId] of Object.entries(ACTION_IDS) as Array<[ButtonClick["decision"], string]>) {
    app.action({ type: "block_actions", action_id: actionId }, async ({ ack, body, action, respond }) => {
      await ack();
      if (!opts.onButton || action.type !== "button") return;
      const channel = body.channel?.id ?? body.container?.channel_id;
      const messageId = body.message?.ts ?? body.container?.message_ts;
      if (!channel || !messageId) return;
      let notice: string;
      try {
        ({ notice } = await opts.onButton({
          platform: "slack",
          userId: body.user.id,
          decision: kind,
          value: action.value ?? "",
          channel,
          messageId,
        }));
      } catch (err) {
        log.error({ err }, "approval button failed");
        notice = `Upshift could not count this click: ${(err as Error).message}. Try again in a moment.`;
      }
      try {
        await respond({ response_type: "ephemeral", replace_original: false, text: toMrkdwn(notice) });
      } catch (err) {
        log.error({ err }, "could not answer the button click");
      }
    });
  }

  let server: Server | undefined;
  let boundPort = opts.port ?? 0;
  let started = false;
  return {
    name: "slack",
    app,
    async start() {
      try {
        const client = new WebClient(opts.botToken, {
          ...slackClientOptions({
            slackApiUrl: opts.slackApiUrl,
            timeoutMs: AUTH_TEST_TIMEOUT_MS,
            retryConfig: { retries: 1, minTimeout: 1_000, maxTimeout: 2_000 },
          }),
          logger: boltLogger(opts.logger, "slack-web-api"),
        });
        const me = await client.auth.test();
        identity = {
          ...(me.team_id ? { teamId: me.team_id } : {}),
          ...(me.enterprise_id ? { enterpriseId: me.enterprise_id } : {}),
          isEnterpriseInstall: me.is_enterprise_install === true,
          ...(me.user_id ? { botUserId: me.user_id } : {}),
          ...(me.bot_id ? { botId: me.bot_id } : {}),
        };
        await app.init();
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        throw new Error(
          `Slack auth.test failed: ${code ?? (err as Error).message} (check SLACK_BOT_TOKEN${opts.slackApiUrl ? " and SLACK_API_URL" : ""})`,
        );
      }
      log.info({ team: identity?.teamId, enterprise: identity?.enterpriseId }, "Slack workspace of the bot token");
      if (receiver) {
        started = true;
        log.info({ mode: "http", path: SLACK_EVENTS_PATH }, "Slack app ready (served by the ops server)");
        return;
      }
      // Socket Mode: resolves once Slack said `hello` on the socket.
      const listening = await app.start(opts.port ?? 0);
      if (!socketMode) {
        server = listening as Server;
        boundPort = (server.address() as AddressInfo).port;
      }
      started = true;
      log.info(
        { mode: socketMode ? "socket" : "http", port: boundPort, path: socketMode ? undefined : SLACK_EVENTS_PATH },
        "Slack app started",
      );
    },
    async stop() {
      // Bolt refuses to stop a receiver twice (or one that never started).
      if (!started) return;
      started = false;
      if (receiver) return;
      // Open keep-alive sockets would hold close() until they time out.
      server?.closeAllConnections();
      await app.stop();
      server = undefined;
    },
    ready: () => started && (!socketReceiver || socketConnected),
    port: () => boundPort,
    requestListener: receiver
      ? (req, res) => {
          try {
            receiver.requestListener(req, res);
          } catch {
            // Bolt throws for paths it does not serve.
            if (!res.headersSent) sendJson(res, 404, { ok: false, error: "not found" });
          }
        }
      : undefined,
  };
}

/** The router answered after the ack said "nothing was queued": tell the user what really happened. */
async function correctLateReply(after: Outcome, respond: RespondFn, log: Logger): Promise<void> {
  if (after.kind !== "reply" || after.reply.refused) return;
  log.warn({ reply: after.reply.text }, "command completed after its ack deadline");
  try {
    await respond({
      response_type: "ephemeral",
      replace_original: false,
      text: toMrkdwn(`Correction: your request went through after all. ${after.reply.text}`),
    });
  } catch (err) {
    log.error({ err }, "could not send the late correction");
  }
}
