import { describe, expect, it } from "vitest";
import { pdb01PdbBlocksDrain } from "../../src/checks/catalog/pdb-01-pdb-blocks-drain.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const pdb = (name: string, spec: object, status?: object): KubeObject => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name, namespace: "shop" },
  spec,
  status,
});
const pods = (app: string, n: number, rs: string): KubeObject[] =>
  Array.from({ length: n }, (_, i) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${rs}-${i}`,
      namespace: "shop",
      labels: { app, "pod-template-hash": rs.split("-").pop()! },
      ownerReferences: [{ kind: "ReplicaSet", name: rs, controller: true }],
    },
  }));
const deploy = (name: string, replicas: number): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "shop" },
  spec: { replicas },
});
const run = (objects: KubeObject[]) =>
  pdb01PdbBlocksDrain.evaluate(
    contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" }),
  ) as FindingInput[];

describe("PDB-01 budgets that allow no disruption", () => {
  it("flags maxUnavailable 0, minAvailable equal to replicas, 100%, and disruptionsAllowed 0", () => {
    const findings = run([
      ...pods("api", 3, "api-7c9b8d6f5"),
      deploy("api", 3),
      ...pods("web", 2, "web-5d8f7c9b6"),
      pdb("zero", { maxUnavailable: 0, selector: { matchLabels: { app: "api" } } }),
      pdb("zero-pct", { maxUnavailable: "0%", selector: { matchLabels: { app: "api" } } }),
      pdb("all", { minAvailable: 3, selector: { matchLabels: { app: "api" } } }),
      pdb("hundred", {
        minAvailable: "100%",
        selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
      }),
      pdb(
        "status",
        { minAvailable: 1, selector: { matchLabels: { app: "other" } } },
        { disruptionsAllowed: 0, expectedPods: 1, currentHealthy: 0 },
      ),
    ]);
    expect(findings.map((f) => [f.object.name, f.evidence])).toEqual([
      ["zero", "spec.maxUnavailable=0"],
      ["zero-pct", 'spec.maxUnavailable="0%"'],
      ["all", "spec.minAvailable=3 >= 3 pods (replicas of selected pods)"],
      ["hundred", 'spec.minAvailable="100%" >= 2 pods (replicas of selected pods)'],
      [
        "status",
        "spec.minAvailable=1 >= 1 pods (status.expectedPods); status.disruptionsAllowed=0 with status.expectedPods=1",
      ],
    ]);
    expect(findings[0].object).toEqual({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      namespace: "shop",
      name: "zero",
    });
    expect(findings[0].message).toContain("allows no pod to be evicted");
  });

  it("decoys: budgets with room, a budget selecting nothing, odd objects", () => {
    expect(
      run([
        ...pods("api", 3, "api-7c9b8d6f5"),
        deploy("api", 3),
        pdb(
          "room",
          { maxUnavailable: 1, selector: { matchLabels: { app: "api" } } },
          { disruptionsAllowed: 1, expectedPods: 3 },
        ),
        pdb("min2", { minAvailable: 2, selector: { matchLabels: { app: "api" } } }),
        pdb("pct", { minAvailable: "50%", selector: { matchLabels: { app: "api" } } }),
        pdb(
          "nothing",
          { minAvailable: 1, selector: { matchLabels: { app: "ghost" } } },
          { disruptionsAllowed: 0, expectedPods: 0 },
        ),
        pdb("odd", { minAvailable: "lots", selector: "x" }),
        { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
      ]),
    ).toEqual([]);
  });
});
