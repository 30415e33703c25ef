// CommandRouter.handle owns the failure policy for every adapter: a handler that throws (before or
// after the access check) is answered with one refusal text that names nothing internal, and
// logged once with its error and stack; handle() itself never rejects.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CommandRouter, clusterCommand, QUEUE_UNAVAILABLE_TEXT } from "../../commands/router.ts";
import type { CommandInvocation } from "../../commands/types.ts";
import { createLogger } from "../../src/log.ts";

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger("info", sink), lines: () => lines.flatMap((l) => l.split("\n")).filter(Boolean) };
}

const spec = { name: "upgrade-check", description: "d", usage: "", options: [] };

const invocation: CommandInvocation = {
  platform: "discord",
  name: "/upgrade-check",
  text: "prod",
  requester: { platform: "discord", userId: "111", name: "alice" },
  channel: "222",
  guild: "333",
};

describe("CommandRouter failure policy", () => {
  it("answers a throwing handler with the one refusal and logs the error once, with its stack", async () => {
    const log = capturingLogger();
    const router = new CommandRouter(
      [
        {
          spec,
          async handle() {
            throw new Error("connect ECONNREFUSED 127.0.0.1:6390");
          },
        },
      ],
      { logger: log.logger },
    );
    const reply = await router.handle(invocation);
    expect(reply).toEqual({ refused: true, text: QUEUE_UNAVAILABLE_TEXT });
    // Nothing internal reaches the chat.
    expect(reply.text).not.toContain("ECONNREFUSED");
    const lines = log.lines().map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: "command failed; answered that nothing was queued",
      command: "upgrade-check",
      platform: "discord",
      user: "111",
      channel: "222",
      guild: "333",
      err: { type: "Error", message: "connect ECONNREFUSED 127.0.0.1:6390" },
    });
    expect(lines[0].err.stack).toContain("router.test.ts");
  });

  it("does the same when the allowed command's run() throws after the access check", async () => {
    const log = capturingLogger();
    const ran: string[][] = [];
    const router = new CommandRouter(
      [
        clusterCommand(spec, async () => ({
          target: { clusters: ["prod"] },
          contexts: ["prod"],
          async run(clusters) {
            ran.push(clusters);
            throw new TypeError("Stream isn't writeable");
          },
        })),
      ],
      { logger: log.logger },
    );
    expect(await router.handle(invocation)).toEqual({ refused: true, text: QUEUE_UNAVAILABLE_TEXT });
    expect(ran).toEqual([["prod"]]);
    const lines = log.lines().map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].err).toMatchObject({ type: "TypeError", message: "Stream isn't writeable" });
  });

  it("logs nothing for replies, refusals included", async () => {
    const log = capturingLogger();
    const router = new CommandRouter(
      [{ spec, handle: async () => ({ refused: true, text: "Unknown context prod." }) }],
      { logger: log.logger },
    );
    expect(await router.handle(invocation)).toEqual({ refused: true, text: "Unknown context prod." });
    const unknown = await router.handle({ ...invocation, name: "upgrade-nope" });
    expect(unknown.refused).toBe(true);
    expect(unknown.text).toContain("Upshift knows: /upgrade-check.");
    expect(log.lines()).toEqual([]);
  });
});
