// Slack over Socket Mode end to end, every hop over a real socket: createSlackApp with an xapp-
// token calls apps.connections.open on the fake Web API, connects its WebSocket to the fake Socket
// Mode endpoint, acks a slash command envelope with the router's reply, and the real check worker
// (real Redis, the sandbox API server) posts the thread through the WebClient to the fake Web API.
// Slack's refresh (`disconnect`) must not lose the app, and no token may reach the logs.
import { Writable } from "node:stream";
import type { Worker } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import type { ReactionEvent } from "../../src/chat/reactions.ts";
import { helm01PendingRelease } from "../../src/checks/catalog/helm-01-pending-release.ts";
import { prb01LivenessBeforeStart } from "../../src/checks/catalog/prb-01-liveness-before-start.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { workerConnection } from "../../src/queue/redisConnection.ts";
import { freePort } from "../../src/redis/embeddedRedis.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { type FakeMessage, FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { FakeSlackSocketMode } from "../fakes/fakeSlackSocketMode.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";
import { type SlackHarness, startSlackHarness, uniquePrefix } from "./harness.ts";

const CONTEXT = "sandbox-socket";
const USER = "U0ALICE";
const APP_TOKEN = "xapp-1-A0TEST-1234567890-0a1b2c3d4e5f6a7b8c9d";
const BOT_TOKEN = "xoxb-1234-5678-socketmodebottoken";

/** Check ids named in thread replies ("• *HELM-01* `Secret ...`"). */
function reportedCheckIds(replies: FakeMessage[]): string[] {
  return [...new Set(replies.flatMap((r) => [...r.text.matchAll(/• \*([A-Z]+-\d{2})\*/g)].map((m) => m[1])))].sort();
}

/** A slash command as Slack's Socket Mode delivers it (the payload is the HTTP form's fields). */
function slashCommand(text: string, channel: string): Record<string, unknown> {
  return {
    token: "verification-token-unused-in-socket-mode",
    team_id: "T0TEST",
    team_domain: "upshift-test",
    channel_id: channel,
    channel_name: "upgrades",
    user_id: USER,
    user_name: "alice",
    command: "/upgrade-check",
    text,
    api_app_id: "A0TEST",
    is_enterprise_install: "false",
    response_url: "https://hooks.slack.com/commands/T0TEST/1/unused",
    // Unique per invocation, as Slack's are: the same trigger_id is a replay of one request.
    trigger_id: `${Date.now()}.${Math.random().toString(16).slice(2)}`,
  };
}

