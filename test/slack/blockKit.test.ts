// Block Kit layout of Upshift's messages: every message, however large, within Slack's limits
// (checked by the fake's own reading of Slack's reference, not the adapter's constants).
import { describe, expect, it } from "vitest";
import { ACTION_IDS, toBlocks } from "../../adapters/slack/blockKit.ts";
import type { CheckReport } from "../../src/checks/preflight.ts";
import type { Finding, Severity } from "../../src/checks/types.ts";
import { reportMessages, structuredHeadline, withReportStructure } from "../../src/render/checks.ts";
import { blockViolations } from "../fakes/slackBlockLimits.ts";

function finding(i: number, severity: Severity, long = false): Finding {
  return {
    check: "POD-01",
    severity,
    object: { apiVersion: "v1", kind: "Pod", namespace: "apps", name: `web-${i}` },
    message: `Pod apps/web-${i} crashes <at start> & restarts${long ? ` ${"x".repeat(4_000)}` : ""}`,
    evidence: `restartCount=${i}`,
    remediation: "kubectl logs -n apps web -c app --previous",
  };
}

function report(findings: Finding[]): CheckReport {
  const counts = { blocker: 0, high: 0, medium: 0, low: 0, info: 0 } as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return {
    cluster: "prod",
    serverVersion: "v1.34.2",
    target: "1.35",
    verdict: counts.blocker ? "blocked" : "warnings",
    findings,
    counts,
    suppressed: 0,
    checkedAt: "2026-12-01T10:00:00Z",
    durationMs: 2_100,
    readMs: 900,
    knowledgeHorizon: "1.38",
    warnings: [],
    apiRequests: 12,
  };
}

describe("Slack Block Kit", () => {
  it("keeps a 600-finding report with over-long texts within every limit", () => {
    const findings = [
      ...Array.from({ length: 200 }, (_, i) => finding(i, "blocker", i % 3 === 1)),
      ...Array.from({ length: 400 }, (_, i) => finding(i, "medium")),
    ];
    const r = report(findings);
    const messages = withReportStructure(
      reportMessages(r, {
        docsUrl: "https://docs.example/checks.md",
        inlinePerGroup: 60,
      }),
      r,
    );
    for (const m of messages) {
      const blocks = toBlocks(m)!;
      expect(blockViolations(blocks)).toEqual([]);
    }
    // The folded rest goes into the file, as before blocks.
    expect(messages[0].file?.name).toBe("blocker-findings.txt");
    // User text is escaped in blocks too: "<at start>" is not a Slack link.
    const text = JSON.stringify(toBlocks(messages[0]));
    expect(text).toContain("&lt;at start&gt; &amp; restarts");
  });

  it("cuts a message with 100 items into 50 blocks, saying how many are not shown", () => {
    const blocks = toBlocks({
      text: "fallback",
      file: { name: "all.txt", content: "…" },
      rich: {
        tone: "danger",
        title: `A title far too long for a header ${"y".repeat(300)}`,
        sections: [
          {
            title: "Items",
            items: Array.from({ length: 100 }, (_, i) => ({
              text: `item ${i}${i === 0 ? ` ${"z".repeat(5_000)}` : ""}`,
            })),
          },
        ],
        context: Array.from({ length: 14 }, (_, i) => `fact ${i}`),
      },
      actions: [
        { kind: "approve", label: "Approve", value: "p:1" },
        { kind: "cancel", label: "Cancel", value: "p:1" },
      ],
    })!;
    expect(blockViolations(blocks)).toEqual([]);
    expect(blocks).toHaveLength(50);
    const shown = blocks.filter((b) => JSON.stringify(b).includes('"item ')).length;
    expect(shown).toBe(45);
    expect(JSON.stringify(blocks.at(-3))).toContain(
      `…and ${100 - shown} more not shown here: the message text has them, and the attached file.`,
    );
    expect(blocks.at(-1)).toMatchObject({
      type: "actions",
      elements: [
        { action_id: ACTION_IDS.approve, value: "p:1", style: "primary" },
        { action_id: ACTION_IDS.cancel, value: "p:1", style: "danger" },
      ],
    });
  });

  it("gives a check's headline a header with the verdict and the requester in context", () => {
    const m = structuredHeadline(
      {
        cluster: "prod",
        serverVersion: "v1.34.2",
        target: "1.35",
        requester: "<@U1>",
        requestedAt: "2026-12-01T09:00:00Z",
      },
      "*blocked* (2 blocker)",
      "danger",
    );
    const blocks = toBlocks(m)!;
    expect(blocks[0]).toMatchObject({
      type: "header",
      text: { text: "⛔ Upgrade check · prod · v1.34.2 → 1.35: blocked (2 blocker)" },
    });
    expect(blocks.at(-1)).toMatchObject({
      type: "context",
      elements: [{ type: "mrkdwn", text: "requested by <@U1>" }],
    });
    expect(m.threadName).toBe("Upgrade check · prod · v1.34.2 → 1.35 · 2026-12-01");
  });

  it("never sends an empty block: empty items, titles and context lines are left out", () => {
    const blocks = toBlocks({
      text: "fallback",
      rich: {
        tone: "info",
        title: "**",
        sections: [{ items: [{ text: "" }, { text: "kept" }], note: " " }],
        context: [""],
      },
    });
    expect(blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: "kept" } }]);
    expect(toBlocks({ text: "only text", rich: { tone: "info", sections: [], context: [] } })).toBeUndefined();
  });
});
