// The knowledge horizon in chat: every report states it, and a target past it is never a plain
// "ready" (the warning leads the thread and the headline carries it).
import { describe, expect, it } from "vitest";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { CheckReport } from "../../src/checks/preflight.ts";
import { resolveTarget } from "../../src/checks/preflight.ts";
import { reportMessages, verdictState } from "../../src/render/checks.ts";
import { renderReport } from "../../src/render/reportFormats.ts";
import { horizonWarning, KNOWLEDGE_HORIZON, parseKubeVersion } from "../../src/versions/kube.ts";

function report(target: string, findings: CheckReport["findings"] = []): CheckReport {
  const warning = horizonWarning(parseKubeVersion(target)!);
  return {
    cluster: "prod",
    serverVersion: "v1.38.1",
    target,
    knowledgeHorizon: "1.38",
    warnings: warning ? [warning] : [],
    verdict: findings.length ? "warnings" : "ready",
    findings,
    counts: { blocker: 0, high: findings.length, medium: 0, low: 0, info: 0 },
    suppressed: 0,
    checkedAt: "2026-12-01T00:00:00.000Z",
    durationMs: 1200,
    readMs: 900,
    apiRequests: 12,
  };
}

describe("knowledge horizon", () => {
  it("is 1.38, and the warning names it and the target", () => {
    expect(KNOWLEDGE_HORIZON).toEqual({ major: 1, minor: 38 });
    expect(horizonWarning(parseKubeVersion("1.38.4")!)).toBeUndefined();
    expect(horizonWarning(parseKubeVersion("1.39")!)).toBe(
      "Upshift knows releases up to 1.38; 1.39 is beyond: results may miss its changes.",
    );
  });

  it("leads the chat thread with the warning and never says plainly ready beyond it", () => {
    const beyond = reportMessages(report("1.39"));
    expect(beyond[0].text).toBe("⚠️ Upshift knows releases up to 1.38; 1.39 is beyond: results may miss its changes.");
    expect(beyond.at(-1)?.text).toContain("Upshift's knowledge covers Kubernetes releases up to 1.38.");
    expect(verdictState(report("1.39"))).toBe("*ready* (no findings; ⚠️ target beyond Upshift's knowledge)");
    const finding = {
      check: "API-02",
      severity: "high" as const,
      object: { apiVersion: "v1", kind: "ConfigMap", name: "x" },
      message: "m",
      remediation: "r",
    };
    const withFindings = reportMessages(report("1.40", [finding]));
    expect(withFindings[0].text).toContain("1.40 is beyond");
    expect(withFindings.at(-1)?.text).toContain("up to 1.38.");
  });

  it("states the horizon without a warning within it, in chat and markdown", () => {
    const within = reportMessages(report("1.38"));
    expect(within).toHaveLength(1);
    expect(within[0].text).toBe(
      "✅ No findings: prod looks ready for 1.38. Upshift's knowledge covers Kubernetes releases up to 1.38.",
    );
    expect(verdictState(report("1.38"))).toBe("*ready* (no findings)");
    expect(renderReport(report("1.38"), "markdown")).toContain(
      "Upshift's knowledge covers Kubernetes releases up to 1.38.",
    );
    expect(renderReport(report("1.39"), "markdown")).toContain("> ⚠️ Upshift knows releases up to 1.38; 1.39 is beyond");
  });

  it("resolves targets strictly, with the same rule as the chat grammar", () => {
    expect(resolveTarget("v1.37.2", "v1.38.1")).toEqual({ minor: "1.38", full: "1.38.1" });
    expect(resolveTarget("v1.37.2")).toEqual({ minor: "1.38", full: "1.38" });
    expect(() => resolveTarget("v1.37.2", "1.38-<!here>")).toThrow(/target version: expected MAJOR.MINOR/);
    expect(() => resolveTarget("v1.37.2", "1.50")).toThrow(/1.50 is not a Kubernetes release/);
    // Server versions keep their vendor suffixes: only the target is strict.
    expect(resolveTarget("v1.31.4-eks-1234", undefined)).toEqual({ minor: "1.32", full: "1.32" });
    expect(contextFromObjects([], { serverVersion: "v1.38.0", target: "1.39" }).target).toBe("1.39");
  });
});
