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
  ])("parses %j", (text, expected) => {
    expect(parseCheckArgs(text, contexts)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["produ", 'unknown cluster context "produ"'],
    ["prod 1.x", '"1.x" is not a Kubernetes version'],
    ["prod staging", "more than one cluster"],
    ["prod 1.32 1.33", "more than one target"],
    ["all prod", "more than one cluster"],
  ])("refuses %j with a specific message", (text, message) => {
    const r = parseCheckArgs(text, contexts);
    expect(r.ok).toBe(false);
    // Echoed words are marked as user text (escaped by each platform); the message reads the same.
    if (!r.ok) expect(plainUserText(r.error)).toContain(message);
  });
});
