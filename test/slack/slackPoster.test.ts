// SlackPoster against the fake Web API over HTTP: what the worker's posts become on the wire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackCallError, SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { FakeSlackApi } from "../fakes/fakeSlackApi.ts";
import { quietLogger } from "./harness.ts";

describe("SlackPoster", () => {
  let fake: FakeSlackApi;
  let poster: SlackPoster;
  const channel = "C0POSTER";

  beforeAll(async () => {
    fake = await FakeSlackApi.start();
    poster = new SlackPoster({ botToken: fake.botToken, slackApiUrl: fake.apiUrl, logger: quietLogger() });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it("posts a root whose ts is the thread, replies into it, and edits the root", async () => {
    const root = await poster.postRoot(channel, {
      text: "*Upgrade check:* prod → 1.32, requested by <@U0ALICE>: running",
    });
    expect(root.id).toMatch(/^1700000000\.\d{6}$/);
    expect(root.thread).toBe(root.id);
    const reply = await poster.postInThread(
      { channel, thread: root.thread },
      { text: "• *HELM-01* `Secret a/b`: stuck" },
    );
    expect(reply > root.id).toBe(true);
    expect(fake.message(channel, reply)?.thread_ts).toBe(root.id);
    await poster.update(channel, root.id, {
      text: "*Upgrade check:* prod → 1.32, requested by <@U0ALICE>: *blocked* (1 blocker)",
    });
    expect(fake.message(channel, root.id)?.text).toBe(
      "*Upgrade check:* prod → 1.32, requested by <@U0ALICE>: *blocked* (1 blocker)",
    );
    expect(fake.callsOf("chat.update").at(-1)?.body).toMatchObject({ channel, ts: root.id });
  });

  it("escapes <, > and & outside Slack mentions so advice such as `helm rollback <release>` survives", async () => {
    const root = await poster.postRoot(channel, {
      text: "run `helm rollback <release> <revision>` & tell <@U0ALICE> in <#C0OPS> or <!here>",
    });
    expect(fake.message(channel, root.id)?.text).toBe(
      "run `helm rollback &lt;release&gt; &lt;revision&gt;` &amp; tell <@U0ALICE> in <#C0OPS> or <!here>",
    );
  });

  it("uploads an attached file into the thread with files.uploadV2 (URL, bytes, complete)", async () => {
    const root = await poster.postRoot(channel, { text: "root" });
    const content = Array.from({ length: 300 }, (_, i) => `[medium] WL-01 Deployment team/app-${i}: one zone`).join(
      "\n",
    );
    await poster.postInThread(
      { channel, thread: root.thread },
      { text: "…and 290 more medium findings: full list attached.", file: { name: "medium-findings.txt", content } },
    );

    expect(fake.callsOf("files.getUploadURLExternal").at(-1)?.body).toMatchObject({
      filename: "medium-findings.txt",
      length: String(Buffer.byteLength(content)),
    });
    expect(fake.callsOf("upload")).toHaveLength(1);
    const complete = fake.callsOf("files.completeUploadExternal").at(-1)?.body;
    expect(complete).toMatchObject({ channel_id: channel, thread_ts: root.id });
    const replies = fake.replies(channel, root.id);
    expect(replies.map((r) => r.text)).toContain("…and 290 more medium findings: full list attached.");
    const file = replies.flatMap((r) => r.files)[0];
    expect(file).toMatchObject({ name: "medium-findings.txt" });
    expect(file.content).toBe(content);
  });

  it("adds reactions, and a reaction already there is not an error (a retried job seeds again)", async () => {
    const root = await poster.postRoot(channel, { text: "approve?" });
    await poster.react(channel, root.id, ":white_check_mark:");
    await poster.react(channel, root.id, "white_check_mark");
    expect(fake.reactions.filter((r) => r.timestamp === root.id)).toEqual([
      { channel, timestamp: root.id, name: "white_check_mark" },
    ]);
  });

  it("names the method and Slack's error code when a call fails, with a hint and without the token", async () => {
    const wrong = new SlackPoster({
      botToken: "xoxb-wrong-token-123",
      slackApiUrl: fake.apiUrl,
      logger: quietLogger(),
    });
    const err = await wrong.postRoot(channel, { text: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlackCallError);
    expect((err as SlackCallError).message).toBe("Slack chat.postMessage failed: invalid_auth (check SLACK_BOT_TOKEN)");
    expect((err as SlackCallError).code).toBe("invalid_auth");
    const missing = await poster.update(channel, "1600000000.000001", { text: "x" }).catch((e: unknown) => e);
    expect((missing as Error).message).toBe("Slack chat.update failed: message_not_found");
  });
});
