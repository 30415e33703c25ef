// /upgrade-verify in the console chat the demo uses: the production router and controls, the
// real check worker, the ConsolePoster printing roots, threads and edits.
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ConsoleChat } from "../../adapters/console/consoleChat.ts";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";
import { createBotRouter } from "../../cli/compose.ts";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import { producerConnection } from "../../src/redis/connection.ts";
import { waitFor } from "../fakes/fakeSlackApi.ts";
import { BEFORE, CLEAN_UPGRADE } from "../fixtures/verify/clusters.ts";
import { startVerifyStack, UpgradableCluster } from "./harness.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe("/upgrade-verify in the console", () => {
  it("a clean upgrade after a check: healthy, with what moved", async () => {
    const cluster = new UpgradableCluster("demo");
    await cluster.serve(BEFORE);
    cleanups.push(() => cluster.close());
    const out = new PassThrough();
    out.resume();
    const poster = new ConsolePoster(out);
    const stack = await startVerifyStack({ cluster, poster });
    cleanups.push(() => stack.close());
    const input = new PassThrough();
    const said: string[] = [];
    const chatOut = new PassThrough();
    chatOut.on("data", (d: Buffer) => said.push(d.toString("utf8")));
    const run = new ConsoleChat({ router: createBotRouter(cluster, stack.controls), input, output: chatOut }).run();

    input.write("/upgrade-check\n");
    await waitFor(
      () => poster.log.find((e) => e.kind === "edit" && /Upgrade check:.*(ready|warnings|blocked)/.test(e.text)),
      20_000,
      "the check verdict",
    );
    await cluster.serve(CLEAN_UPGRADE);
    input.write("/upgrade-verify demo\n");
    const edit = await waitFor(
      () =>
        poster.log.find(
          (e) => e.kind === "edit" && e.text.startsWith("Upgrade verify:") && !e.text.includes("verifying…"),
        ),
      20_000,
      "the verify verdict",
    );
    input.end();
    await run;
    expect(said.join("")).toContain("(only visible to you) Queued verify of demo against its last baseline.");
    expect(edit.text).toBe("Upgrade verify: demo v1.32.4 → v1.33.1, requested by @you: healthy (1 better)");
    const replies = poster.log.filter((e) => e.kind === "reply" && e.thread === edit.id).map((e) => e.text);
    expect(replies.join("\n")).toContain("• kubelet: v1.32.4 (3 nodes) → v1.33.1 (3 nodes)");
    expect(replies.join("\n")).not.toContain("What got worse");
    // The baseline judged 1.33 and found CoreDNS 1.11.3 too old for it; the upgrade moved it to 1.12.0.
    expect(replies.join("\n")).toContain("What got better (1)\n• Resolved: ADD-01 Deployment kube-system/coredns");
  });
});

describe("a verify that cannot read the cluster", () => {
  it("retries, then says incomplete in the headline and why in the thread", async () => {
    const cluster = new UpgradableCluster("demo");
    await cluster.serve(BEFORE);
    cleanups.push(() => cluster.close());
    const poster = new ConsolePoster(new PassThrough().resume());
    const stack = await startVerifyStack({ cluster, poster });
    cleanups.push(() => stack.close());
    // The same queue with short retries: a cluster's five attempts in well under a second.
    const redis = producerConnection(inject("redisUrl"));
    const fast = new JobSubmitter(redis, stack.prefix, { backoffDelayMs: 10 });
    await fast.ready();
    cleanups.push(async () => {
      await fast.close();
      redis.disconnect();
    });
    const reply = { platform: "console" as const, channel: "upgrades" };
    const requester = { platform: "console" as const, userId: "you" };
    await stack.controls.jobs.enqueueCheck({ kind: "check", cluster: "demo", requester, reply, requestedAt: "" });
    await waitFor(async () => (await stack.controls.baselines.get("demo"))?.ok, 20_000, "the baseline");

    await cluster.stop();
    await fast.enqueueVerify({
      kind: "verify",
      cluster: "demo",
      requester,
      reply,
      requestedAt: "",
      origin: "command",
    });
    const edit = await waitFor(
      () =>
        poster.log.find(
          (e) => e.kind === "edit" && e.text.startsWith("Upgrade verify: demo") && e.text.includes("incomplete"),
        ),
      30_000,
      "the incomplete headline",
    );
    expect(edit.text).toMatch(/^Upgrade verify: demo, requested by @you: incomplete: could not verify: /);
    // The headline is edited first, the note follows in the thread.
    const note = await waitFor(
      () => poster.log.find((e) => e.kind === "reply" && e.thread === edit.id),
      10_000,
      "the note in the thread",
    );
    expect(note?.text).toMatch(/^⚠️ The verify of demo could not run: /);
    // Retried before giving up: the "verifying… (retry)" headline was shown on the way.
    expect(poster.log.some((e) => e.id === edit.id && e.text.endsWith("verifying… (retry)"))).toBe(true);
  });
});
