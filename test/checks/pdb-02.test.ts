import { describe, expect, it } from "vitest";
import { pdb02OverlappingPdbs } from "../../src/checks/catalog/pdb-02-overlapping-pdbs.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const pdb = (name: string, ns: string, selector: unknown): KubeObject => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name, namespace: ns },
  spec: { maxUnavailable: 1, selector },
});
const pod = (name: string, ns: string, labels: Record<string, string>, owner?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name,
    namespace: ns,
    labels,
    ownerReferences: owner
      ? [{ apiVersion: "apps/v1", kind: "StatefulSet", name: owner, controller: true }]
      : undefined,
  },
});
const run = (objects: KubeObject[]) =>
  pdb02OverlappingPdbs.evaluate(
    contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" }),
  ) as FindingInput[];

describe("PDB-02 pods under several budgets", () => {
  it("one finding per set of overlapping budgets, naming both budgets and every pod (matchLabels and matchExpressions)", () => {
    const findings = run([
      pod("db-0", "data", { app: "db", tier: "backend" }, "db"),
      pod("db-1", "data", { app: "db", tier: "backend" }, "db"),
      pod("db-debug", "data", { app: "db", tier: "backend" }),
      pdb("db-pdb", "data", { matchLabels: { app: "db" } }),
      pdb("backend-pdb", "data", { matchExpressions: [{ key: "tier", operator: "Exists" }] }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0].object).toEqual({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      namespace: "data",
      name: "backend-pdb",
    });
    expect(findings[0].evidence).toBe(
      "pod db-0 (labels app=db,tier=backend) matched by PodDisruptionBudgets backend-pdb and db-pdb",
    );
    expect(findings[0].message).toBe(
      "PodDisruptionBudgets backend-pdb and db-pdb in namespace data both select 3 pods: StatefulSet data/db (pods db-0 and db-1) and pod db-debug; the eviction API refuses a pod covered by more than one budget, so node drains stall.",
    );
    expect(findings[0].remediation).toBe(
      "Keep one of backend-pdb and db-pdb in namespace data for these pods and delete or narrow the others.",
    );
  });

  it("a different set of budgets is a different problem", () => {
    const findings = run([
      pod("a", "data", { app: "a", team: "x" }),
      pod("b", "data", { app: "b", team: "x" }),
      pdb("team", "data", { matchLabels: { team: "x" } }),
      pdb("a", "data", { matchLabels: { app: "a" } }),
      pdb("b", "data", { matchLabels: { app: "b" } }),
    ]);
    expect(findings.map((f) => f.evidence)).toEqual([
      "pod a (labels app=a,team=x) matched by PodDisruptionBudgets a and team",
      "pod b (labels app=b,team=x) matched by PodDisruptionBudgets b and team",
    ]);
    expect(findings[0].message).toContain("both select 1 pod: pod a;");
  });

  it("decoys: one budget per pod, same labels in another namespace, NotIn, null selector, odd objects", () => {
    expect(
      run([
        pod("a", "data", { app: "db" }),
        pdb("db-pdb", "data", { matchLabels: { app: "db" } }),
        pdb("elsewhere", "other", { matchLabels: { app: "db" } }),
        pdb("notin", "data", { matchExpressions: [{ key: "app", operator: "NotIn", values: ["db"] }] }),
        pdb("nullsel", "data", null),
        pdb("badop", "data", { matchExpressions: [{ key: "app", operator: "Like" }] }),
        { apiVersion: "v1", kind: "Pod" },
        { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
      ]),
    ).toEqual([]);
  });
});
