// The console chat as a ChatAdapter: start() begins reading, ready() holds while it reads, and
// the input's end finishes it. Its one command of its own, /react, becomes a ReactionEvent like
// Slack's and Discord's; everything else goes to the shared router, whose failure answer it shows.
import { PassThrough } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ConsoleChat } from "../../adapters/console/consoleChat.ts";
import { parseReaction, REACT_USAGE } from "../../adapters/console/consoleReaction.ts";
import { CommandRouter, QUEUE_UNAVAILABLE_TEXT } from "../../commands/router.ts";
import type { ReactionEvent } from "../../src/chat/reactions.ts";

const spec = { name: "upgrade-check", description: "d", usage: "[context]", options: [] };

function streams() {
  const input = new PassThrough();
  const output = new PassThrough();
  let said = "";
  output.on("data", (d: Buffer) => {
    said += d.toString("utf8");
  });
  return { input, output, said: () => said };
}

describe("console chat", () => {
  it("is ready from start() until the input ends", async () => {
    const io = streams();
    const router = new CommandRouter([{ spec, handle: async () => ({ refused: false, text: "Queued." }) }]);
    const chat = new ConsoleChat({ router, input: io.input, output: io.output });
    expect(chat.name).toBe("console");
    expect(chat.ready()).toBe(false);
    await chat.start();
    expect(chat.ready()).toBe(true);
    io.input.end("/upgrade-check demo\n");
    await chat.finished();
    expect(chat.ready()).toBe(false);
    expect(io.said()).toContain("(only visible to you) Queued.\n");
  });

  it("stop() ends reading while the input is still open", async () => {
    const io = streams();
    const chat = new ConsoleChat({ router: new CommandRouter([]), input: io.input, output: io.output });
    await chat.start();
    await chat.stop();
    expect(chat.ready()).toBe(false);
    await chat.finished();
  });

  it("turns /react into a reaction in its channel, by the typed user or its own, and shows the outcome", async () => {
    const io = streams();
    const seen: ReactionEvent[] = [];
    const chat = new ConsoleChat({
      router: new CommandRouter([{ spec, handle: async () => ({ refused: false, text: "Queued." }) }]),
      channel: "upgrades",
      input: io.input,
      output: io.output,
      onReaction: async (event) => {
        seen.push(event);
        return event.userId === "alice" ? "approved" : "not-approver";
      },
    });
    const run = chat.run();
    io.input.end(["/react 7 ✅ as alice", "/react 8 ❌", "/react 7", "/react"].join("\n"));
    await run;
    expect(seen).toEqual([
      { platform: "console", added: true, userId: "alice", emoji: "✅", channel: "upgrades", messageId: "7" },
      { platform: "console", added: true, userId: "you", emoji: "❌", channel: "upgrades", messageId: "8" },
    ]);
    const lines = io.said().split("\n");
    expect(lines).toContain("(only visible to you) reaction ✅ by @alice on [7]: approved");
    expect(lines).toContain("(only visible to you) reaction ❌ by @you on [8]: not-approver");
    expect(lines.filter((l) => l === `(only visible to you) ${REACT_USAGE}`)).toHaveLength(2);
  });

  it("says why a reaction could not be counted, and keeps reading", async () => {
    const io = streams();
    const chat = new ConsoleChat({
      router: new CommandRouter([{ spec, handle: async () => ({ refused: false, text: "Queued." }) }]),
      input: io.input,
      output: io.output,
      onReaction: async () => {
        throw new Error("Redis is unreachable");
      },
    });
    const run = chat.run();
    io.input.end("/react 7 ✅\n/upgrade-check\n");
    await run;
    expect(io.said()).toContain("(only visible to you) Upshift could not take that command: Redis is unreachable\n");
    expect(io.said()).toContain("(only visible to you) Queued.\n");
  });

  it("without onReaction, /react is a command like any other: the router does not know it", async () => {
    const io = streams();
    const chat = new ConsoleChat({
      router: new CommandRouter([{ spec, handle: async () => ({ refused: false, text: "Queued." }) }]),
      input: io.input,
      output: io.output,
    });
    const run = chat.run();
    io.input.end("/react 7 ✅\n");
    await run;
    expect(io.said()).toContain("(only visible to you) Unknown command /react. Upshift knows: /upgrade-check.\n");
  });

  it("shows the router's one refusal when a command fails", async () => {
    const io = streams();
    const router = new CommandRouter(
      [
        {
          spec,
          async handle() {
            throw new Error("Stream isn't writeable");
          },
        },
      ],
      { logger: pino({ level: "silent" }) },
    );
    const run = new ConsoleChat({ router, input: io.input, output: io.output }).run();
    io.input.end("/upgrade-check demo\n");
    await run;
    expect(io.said()).toContain(`(only visible to you) ${QUEUE_UNAVAILABLE_TEXT}\n`);
    expect(io.said()).not.toContain("Stream isn't writeable");
  });

  it("parses /react arguments strictly", () => {
    const where = { channel: "upgrades", user: "you" };
    expect(parseReaction("  12 ✅  as  bob ", where)).toMatchObject({ messageId: "12", emoji: "✅", userId: "bob" });
    expect(parseReaction("12 ✅ as", where)).toBeUndefined();
    expect(parseReaction("12 ✅ bob", where)).toBeUndefined();
  });
});
