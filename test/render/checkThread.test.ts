// What the chat thread says about a report: each problem once, counts that read right, and a
// fleet table whose columns line up whatever the cluster names.
import { describe, expect, it } from "vitest";
import type { CheckReport } from "../../src/checks/preflight.ts";
import { countBySeverity, verdictOf } from "../../src/checks/runner.ts";
import type { Finding } from "../../src/checks/types.ts";
import { findingMessages, reportMessages, verdictState } from "../../src/render/checks.ts";
import { renderFleetTable } from "../../src/render/fleetTable.ts";
import { listSome, plural } from "../../src/text/english.ts";

const finding = (i: number, severity: Finding["severity"] = "high"): Finding => ({
  check: "POD-01",
  severity,
  object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: `web-${String(i).padStart(2, "0")}` },
  message: `problem ${i}`,
  remediation: "fix it",
});

const report = (findings: Finding[], suppressed = 0): CheckReport => ({
  cluster: "prod",
  serverVersion: "v1.31.4",
  target: "1.32",
  verdict: verdictOf(findings),
  findings,
  counts: countBySeverity(findings),
  suppressed,
  checkedAt: "2026-12-01T00:00:00Z",
  durationMs: 1200,
  readMs: 800,
  apiRequests: 10,
  knowledgeHorizon: "1.38",
  warnings: [],
});

describe("chat report", () => {
  it("the file after '…and N more' holds only the findings the message did not show", () => {
    const findings = Array.from({ length: 17 }, (_, i) => finding(i));
    const [message] = findingMessages(findings, { inlinePerGroup: 10 });
    expect(message.text).toContain("*🔴 High* (17)");
    expect(message.text).toContain("…and 7 more high findings, in the attached file.");
    const shown = findings.filter((f) => message.text.includes(`\`Deployment apps/${f.object.name}\``));
    expect(shown).toHaveLength(10);
    const filed = message.file!.content.split("\n");
    expect(filed).toHaveLength(7);
    for (const f of shown) expect(message.file!.content).not.toContain(`apps/${f.object.name}:`);
    for (const f of findings.slice(10)) expect(message.file!.content).toContain(`apps/${f.object.name}:`);
  });

  it("one more finding is singular", () => {
    const [message] = findingMessages(
      Array.from({ length: 3 }, (_, i) => finding(i)),
      { inlinePerGroup: 2 },
    );
    expect(message.text).toContain("…and 1 more high finding, in the attached file.");
  });

  it("plurals in the verdict and in the ignored count", () => {
    expect(verdictState(report([finding(1, "blocker")]))).toBe("*blocked* (1 blocker)");
    expect(verdictState(report([finding(1, "blocker"), finding(2, "blocker"), finding(3)]))).toBe(
      "*blocked* (2 blockers, 1 high)",
    );
    const summary = reportMessages(report([finding(1)], 3)).at(-1)!.text;
    expect(summary).toBe(
      "Checked prod (v1.31.4 → 1.32) in 1.2 s; 3 findings ignored by rules and annotations. Upshift's knowledge covers Kubernetes releases up to 1.38.",
    );
    expect(reportMessages(report([finding(1)], 1)).at(-1)!.text).toContain("; 1 finding ignored by rules");
    expect(plural(1, "cluster")).toBe("1 cluster");
    expect(plural(2, "policy", "policies")).toBe("2 policies");
    expect(listSome(["a", "b", "c"])).toBe("a, b and c");
    expect(listSome(["a", "b", "c", "d"], 2)).toBe("a, b and 2 more");
  });
});

describe("fleet summary table", () => {
  it("columns line up: every row's cells start where the header's do", () => {
    const zero = { blocker: 0, high: 0, medium: 0, low: 0, info: 0 };
    const table = renderFleetTable([
      { cluster: "staging", versions: "v1.31.2 → 1.32", verdict: "ready", counts: zero },
      {
        cluster: "a-very-long-production-cluster-name",
        versions: "v1.31.4 → 1.32",
        verdict: "blocked",
        counts: { ...zero, blocker: 12, high: 3 },
      },
      { cluster: "lab", failure: "cluster lab: read /version failed" },
    ]);
    const lines = table.split("\n");
    expect(lines[0]).toBe("```");
    expect(lines.at(-1)).toBe("```");
    const [header, ...rows] = lines.slice(1, -1);
    expect(header).toMatch(/^cluster\s+version\s+verdict\s+blocker\s+high\s+medium\s+low$/);
    expect(rows.map((r) => r.split(/\s{2,}/)[0])).toEqual(["a-very-long-production-cluster-name", "lab", "staging"]);
    // Left-aligned text columns start under their header; counts end under their header.
    const start = (s: string, word: string) => s.indexOf(word);
    const end = (s: string, word: string) => s.indexOf(word) + word.length;
    const full = rows.filter((r) => !r.includes("could not check"));
    for (const r of full) {
      expect(start(r, "v1.31")).toBe(start(header, "version"));
      expect(start(r, r.includes("blocked") ? "blocked" : "ready")).toBe(start(header, "verdict"));
      expect(r.length).toBe(header.length);
    }
    const blocked = full.find((r) => r.includes("blocked"))!;
    expect(end(blocked, "12")).toBe(end(header, "blocker"));
    expect(blocked.endsWith("0")).toBe(true);
    const lab = rows.find((r) => r.startsWith("lab"))!;
    expect(lab).toMatch(/^lab\s+-\s+could not check: cluster lab: read \/version failed$/);
    expect(start(lab, "-")).toBe(start(header, "version"));
  });
});
