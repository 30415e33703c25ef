// User text marks: bounded, unforgeable, and escaped per platform by the adapters' renderers.
import { describe, expect, it } from "vitest";
import { escapeDiscordUserText, toDiscordMarkdown } from "../../adapters/discord/format.ts";
import { toMrkdwn } from "../../adapters/slack/mrkdwn.ts";
import { bounded, plainUserText, USER_TEXT_MAX_CHARS, userText } from "../../src/chat/userText.ts";
import { headline } from "../../src/render/checks.ts";

const INJECTION = "1.32-<!here><https://evil.example|Approve_here>";

describe("user text", () => {
  it("is cut to 200 characters with an ellipsis, never inside a surrogate pair", () => {
    const huge = "x".repeat(1_000_000);
    const shown = plainUserText(userText(huge));
    expect(shown.length).toBe(USER_TEXT_MAX_CHARS);
    expect(shown.endsWith("…")).toBe(true);
    const emoji = `${"a".repeat(198)}😀tail`;
    expect(bounded(emoji)).toBe(`${"a".repeat(198)}…`);
  });

  it("cannot forge or close a span: the marks a user types are removed", () => {
    const forged = `a\uE001<!channel>\uE000b`;
    expect(toMrkdwn(`x ${userText(forged)} y`)).toBe("x a&lt;!channel&gt;b y");
    // Marks outside a span are dropped too.
    expect(toMrkdwn("plain \uE001 text")).toBe("plain  text");
  });

  it("on Slack: &, < and > are escaped inside the span while our own markup still converts", () => {
    expect(toMrkdwn(`*Bold* [docs](https://example.com) ${userText(INJECTION)} <@U123>`)).toBe(
      "*Bold* <https://example.com|docs> 1.32-&lt;!here&gt;&lt;https://evil.example|Approve_here&gt; <@U123>",
    );
    expect(toMrkdwn(userText("a &amp; b"))).toBe("a &amp;amp; b");
    expect(toMrkdwn(userText("[x](https://evil.example)"))).toBe("[x](https://evil.example)");
  });

  it("on Discord: markdown escaped, masked links and mentions inert, our bold still converted", () => {
    expect(toDiscordMarkdown(`*Queued* ${userText("*bold* _it_ `code` [Approve](https://evil.example)")}`)).toBe(
      "**Queued** \\*bold\\* \\_it\\_ \\`code\\` \\[Approve](https://evil.example)",
    );
    expect(escapeDiscordUserText("@everyone @here <@123> <@&456>")).toBe(
      "@\u200beveryone @\u200bhere \\<@123> \\<@&456>",
    );
    expect(toDiscordMarkdown(`check ${userText("1.32")}`)).toBe("check 1.32");
  });

  it("the target in a channel's headline is user text too", () => {
    const root = headline({ cluster: "prod", target: INJECTION, requester: "<@U0ALICE>" }, "running");
    expect(toMrkdwn(root.text)).toBe(
      "*Upgrade check:* prod → 1.32-&lt;!here&gt;&lt;https://evil.example|Approve_here&gt;, requested by <@U0ALICE>: running",
    );
    expect(toDiscordMarkdown(root.text)).not.toMatch(/[^\\]<https:/);
  });

  it("folds line breaks so an echo stays inside its sentence", () => {
    expect(plainUserText(userText("a\n# heading\r\n> quote"))).toBe("a # heading > quote");
  });
});
