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
  it("reports once per owner with the overlapping budgets (matchLabels and matchExpressions)", () => {
    const findings = run([
      pod("db-0", "data", { app: "db", tier: "backend" }, "db"),
      pod("db-1", "data", { app: "db", tier: "backend" }, "db"),
      pdb("db-pdb", "data", { matchLabels: { app: "db" } }),
      pdb("backend-pdb", "data", { matchExpressions: [{ key: "tier", operator: "Exists" }] }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0].object).toEqual({ apiVersion: "apps/v1", kind: "StatefulSet", namespace: "data", name: "db" });
    expect(findings[0].evidence).toBe(
      "pod db-0 (labels app=db,tier=backend) matched by PodDisruptionBudgets backend-pdb, db-pdb",
    );
    expect(findings[0].message).toContain("covered by 2 PodDisruptionBudgets (backend-pdb, db-pdb)");
    expect(findings[0].message).toContain("(2 pods)");
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
