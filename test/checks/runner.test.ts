import { describe, expect, it } from "vitest";
import { contextFromObjects } from "../../src/checks/context.ts";
import { anyAtOrAbove, runChecks, verdictOf } from "../../src/checks/runner.ts";
import type { Check } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const pod = (name: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "apps", annotations },
});

const everyPod: Check = {
  id: "TEST-01",
  severity: "high",
  title: "every pod",
  remediation: "nothing",
  reads: ["pods"],
  evaluate: (ctx) =>
    ctx.objects("pods").map((p) => ({
      object: { apiVersion: "v1", kind: "Pod", namespace: p.metadata?.namespace, name: p.metadata!.name! },
      message: "seen",
    })),
};

const throwing: Check = {
  id: "TEST-02",
  severity: "blocker",
  title: "breaks on odd objects",
  remediation: "nothing",
  reads: ["pods"],
  evaluate: (ctx) =>
    ctx
      .objects("pods")
      .map((p) => (p.spec as { containers: unknown[] }).containers.length)
      .map(() => ({ object: { apiVersion: "v1", kind: "Pod", name: "x" }, message: "x" })),
};

const ctx = (objects: KubeObject[]) =>
  contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32", cluster: "prod" });

describe("runChecks", () => {
  it("turns a throwing check into one info finding and still runs the others", async () => {
    const { findings } = await runChecks([throwing, everyPod], ctx([pod("a")]));
    expect(findings.map((f) => [f.check, f.severity])).toEqual([
      ["TEST-01", "high"],
      ["TEST-02", "info"],
    ]);
    expect(findings[1].message).toMatch(/^could not evaluate TEST-02 \(breaks on odd objects\)/);
    expect(verdictOf(findings)).toBe("warnings");
  });

  it("honours the ignore annotation and ignore rules, and counts what it dropped", async () => {
    const objects = [pod("a", { "upshift.dev/ignore": "TEST-01, WL-01" }), pod("b"), pod("c")];
    const result = await runChecks([everyPod], ctx(objects), [{ check: "TEST-01", namespace: "apps", name: "c" }]);
    expect(result.findings.map((f) => f.object.name)).toEqual(["b"]);
    expect(result.suppressed).toBe(2);
  });

  it("fills severity and remediation from the check unless the finding overrides them", async () => {
    const override: Check = {
      ...everyPod,
      evaluate: () => [
        {
          object: { apiVersion: "v1", kind: "Pod", name: "p" },
          message: "m",
          severity: "blocker",
          remediation: "do X",
        },
      ],
    };
    const { findings } = await runChecks([override, everyPod], ctx([pod("q")]));
    expect(findings[0]).toMatchObject({ severity: "blocker", remediation: "do X" });
    expect(findings[1]).toMatchObject({ severity: "high", remediation: "nothing" });
    expect(verdictOf(findings)).toBe("blocked");
    expect(anyAtOrAbove(findings, "blocker")).toBe(true);
    expect(anyAtOrAbove(findings.slice(1), "blocker")).toBe(false);
  });

  it("is ready with no findings", () => {
    expect(verdictOf([])).toBe("ready");
  });

  it("has every check that reads Helm releases say where it could not look, as info, and no other check", async () => {
    const helmCheck: Check = { ...everyPod, id: "TEST-HELM", reads: ["helmReleases"], evaluate: () => [] };
    const ctx = contextFromObjects([pod("a")], {
      serverVersion: "v1.31.0",
      target: "1.32",
      secrets: {
        helmUnreadable: [
          { namespace: "monitoring", reason: "not in UPSHIFT_HELM_NAMESPACES" },
          { namespace: "kube-system", reason: "HTTP 403 listing its Secrets" },
        ],
        refs: new Map(),
        refsUnreadable: [],
      },
    });
    const { findings } = await runChecks([helmCheck, everyPod], ctx);
    const notEvaluated = findings.filter((f) => f.check === "TEST-HELM");
    expect(notEvaluated.map((f) => [f.severity, f.object, f.message])).toEqual([
      [
        "info",
        { apiVersion: "v1", kind: "Namespace", name: "kube-system" },
        "TEST-HELM not evaluated: no access to Secrets in namespace kube-system (HTTP 403 listing its Secrets).",
      ],
      [
        "info",
        { apiVersion: "v1", kind: "Namespace", name: "monitoring" },
        "TEST-HELM not evaluated: no access to Secrets in namespace monitoring (not in UPSHIFT_HELM_NAMESPACES).",
      ],
    ]);
    expect(findings.filter((f) => f.check === "TEST-01")).toHaveLength(1);
    // Info only: it never changes the verdict.
    expect(verdictOf(notEvaluated)).toBe("ready");
  });
});
