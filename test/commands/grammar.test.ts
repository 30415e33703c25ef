import { describe, expect, it } from "vitest";
import { parseCheckArgs } from "../../commands/grammar.ts";
import { plainUserText } from "../../src/chat/userText.ts";

const contexts = ["prod", "staging", "arn:aws:eks:eu-west-1:123:cluster/x"];

describe("/upgrade-check arguments", () => {
  it.each([
    ["", { all: false }],
    ["prod", { all: false, cluster: "prod" }],
    ["prod 1.32", { all: false, cluster: "prod", target: "1.32" }],
    ["v1.32.0 prod", { all: false, cluster: "prod", target: "1.32.0" }],
    ["  staging   v1.33  ", { all: false, cluster: "staging", target: "1.33" }],
    ["all 1.32", { all: true, target: "1.32" }],
    ["arn:aws:eks:eu-west-1:123:cluster/x", { all: false, cluster: "arn:aws:eks:eu-west-1:123:cluster/x" }],
    ["prod 1.32.3", { all: false, cluster: "prod", target: "1.32.3" }],
    // Past the horizon (1.38) but a release that can exist within a year: accepted, the report warns.
    ["prod v1.41", { all: false, cluster: "prod", target: "1.41" }],
  ])("parses %j", (text, expected) => {
    expect(parseCheckArgs(text, contexts)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["produ", 'unknown cluster context "produ"'],
    ["prod 1.x", 'target version "1.x": expected MAJOR.MINOR or MAJOR.MINOR.PATCH'],
    ["prod 1.32-<!here><https://evil.example|Approve_here>", "target version (as typed): expected MAJOR.MINOR"],
    ["prod 1.32.0-rc.1", "with nothing after it"],
    ["prod v1.32+k3s1", "with nothing after it"],
    ["prod 1.32.", "expected MAJOR.MINOR"],
    ["prod 01.32", "expected MAJOR.MINOR"],
    ["prod 2.0", 'target version "2.0": Kubernetes has no major version 2: releases are 1.x'],
    ["prod 0.9", "Kubernetes has no major version 0"],
    ["prod 1.99", "1.99 is not a Kubernetes release: Upshift knows releases up to 1.38 and accepts targets up to 1.41"],
    ["prod 1.42", "1.42 is not a Kubernetes release"],
    ["prod staging", "more than one cluster"],
    ["prod 1.32 1.33", "more than one target"],
    ["all prod", "more than one cluster"],
  ])("refuses %j with a specific message", (text, message) => {
    const r = parseCheckArgs(text, contexts);
    expect(r.ok).toBe(false);
    // Echoed words are marked as user text (escaped by each platform); the message reads the same.
    if (!r.ok) expect(plainUserText(r.error)).toContain(message);
    // A refusal never echoes markup back into the channel.
    if (!r.ok) expect(r.error).not.toMatch(/[<>]/);
  });
});
