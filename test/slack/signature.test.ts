// Bolt's signature verification is what keeps anyone on the internet from queueing checks:
// a forged or replayed (stale) slash command must be refused with 401 and queue nothing.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { kubeconfigFor } from "../../src/sandbox/kubeconfig.ts";
import { FakeSlackApi } from "../fakes/fakeSlackApi.ts";
import { postSigned, slashCommandBody } from "../fakes/slackSigning.ts";
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from "./harness.ts";

describe("Slack request signatures", () => {
  let fake: FakeSlackApi;
  let h: SlackHarness;
  // The kubeconfig only names contexts here: nothing in this file talks to a cluster.
  const contexts = ClusterDirectory.fromString(kubeconfigFor([{ name: "prod-eu", url: "http://127.0.0.1:1" }]));

  beforeAll(async () => {
    fake = await FakeSlackApi.start();
    h = await startSlackHarness({ fake, redisUrl: inject("redisUrl"), contexts });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  const body = () =>
    slashCommandBody({ command: "/upgrade-check", text: "prod-eu 1.32", response_url: fake.responseUrl() });

  it("refuses a forged signature with 401 and queues nothing", async () => {
    const forged = `v0=${"ab".repeat(32)}`;
    const res = await postSigned(h.eventsUrl, body(), { signingSecret: SIGNING_SECRET, signature: forged });
    expect(res.status).toBe(401);
    expect(await h.jobCount()).toBe(0);
  });

  it("refuses a body signed with another secret with 401 and queues nothing", async () => {
    const res = await postSigned(h.eventsUrl, body(), { signingSecret: "not-the-app-secret" });
    expect(res.status).toBe(401);
    expect(await h.jobCount()).toBe(0);
  });

  it("refuses a correctly signed but stale (over 5 minutes old) request with 401 and queues nothing", async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await postSigned(h.eventsUrl, body(), {
      signingSecret: SIGNING_SECRET,
      timestampSeconds: sixMinutesAgo,
    });
    expect(res.status).toBe(401);
    expect(await h.jobCount()).toBe(0);
  });

  it("accepts the same request correctly signed and fresh (control: the refusals above are the signature's doing)", async () => {
    const res = await postSigned(h.eventsUrl, body(), { signingSecret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: "ephemeral" });
    expect(res.json?.text).toMatch(/^Queued upgrade check of prod-eu → 1\.32/);
    expect(await h.jobCount()).toBe(1);
  });
});
