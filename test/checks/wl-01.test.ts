import { describe, expect, it } from "vitest";
import { wl01NoSpread } from "../../src/checks/catalog/wl-01-no-spread.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const wl = (
  kind: "Deployment" | "StatefulSet",
  name: string,
  replicas: number | undefined,
  podSpec: object = {},
): KubeObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name, namespace: "shop" },
  spec: { replicas, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name }], ...podSpec } } },
});
const run = (objects: KubeObject[]) =>
  wl01NoSpread.evaluate(contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" })) as FindingInput[];

describe("WL-01 workloads that go down during node upgrades", () => {
  it("flags one replica (also unset replicas) and several replicas without spread, once per workload", () => {
    const findings = run([
      wl("Deployment", "single", 1),
      wl("Deployment", "defaulted", undefined),
      wl("StatefulSet", "packed", 3),
    ]);
    expect(findings.map((f) => [f.object.kind, f.object.name, f.evidence])).toEqual([
      ["Deployment", "single", "spec.replicas=1"],
      ["Deployment", "defaulted", "spec.replicas=(unset, defaults to 1)"],
      [
        "StatefulSet",
        "packed",
        "spec.replicas=3; spec.template.spec.affinity.podAntiAffinity absent; spec.template.spec.topologySpreadConstraints absent",
      ],
    ]);
    expect(findings[0].message).toBe(
      "Deployment shop/single runs a single replica: it is unavailable while its node is drained during the upgrade.",
    );
  });

  it("decoys: 3 replicas with anti-affinity, 2 with topology spread, scaled to zero, odd objects", () => {
    const anti = {
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                topologyKey: "kubernetes.io/hostname",
                labelSelector: { matchLabels: { app: "api" } },
              },
            },
          ],
        },
      },
    };
    const spread = {
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" },
      ],
    };
    expect(
      run([
        wl("Deployment", "api", 3, anti),
        wl("StatefulSet", "db", 2, spread),
        wl("Deployment", "off", 0),
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "nospec" } },
        { apiVersion: "apps/v1", kind: "Deployment" },
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "weird" }, spec: { replicas: "two" } },
      ]),
    ).toEqual([]);
  });
});
