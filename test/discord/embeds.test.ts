// Discord embeds of Upshift's messages: coloured by tone, every message within Discord's limits
// however large (checked by the fake's own reading of Discord's documented limits).
import { describe, expect, it } from "vitest";
import { render } from "../../adapters/discord/discordPoster.ts";
import { customIdFor, parseCustomId, TONE_COLOUR, toComponents, toEmbeds } from "../../adapters/discord/embeds.ts";
import type { CheckReport } from "../../src/checks/preflight.ts";
import type { Finding, Severity } from "../../src/checks/types.ts";
import { reportMessages, structuredHeadline, withReportStructure } from "../../src/render/checks.ts";
import { embedViolations } from "../fakes/fakeDiscord.ts";

function finding(i: number, severity: Severity): Finding {
  return {
    check: "VER-01",
    severity,
    object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: `api-${i}` },
    message: `Deployment apps/api-${i} runs a pre-release image ${"word ".repeat(i % 7 === 0 ? 900 : 10)}`,
    remediation: "Pin a released tag.",
  };
}

function report(findings: Finding[]): CheckReport {
  const counts = { blocker: 0, high: 0, medium: 0, low: 0, info: 0 } as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return {
    cluster: "prod",
    serverVersion: "v1.34.2",
    target: "1.35",
    verdict: "blocked",
    findings,
    counts,
    suppressed: 0,
    checkedAt: "2026-12-01T10:00:00Z",
    durationMs: 1_000,
    readMs: 100,
    knowledgeHorizon: "1.38",
    warnings: [],
    apiRequests: 3,
  };
}

describe("Discord embeds", () => {
  it("keeps a 300-finding report within every embed limit, each message one message of embeds", () => {
    const findings = Array.from({ length: 300 }, (_, i) => finding(i, i < 100 ? "blocker" : "low"));
    const r = report(findings);
    const messages = withReportStructure(
      reportMessages(r, {
        inlinePerGroup: 80,
        maxChars: 40_000,
        docsUrl: "https://docs.example/checks.md",
      }),
      r,
    );
    for (const m of messages) {
      const parts = render(m);
      expect(parts).toHaveLength(1);
      expect(embedViolations(parts[0].embeds, parts[0].components)).toEqual([]);
    }
    const blockers = toEmbeds(messages[0])!;
    expect(blockers[0]).toMatchObject({ title: "🛑 Blockers (100)", color: TONE_COLOUR.danger });
    expect(blockers.map((e) => e.description ?? "").join("\n")).toContain(
      "[VER-01 docs](https://docs.example/checks.md#ver-01)",
    );
    // What did not fit is counted, and the full list is the attached file.
    expect(blockers.at(-1)?.description).toMatch(/\*…and \d+ more not shown here: see the attached file\.\*/);
    expect(render(messages[0])[0].files?.[0].name).toBe("blocker-findings.txt");
  });

  it("colours a headline by verdict and keeps its requester as a mention in the description", () => {
    const [embed] = toEmbeds(
      structuredHeadline(
        { cluster: "prod", serverVersion: "v1.34.2", target: "1.35", requester: "<@1234>" },
        "*ready*",
        "good",
      ),
    )!;
    expect(embed).toEqual({
      title: "✅ Upgrade check · prod · v1.34.2 → 1.35: ready",
      description: "*requested by <@1234>*",
      color: TONE_COLOUR.good,
    });
  });

  it("gives approval buttons a custom_id with the plan and its hash, within 100 characters", () => {
    const value = `${"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}:${"ab".repeat(8)}`;
    const rows = toComponents({
      text: "plan",
      actions: [
        { kind: "approve", label: "Approve", value },
        { kind: "cancel", label: "Cancel", value },
      ],
    })!;
    expect(embedViolations(undefined, rows)).toEqual([]);
    expect(rows[0].components.map((b) => [b.label, b.style])).toEqual([
      ["Approve", 3],
      ["Cancel", 4],
    ]);
    expect(parseCustomId(rows[0].components[0].custom_id)).toEqual({ kind: "approve", value });
    expect(parseCustomId("someone-elses:button")).toBeUndefined();
    expect(customIdFor({ kind: "cancel", label: "Cancel", value }).length).toBeLessThanOrEqual(100);
  });
});
