// /upgrade-cycle over Slack, every hop over a real socket: a signed slash command to the Bolt
// app, the plan job on real Redis, the plan posted through the WebClient to the fake Slack Web
// API with ✅/❌ seeded, signed reaction events back through Bolt into the approval engine, and
// the run through the fake microk8s CLI, with its thread and backup upload.
import { Redis } from "ioredis";
import { afterEach, expect, inject, it } from "vitest";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { createSlackApp } from "../../adapters/slack/slackApp.ts";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { CommandRouter } from "../../commands/router.ts";
import { upgradeCycleCommand } from "../../commands/upgradeCycle.ts";
import { upgradeCycleStatusCommand } from "../../commands/upgradeCycleStatus.ts";
import { ApprovalEngine } from "../../src/approvals/approvalEngine.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { CycleControl } from "../../src/cycles/cycleControl.ts";
import { Microk8sDriver } from "../../src/cycles/drivers/microk8sDriver.ts";
import { startCycleWorker } from "../../worker/cycleWorker.ts";
import { FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { postSigned, reactionEventBody, slashCommandBody } from "../fakes/slackSigning.ts";
import { APPROVER, FakeMicrok8s, fileConfig, REQUESTER, STRANGER, silent } from "./harness.ts";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

it("plans, takes approval by reaction and runs the cycle, all through Slack", async () => {
  const redisUrl = inject("redisUrl");
  const prefix = `t-slack-cycle-${Date.now()}`;
  const fake = await FakeSlackApi.start();
  cleanups.push(() => fake.close());
  const m = new FakeMicrok8s({
    addons: [
      { name: "ingress", status: "enabled", version: "1.8.0", nextVersion: "1.11.2" },
      { name: "dns", status: "enabled", version: "1.10.1", nextVersion: "1.11.3" },
    ],
  });
  const file = fileConfig();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workerConn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const posters = new PosterRegistry([
    new SlackPoster({ botToken: fake.botToken, slackApiUrl: fake.apiUrl, logger: silent }),
  ]);
  const control = new CycleControl(redis, prefix, { platforms: platformTraits });
  const approvals = new ApprovalEngine({
    redis,
    prefix,
    posters,
    file,
    onApproved: (run) => control.enqueueRun(run),
    logger: silent,
  });
  const worker = startCycleWorker(
    {
      redis,
      prefix,
      posters,
      file,
      approvals,
      drivers: () => ({ microk8s: new Microk8sDriver({ env: m.env, timeoutMs: 20_000 }) }),
      logger: silent,
    },
    { connection: workerConn, prefix, concurrency: 1 },
  );
  const deps = { clusters: { names: () => ["edge"], defaultName: () => "edge" }, cycles: control };
  const slack = createSlackApp({
    botToken: fake.botToken,
    signingSecret: SECRET,
    slackApiUrl: fake.apiUrl,
    port: 0,
    router: new CommandRouter([upgradeCycleCommand(deps), upgradeCycleStatusCommand(deps)]),
    logger: silent,
    onReaction: async (e) => {
      await approvals.onReaction(e);
    },
  });
  await slack.start();
  cleanups.push(async () => {
    await slack.stop();
    await worker.close();
    await control.close();
    workerConn.disconnect();
    redis.disconnect();
  });
  const events = `http://127.0.0.1:${slack.port()}/slack/events`;
  const channel = "C0CYCLES";

  const ack = await postSigned(
    events,
    slashCommandBody({
      command: "/upgrade-cycle",
      text: "edge",
      channel_id: channel,
      user_id: REQUESTER,
      user_name: "rita",
      response_url: fake.responseUrl(),
    }),
    { signingSecret: SECRET },
  );
  expect(ack.json?.text).toBe(
    "Planning an add-on cycle of all enabled add-ons on edge. The plan will appear in a thread in this channel and needs approval by reaction.",
  );

  const root = await waitFor(() => fake.roots(channel)[0], 15_000, "the root message");
  const ask = await waitFor(
    () => fake.replies(channel, root.ts).find((r) => r.text.includes("React")),
    15_000,
    "the approval request",
  );
  expect(ask.text).toMatch(/1\. \*dns\*[\s\S]*2\. \*ingress\*/);
  await waitFor(() => fake.reactions.filter((r) => r.timestamp === ask.ts).length === 2, 5_000, "the seeded reactions");
  expect(fake.reactions.filter((r) => r.timestamp === ask.ts).map((r) => r.name)).toEqual(["white_check_mark", "x"]);

  const react = (user: string) =>
    postSigned(
      events,
      reactionEventBody({ type: "reaction_added", user, reaction: "white_check_mark", channel, ts: ask.ts }),
      {
        signingSecret: SECRET,
        contentType: "application/json",
      },
    );
  expect((await react(STRANGER)).status).toBe(200);
  await waitFor(
    () => fake.replies(channel, root.ts).some((r) => r.text.includes(`<@${STRANGER}> is not an approver for edge`)),
    5_000,
    "the refusal",
  );
  expect(m.mutations()).toEqual([]);

  await react(APPROVER);
  await waitFor(
    () => fake.replies(channel, root.ts).some((r) => r.text.startsWith("🏁")),
    20_000,
    "the end of the cycle",
  );
  expect(m.mutations()).toEqual([
    "disable dns",
    "addons repo update core",
    "enable dns",
    "disable ingress",
    "addons repo update core",
    "enable ingress",
  ]);
  const thread = fake.replies(channel, root.ts).map((r) => r.text);
  expect(thread.filter((t) => t.startsWith("✅ Step"))).toHaveLength(2);
  expect(thread.filter((t) => t.includes("is not an approver"))).toHaveLength(1);
  // Each step's backup went up as a file in the thread.
  expect(fake.messages.flatMap((msg) => msg.files.map((f) => f.name))).toEqual(
    expect.arrayContaining(["backup-edge-dns.json", "backup-edge-ingress.json"]),
  );
});