function reactionAdded(channel: string, ts: string): Record<string, unknown> {
  return {
    token: "verification-token-unused-in-socket-mode",
    team_id: "T0TEST",
    api_app_id: "A0TEST",
    event: {
      type: "reaction_added",
      user: "U0BOB",
      reaction: "white_check_mark",
      item: { type: "message", channel, ts },
      item_user: "UBOT0001",
      event_ts: "1700000100.000100",
    },
    type: "event_callback",
    event_id: "Ev0REACTION1",
    event_time: 1_700_000_100,
    authorizations: [{ team_id: "T0TEST", user_id: "UBOT0001", is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

describe("Slack over Socket Mode", () => {
  let api: FakeSlackApi;
  let socket: FakeSlackSocketMode;
  let sandbox: SandboxServer;
  let h: SlackHarness;
  let worker: Worker;
  let workerRedis: ReturnType<typeof workerConnection>;
  let unusedPort: number;
  const reactions: ReactionEvent[] = [];
  const logged: string[] = [];

  beforeAll(async () => {
    api = await FakeSlackApi.start({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    socket = await FakeSlackSocketMode.start();
    api.socketModeUrl = () => socket.issueUrl();
    sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
    const clusters = ClusterDirectory.fromString(sandbox.kubeconfig(CONTEXT));
    // Debug level: the Socket Mode client and the WebClient log the most there, so a token that
    // slips into any of their messages shows up in this buffer.
    const logger = pino(
      { level: "debug" },
      new Writable({
        write(chunk, _enc, done) {
          logged.push(chunk.toString());
          done();
        },
      }),
    );
    const prefix = uniquePrefix("socket");
    unusedPort = await freePort();
    h = await startSlackHarness({
      fake: api,
      redisUrl: inject("redisUrl"),
      contexts: clusters,
      prefix,
      app: {
        appToken: APP_TOKEN,
        signingSecret: undefined,
        // Ignored in Socket Mode: nothing listens on it.
        port: unusedPort,
        logger,
        onReaction: async (event) => {
          reactions.push(event);
        },
      },
    });
    workerRedis = workerConnection(inject("redisUrl"));
    worker = startCheckWorker(
      {
        clusters,
        checks: [helm01PendingRelease, prb01LivenessBeforeStart],
        posters: new PosterRegistry([new SlackPoster({ botToken: api.botToken, slackApiUrl: api.apiUrl, logger })]),
        file: fileConfigSchema.parse({}),
        logger,
      },
      { connection: workerRedis, prefix, concurrency: 2 },
    );
  });

  afterAll(async () => {
    await h?.close();
    await worker?.close();
    workerRedis?.disconnect();
    await socket?.close();
    await sandbox?.close();
    await api?.close();
  });

  /** Sends /upgrade-check as a slash_commands envelope and checks the ack carries the router's reply. */
  async function upgradeCheck(target: string, channel: string): Promise<FakeMessage> {
    const { ack, ms } = await socket.sendAndAwaitAck("slash_commands", slashCommand(`${CONTEXT} ${target}`, channel));
    // Slack's hard limit: an envelope not acked within 3 s is retried and the user sees a failure.
    expect(ms).toBeLessThan(3_000);
    expect(ack.payload).toEqual({
      response_type: "ephemeral",
      text: `Queued upgrade check of ${CONTEXT} → ${target}. Results will appear in a thread in this channel.`,
    });

    const root = await waitFor(() => api.roots(channel)[0], 15_000, `root message in ${channel}`);
    expect(root.history[0]).toBe(`*Upgrade check:* ${CONTEXT} → ${target}, requested by <@${USER}>: checking…`);
    await waitFor(() => root.history.length > 1, 15_000, "the root edited once the version is known");
    expect(root.history[1]).toBe(`*Upgrade check:* ${CONTEXT} v1.31.4 → ${target}, requested by <@${USER}>: running`);
    await waitFor(() => root.text.includes("blocked"), 15_000, `verdict on the root message in ${channel}`);
    expect(root.text).toBe(
      `*Upgrade check:* ${CONTEXT} v1.31.4 → ${target}, requested by <@${USER}>: *blocked* (1 blocker, 1 high)`,
    );
    const replies = api.replies(channel, root.ts);
    expect(reportedCheckIds(replies)).toEqual(["HELM-01", "PRB-01"]);
    const thread = replies.map((r) => r.text).join("\n");
    expect(thread).toContain("cattle-fleet-system/fleet");
    expect(thread).toContain("botkube/botkube-7d9f");
    // The decoys (an old pending revision under a deployed one, a probe guarded by a startup probe).
    expect(thread).not.toContain("rancher");
    expect(thread).not.toContain("patient-app");
    return root;
  }

  it("connects with the app token, acks commands and events, survives a refresh, and logs no token", async () => {
    // start() resolved only after `hello`: exactly one connection, opened with the app-level token.
    const opens = api.callsOf("apps.connections.open");
    expect(opens).toHaveLength(1);
    expect(opens[0].token).toBe(APP_TOKEN);
    expect(socket.connectionCount()).toBe(1);
    // Everything else (auth.test, posts) went with the bot token: the app token is for the socket only.
    expect(api.calls.filter((c) => c.method !== "apps.connections.open").every((c) => c.token === BOT_TOKEN)).toBe(
      true,
    );

    // Connected, so ready; and Socket Mode listens on no port (probes, /metrics and /admin/queues
    // are the ops server's: test/http/opsRoutes.test.ts and test/cli/processes.test.ts).
    expect(h.slack.ready()).toBe(true);
    await expect(
      fetch(`http://127.0.0.1:${unusedPort}/healthz`, { signal: AbortSignal.timeout(2_000) }),
    ).rejects.toThrow();

    const root = await upgradeCheck("1.32", "C0SOCKET1");

    // A reaction on the root reaches onReaction, and the envelope is acked without a payload to show.
    const { ack: reactionAck } = await socket.sendAndAwaitAck("events_api", reactionAdded("C0SOCKET1", root.ts));
    expect(reactionAck.payload ?? {}).toEqual({});
    await waitFor(() => reactions.length > 0, 5_000, "onReaction called");
    expect(reactions).toEqual([
      {
        platform: "slack",
        added: true,
        userId: "U0BOB",
        emoji: "white_check_mark",
        channel: "C0SOCKET1",
        messageId: root.ts,
      },
    ]);

    // Slack recycles its servers: the client must drop the link, fetch a new URL (the old ticket is
    // single-use) and reconnect, after which commands work as before.
    socket.requestRefresh();
    await waitFor(() => socket.connectionCount() === 2 && socket.openConnections() === 1, 12_000, "reconnection");
    await waitFor(() => h.slack.ready(), 5_000, "ready again after the new hello");
    expect(api.callsOf("apps.connections.open")).toHaveLength(2);
    expect(api.callsOf("apps.connections.open").every((c) => c.token === APP_TOKEN)).toBe(true);
    expect(socket.refused).toEqual([]);

    await upgradeCheck("1.33", "C0SOCKET2");
    expect(socket.acks.at(-1)?.connection).toBe(2);
    expect(socket.unexpected).toEqual([]);

    // Every envelope was acked once.
    expect(socket.acks.map((a) => a.envelope_id).sort()).toEqual(socket.sent.map((e) => e.envelope_id).sort());

    const log = logged.join("");
    expect(log).toContain("Slack app started");
    expect(log).toContain('"mode":"socket"');
    expect(log).not.toContain(BOT_TOKEN);
    expect(log).not.toContain(APP_TOKEN);
    // Nor a recognisable part of them (a token cut by a formatter still leaks).
    expect(log).not.toContain("socketmodebottoken");
    expect(log).not.toContain("0a1b2c3d4e5f6a7b8c9d");
  }, 40_000);

  it("stops cleanly: app.stop closes the socket with a close handshake", async () => {
    await h.slack.stop();
    expect(h.slack.ready()).toBe(false);
    await waitFor(() => socket.openConnections() === 0, 5_000, "socket closed after stop");
    expect(socket.connectionCount()).toBe(2);
    expect(socket.refused).toEqual([]);
    // Both links were closed by the client with a normal close frame: the first on Slack's
    // refresh request, the second by stop().
    expect(socket.closes).toEqual([
      { connection: 1, code: 1000 },
      { connection: 2, code: 1000 },
    ]);
  });
});
