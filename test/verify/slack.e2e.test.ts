// /upgrade-verify over Slack end to end: signed slash commands to the real Bolt app and the
// production router (access rules included), jobs on real Redis, the real check worker taking the
// baseline with /upgrade-check and verifying after the cluster behind the context was upgraded,
// every post through the WebClient to the fake Slack Web API.
import { afterEach, describe, expect, it } from "vitest";
import { createSlackApp } from "../../adapters/slack/slackApp.ts";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { createAccessPolicy, createBotRouter } from "../../cli/compose.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { postSigned, slashCommandBody } from "../fakes/slackSigning.ts";
import { BEFORE, CRASH_LOOP_OLD_ADDON } from "../fixtures/verify/clusters.ts";
import { countJobs, quietLogger, SIGNING_SECRET } from "../slack/harness.ts";
import { startVerifyStack, UpgradableCluster } from "./harness.ts";

const CHANNEL = "C0UPGRADES";
const CHECK_ONLY = "C0CHECKONLY";
const USER = "U0ALICE";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup() {
  const fake = await FakeSlackApi.start();
  cleanups.push(() => fake.close());
  const cluster = new UpgradableCluster("prod");
  await cluster.serve(BEFORE);
  cleanups.push(() => cluster.close());
  const file = fileConfigSchema.parse({
    access: {
      rules: [
        { channels: { slack: [CHANNEL] }, clusters: ["prod"] },
        { channels: { slack: [CHECK_ONLY] }, clusters: ["prod"], commands: ["upgrade-check"] },
      ],
    },
  });
  const logger = quietLogger();
  const stack = await startVerifyStack({
    cluster,
    file,
    poster: new SlackPoster({ botToken: fake.botToken, slackApiUrl: fake.apiUrl, logger }),
  });
  cleanups.push(() => stack.close());
  const slack = createSlackApp({
    botToken: fake.botToken,
    signingSecret: SIGNING_SECRET,
    slackApiUrl: fake.apiUrl,
    port: 0,
    router: createBotRouter(cluster, stack.controls, createAccessPolicy({ file })),
    logger,
  });
  await slack.start();
  cleanups.push(() => slack.stop());
  const send = (command: string, text: string, channel = CHANNEL) =>
    postSigned(
      `http://127.0.0.1:${slack.port()}/slack/events`,
      slashCommandBody({
        command,
        text,
        channel_id: channel,
        user_id: USER,
        user_name: "alice",
        response_url: fake.responseUrl(),
      }),
      { signingSecret: SIGNING_SECRET },
    );
  return { fake, cluster, stack, send };
}

describe("/upgrade-verify over Slack", () => {
  it("without a baseline says so and offers a check; after a check and an upgrade, threads the comparison under the verdict", async () => {
    const { fake, cluster, send } = await setup();

    const first = await send("/upgrade-verify", "prod");
    expect(first.ms).toBeLessThan(3_000);
    expect(first.json?.text).toBe(
      "Queued verify of prod against its last baseline. The comparison will appear in a thread in this channel.",
    );
    const none = await waitFor(() => fake.roots(CHANNEL)[0], 15_000, "the verify root");
    await waitFor(() => none.text.includes("no baseline"), 20_000, "the no-baseline headline");
    expect(none.text).toBe(
      `*Upgrade verify:* prod, requested by <@${USER}>: *incomplete*: no baseline to compare with`,
    );
    expect(fake.replies(CHANNEL, none.ts).map((r) => r.text)).toEqual([
      "No baseline of prod to compare with. Every preflight keeps one for 30 days: take one now with `/upgrade-check prod`, then verify after the upgrade.",
    ]);

    expect((await send("/upgrade-check", "prod")).json?.text).toMatch(/^Queued upgrade check of prod/);
    const check = await waitFor(() => fake.roots(CHANNEL)[1], 15_000, "the check root");
    await waitFor(() => /: \*(ready|warnings|blocked)\*/.test(check.text), 20_000, "the check verdict");

    // The upgrade: the same context now answers as 1.33, with a crash loop and an old CoreDNS.
    await cluster.serve(CRASH_LOOP_OLD_ADDON);
    await send("/upgrade-verify", "");
    const root = await waitFor(() => fake.roots(CHANNEL)[2], 15_000, "the second verify root");
    await waitFor(() => root.text.includes("degraded"), 20_000, "the verify verdict");
    expect(root.history[0]).toBe(`*Upgrade verify:* prod, requested by <@${USER}>: verifying…`);
    expect(root.text).toMatch(
      new RegExp(
        `^\\*Upgrade verify:\\* prod v1\\.32\\.4 → v1\\.33\\.1, requested by <@${USER}>: \\*degraded\\* \\(\\d+ worse, 2 left to do`,
      ),
    );
    const thread = fake.replies(CHANNEL, root.ts).map((r) => r.text);
    expect(thread[0]).toMatch(
      /^Compared with the baseline of \d{4}-\d\d-\d\d \d\d:\d\d UTC \((less than a minute|\d+ minutes?) earlier\), taken at v1\.32\.4\.$/,
    );
    const all = thread.join("\n");
    expect(all).toContain("*What the upgrade changed*");
    expect(all).toContain("• Kubernetes server: v1.32.4 → v1.33.1");
    expect(all).toContain("Deployment web/web: 2 containers in CrashLoopBackOff (none at the baseline)");
    expect(all).toContain("*What is left to do* (2)");
    expect(all).toContain("`/upgrade-cycle prod dns`");
    // One root per command, every other post threaded under its root.
    const posts = fake.callsOf("chat.postMessage").filter((c) => c.body.channel === CHANNEL);
    expect(posts.filter((c) => !c.body.thread_ts)).toHaveLength(3);
  });

  it("a fleet check (/upgrade-check all) keeps a baseline of each cluster it checked", async () => {
    const { send, stack } = await setup();
    expect(await stack.controls.baselines.get("prod")).toBeUndefined();
    expect((await send("/upgrade-check", "all")).json?.text).toMatch(/^Queued checks of 1 clusters/);
    const kept = await waitFor(
      async () => (await stack.controls.baselines.get("prod")) ?? undefined,
      20_000,
      "the baseline",
    );
    expect(kept).toMatchObject({ ok: true, baseline: { cluster: "prod", serverVersion: "v1.32.4" } });
  });

  it("is refused where the access rules do not grant it, and queues nothing", async () => {
    const { send, stack } = await setup();
    const res = await send("/upgrade-verify", "prod", CHECK_ONLY);
    expect(res.json?.response_type).toBe("ephemeral");
    expect(res.json?.text).toBe(
      "Refused: /upgrade-verify on prod is not allowed in this channel. Here you may use: prod (/upgrade-check). Nothing was queued. Access is granted in upshift.yaml (access.rules).",
    );
    const typo = await send("/upgrade-verify", "<!here>", CHANNEL);
    expect(typo.json?.text).toContain("unknown cluster context");
    expect(typo.json?.text).not.toContain("<!here>");
    expect(await countJobs(stack.controls.jobs.check)).toBe(0);
  });
});
