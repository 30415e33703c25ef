// /upgrade-check from Slack end to end, every hop over a real socket: a signed slash command to
// the Bolt app, the ack, the job on real Redis, the real check worker reading the sandbox API
// server, and the thread posted through the WebClient to the fake Slack Web API.
import type { Worker } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { helm01PendingRelease } from "../../src/checks/catalog/helm-01-pending-release.ts";
import { prb01LivenessBeforeStart } from "../../src/checks/catalog/prb-01-liveness-before-start.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type RedisConnection, workerConnection } from "../../src/redis/connection.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { type FakeMessage, FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { postSigned, slashCommandBody } from "../fakes/slackSigning.ts";
import { quietLogger, SIGNING_SECRET, type SlackHarness, startSlackHarness, uniquePrefix } from "./harness.ts";
import { PLANTED, plantedObjects } from "./plantedCluster.ts";

const CONTEXT = "sandbox-e2e";
const USER = "U0ALICE";

/** Check ids named in thread replies ("• *HELM-01* `Secret ...`"). */
function reportedCheckIds(replies: FakeMessage[]): string[] {
  return [...new Set(replies.flatMap((r) => [...r.text.matchAll(/• \*([A-Z]+-\d{2})\*/g)].map((m) => m[1])))].sort();
}

describe("/upgrade-check over Slack", () => {
  let fake: FakeSlackApi;
  let sandbox: SandboxServer;
  let clusters: ClusterDirectory;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    fake = await FakeSlackApi.start();
    sandbox = await startSandbox({ objects: plantedObjects(), serverVersion: "v1.31.4" });
    clusters = ClusterDirectory.fromString(sandbox.kubeconfig(CONTEXT));
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  afterAll(async () => {
    await sandbox?.close();
    await fake?.close();
  });

  async function harness(withWorker: boolean, docsUrl?: string): Promise<SlackHarness> {
    const prefix = uniquePrefix("e2e");
    const h = await startSlackHarness({ fake, redisUrl: inject("redisUrl"), contexts: clusters, prefix });
    cleanups.push(() => h.close());
    if (withWorker) {
      const connection: RedisConnection = workerConnection(inject("redisUrl"));
      const logger = quietLogger();
      const worker: Worker = startCheckWorker(
        {
          clusters,
          checks: [helm01PendingRelease, prb01LivenessBeforeStart],
          posters: new PosterRegistry([new SlackPoster({ botToken: fake.botToken, slackApiUrl: fake.apiUrl, logger })]),
          file: fileConfigSchema.parse({}),
          logger,
          docsUrl,
        },
        { connection, prefix, concurrency: 2 },
      );
      cleanups.push(async () => {
        await worker.close();
        connection.disconnect();
      });
    }
    return h;
  }

  const command = (text: string, channel: string) =>
    slashCommandBody({
      command: "/upgrade-check",
      text,
      channel_id: channel,
      user_id: USER,
      user_name: "alice",
      response_url: fake.responseUrl(),
    });

  it("acks within Slack's 3 s, posts the root, threads the planted findings only, and ends with the verdict", async () => {
    const channel = "C0UPGRADES";
    const h = await harness(true);

    const ack = await postSigned(h.eventsUrl, command(`${CONTEXT} 1.32`, channel), { signingSecret: SIGNING_SECRET });
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(3_000);
    expect(ack.json?.response_type).toBe("ephemeral");
    expect(ack.json?.text).toBe(
      `Queued upgrade check of ${CONTEXT} → 1.32. Results will appear in a thread in this channel.`,
    );

    const root = await waitFor(() => fake.roots(channel)[0], 15_000, "root message");
    expect(root.history[0]).toBe(`*Upgrade check:* ${CONTEXT} → 1.32, requested by <@${USER}>: checking…`);
    await waitFor(() => root.history.length > 1, 15_000, "the root edited once the version is known");
    expect(root.history[1]).toBe(`*Upgrade check:* ${CONTEXT} v1.31.4 → 1.32, requested by <@${USER}>: running`);
    await waitFor(() => root.text.includes("blocked"), 20_000, "verdict on the root message");
    expect(root.text).toBe(
      `*Upgrade check:* ${CONTEXT} v1.31.4 → 1.32, requested by <@${USER}>: *blocked* (1 blocker, 1 high)`,
    );

    const replies = fake.replies(channel, root.ts);
    expect(replies.length).toBeGreaterThanOrEqual(2);
    expect(reportedCheckIds(replies)).toEqual(["HELM-01", "PRB-01"]);
    const thread = replies.map((r) => r.text).join("\n");
    expect(thread).toContain(`Helm release ingress/${PLANTED.helmRelease} is stuck in pending-upgrade at revision 2`);
    expect(thread).toContain(`Pod botkube/${PLANTED.pod}`);
    expect(thread).not.toContain(PLANTED.decoyRelease);
    expect(thread).not.toContain(PLANTED.decoyPod);
    expect(thread).toContain(`helm rollback ${PLANTED.helmRelease} 1 -n ingress`);

    // Nothing went anywhere else: one root, every other post threaded under it, all with the bot token.
    const posts = fake.callsOf("chat.postMessage").filter((c) => c.body.channel === channel);
    expect(posts.filter((c) => !c.body.thread_ts)).toHaveLength(1);
    expect(posts.filter((c) => c.body.thread_ts && c.body.thread_ts !== root.ts)).toEqual([]);
    expect(fake.calls.every((c) => c.method === "upload" || c.token === fake.botToken)).toBe(true);
  });

  it("lays the report out in Block Kit within Slack's limits: verdict header, a section per finding with its docs link, context", async () => {
    const channel = "C0BLOCKS";
    const h = await harness(true, "https://upshift.example/docs/checks.md");
    await postSigned(h.eventsUrl, command(`${CONTEXT} 1.32`, channel), { signingSecret: SIGNING_SECRET });
    const root = await waitFor(() => fake.roots(channel)[0], 15_000, "root message");
    await waitFor(() => root.text.includes("blocked"), 20_000, "verdict on the root message");
    await waitFor(() => fake.replies(channel, root.ts).some((r) => r.text.startsWith("Checked ")), 10_000, "summary");

    // Every message and edit that carried blocks was accepted: none over a limit.
    expect(fake.refusedBlocks).toEqual([]);
    type Block = { type: string; text?: { type: string; text: string }; elements?: Array<{ text: string }> };
    const blocks = (m: FakeMessage) => (m.blocks ?? []) as Block[];
    expect(blocks(root)[0]).toEqual({
      type: "header",
      text: {
        type: "plain_text",
        text: `⛔ Upgrade check · ${CONTEXT} · v1.31.4 → 1.32: blocked (1 blocker, 1 high)`,
        emoji: true,
      },
    });
    // The running state had its own header; the plain-text fallback stays the notification text.
    expect((root.blocksHistory[0] as Block[])[0].text?.text).toBe(`⏳ Upgrade check · ${CONTEXT} → 1.32: checking…`);
    expect(root.text).toContain("requested by <@U0ALICE>");

    const replies = fake.replies(channel, root.ts);
    const blockers = replies.find((r) => r.text.includes("Blockers"))!;
    expect(blocks(blockers)[0]).toMatchObject({ type: "header", text: { text: "🛑 Blockers (1)" } });
    const finding = blocks(blockers).find((b) => b.type === "section" && b.text?.text.includes("HELM-01"))!;
    expect(finding.text?.text).toContain(`Helm release ingress/${PLANTED.helmRelease} is stuck in pending-upgrade`);
    expect(finding.text?.text).toContain("<https://upshift.example/docs/checks.md#helm-01|HELM-01 docs>");
    const context = blocks(blockers).find((b) => b.type === "context")!;
    expect(context.elements?.map((e) => e.text)).toEqual([`cluster \`${CONTEXT}\``, "v1.31.4 → 1.32"]);
    const summary = replies.find((r) => r.text.startsWith("Checked "))!;
    expect(
      blocks(summary)
        .at(-1)
        ?.elements?.map((e) => e.text),
    ).toEqual([`cluster \`${CONTEXT}\``, "v1.31.4 → 1.32", expect.stringMatching(/^took \d+\.\d s$/)]);
    for (const m of [root, ...replies]) expect(blocks(m).length).toBeLessThanOrEqual(50);
  });

  it("answers a second identical request while the first is queued with Already running, and queues once", async () => {
    const channel = "C0DEDUP";
    // No worker: the first job stays queued, so the second request deterministically meets it.
    const h = await harness(false);
    const first = await postSigned(h.eventsUrl, command(`${CONTEXT} 1.32`, channel), { signingSecret: SIGNING_SECRET });
    expect(first.json?.text).toMatch(/^Queued upgrade check/);
    const second = await postSigned(h.eventsUrl, command(`1.32 ${CONTEXT}`, channel), {
      signingSecret: SIGNING_SECRET,
    });
    expect(second.status).toBe(200);
    expect(second.ms).toBeLessThan(3_000);
    expect(second.json).toEqual({
      response_type: "ephemeral",
      text: `Already running: the check of ${CONTEXT} → 1.32; it will post in <#${channel}>.`,
    });
    expect(await h.jobCount()).toBe(1);
  });

  it("refuses an unknown context with the valid ones listed, and queues nothing", async () => {
    const h = await harness(false);
    const res = await postSigned(h.eventsUrl, command("staging 1.32", "C0REFUSE"), { signingSecret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(res.json?.response_type).toBe("ephemeral");
    expect(res.json?.text).toContain('unknown cluster context "staging"');
    expect(res.json?.text).toContain(`Valid contexts: \`${CONTEXT}\`.`);
    expect(await h.jobCount()).toBe(0);
  });

  it("refuses an unparsable target with what was expected, and queues nothing", async () => {
    const h = await harness(false);
    const res = await postSigned(h.eventsUrl, command(`${CONTEXT} 1.x`, "C0REFUSE"), { signingSecret: SIGNING_SECRET });
    expect(res.json?.response_type).toBe("ephemeral");
    expect(res.json?.text).toContain('target version "1.x": expected MAJOR.MINOR or MAJOR.MINOR.PATCH such as 1.32');
    expect(await h.jobCount()).toBe(0);
  });

  it.each([
    // Issue 11: markup after the version was accepted and posted a live @here and a disguised link.
    ["1.32-<!here><https://evil.example|Approve_here>", "with nothing after it"],
    ["1.99", "1.99 is not a Kubernetes release: Upshift knows releases up to 1.38"],
    ["2.0", "Kubernetes has no major version 2"],
  ])("refuses the target %j before anything is queued, without echoing markup", async (target, message) => {
    const h = await harness(false);
    const res = await postSigned(h.eventsUrl, command(`${CONTEXT} ${target}`, "C0REFUSE"), {
      signingSecret: SIGNING_SECRET,
    });
    expect(res.json?.response_type).toBe("ephemeral");
    expect(res.json?.text).toContain(message);
    expect(res.json?.text).not.toContain("<!here>");
    expect(res.json?.text).not.toContain("evil.example");
    expect(await h.jobCount()).toBe(0);
  });

  it("still delivers the thread when Slack answers chat.postMessage with 429 and Retry-After", async () => {
    const channel = "C0RATELIMIT";
    const h = await harness(true);
    fake.failNext("chat.postMessage", 1, { status: 429, retryAfterSeconds: 1 });
    const ack = await postSigned(h.eventsUrl, command(`${CONTEXT} 1.33`, channel), { signingSecret: SIGNING_SECRET });
    expect(ack.json?.text).toMatch(/^Queued upgrade check of sandbox-e2e → 1\.33/);

    const root = await waitFor(() => fake.roots(channel)[0], 20_000, "root message after 429s");
    await waitFor(() => root.text.includes("blocked"), 20_000, "verdict after 429s");
    expect(reportedCheckIds(fake.replies(channel, root.ts))).toEqual(["HELM-01", "PRB-01"]);
    // The 429 was retried by the WebClient, not turned into duplicate roots.
    const rootPosts = fake.callsOf("chat.postMessage").filter((c) => c.body.channel === channel && !c.body.thread_ts);
    expect(rootPosts).toHaveLength(2);
    expect(fake.roots(channel)).toHaveLength(1);
  });
});
