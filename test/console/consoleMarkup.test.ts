// The demo's console shows names, as a chat client would, never raw platform markup.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { renderConsoleMarkup } from "../../adapters/console/consoleMarkup.ts";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";

describe("console markup", () => {
  it("renders mentions, channel links, groups and links by name", () => {
    expect(renderConsoleMarkup("*Upgrade check:* requested by <@alice>: it will post in <#upgrades>")).toBe(
      "Upgrade check: requested by @alice: it will post in #upgrades",
    );
    expect(
      renderConsoleMarkup("<@U012AB3CD|alice> <@!123> <@&456> <!subteam^S0614TZR7|@sre> <!subteam^S1> <!here>"),
    ).toBe("@alice @123 @456 @sre @S1 @here");
    expect(renderConsoleMarkup("<#C123|upgrades> docs: <https://docs.example/checks#crd-01|CRD-01>")).toBe(
      "#upgrades docs: CRD-01 (https://docs.example/checks#crd-01)",
    );
    // Comparison signs in text are not markup.
    expect(renderConsoleMarkup("kubelet < 1.25 and > 1.20")).toBe("kubelet < 1.25 and > 1.20");
  });

  it("the console poster writes rendered text", async () => {
    const out = new PassThrough();
    let written = "";
    out.on("data", (d) => (written += d));
    const poster = new ConsolePoster(out);
    const root = await poster.postRoot("upgrades", { text: "*Cycle* by <@alice> in <#upgrades>" });
    await poster.postInThread({ channel: "upgrades", thread: root.thread }, { text: "approved by <@bob>" });
    expect(poster.log.map((e) => e.text)).toEqual(["Cycle by @alice in #upgrades", "approved by @bob"]);
    expect(written).not.toMatch(/<[@#!]/);
  });
});
