// The release gate every release-specific check uses: a minor X is crossed when current < X ≤ target.
import { describe, expect, it } from "vitest";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { crossedMinors, minorOf, targetAtOrPast } from "../../src/checks/releaseGate.ts";
import { RESOURCES } from "../../src/kube/resources.ts";

const ctx = (server: string, target: string) => contextFromObjects([], { serverVersion: server, target });

describe("release gates", () => {
  it("crosses X only when current < X ≤ target, oldest first", () => {
    const minors = ["1.37", "1.35", "1.36"];
    expect(crossedMinors(ctx("v1.34.2", "1.35"), minors)).toEqual(["1.35"]);
    expect(crossedMinors(ctx("v1.34.2", "1.37"), minors)).toEqual(["1.35", "1.36", "1.37"]);
    expect(crossedMinors(ctx("v1.35.0", "1.35"), minors)).toEqual([]); // a patch upgrade crosses nothing
    expect(crossedMinors(ctx("v1.36.1", "1.35"), minors)).toEqual([]); // nor does a downgrade
    expect(crossedMinors(ctx("v1.35.4-eks-1234", "v1.36.0"), minors)).toEqual(["1.36"]);
  });

  it("can judge from another current version (a node's kubelet) than the server's", () => {
    expect(crossedMinors(ctx("v1.35.0", "1.36"), ["1.35"], "v1.34.9")).toEqual(["1.35"]);
    expect(crossedMinors(ctx("v1.35.0", "1.36"), ["1.35"])).toEqual([]);
    expect(targetAtOrPast(ctx("v1.35.0", "1.36"), "1.35")).toBe(true);
  });

  it("refuses malformed table entries instead of never firing", () => {
    expect(() => minorOf("1.35.1")).toThrow('"1.35.1" is not MAJOR.MINOR');
    expect(() => minorOf("135")).toThrow();
  });

  it("every check that declares appliesTo lists well-formed minors", () => {
    for (const c of allChecks)
      for (const m of c.appliesTo ?? []) expect(() => minorOf(m), `${c.id} ${m}`).not.toThrow();
  });

  it("no check throws on odd objects when the upgrade crosses every gated minor", async () => {
    const odd = Object.values(RESOURCES).flatMap((def) => [
      { apiVersion: def.apiVersion, kind: def.kind },
      {
        apiVersion: def.apiVersion,
        kind: def.kind,
        metadata: { name: "x", namespace: "kube-system" },
        spec: 5,
        status: "?",
        data: 7,
      },
      {
        apiVersion: def.apiVersion,
        kind: def.kind,
        metadata: { name: "kube-proxy", namespace: "kube-system", labels: { component: "kube-apiserver" } },
        spec: {
          containers: "no",
          volumes: [null, 3, { gitRepo: 1 }],
          externalIPs: "1.2.3.4",
          template: { spec: null },
        },
        status: { nodeInfo: { kernelVersion: 5, osImage: null } },
        data: { kubelet: "featureGates: [", "config.conf": 42 },
      },
      {
        apiVersion: def.apiVersion,
        kind: def.kind,
        metadata: { name: "kubelet-config", namespace: "kube-system" },
        data: { kubelet: "featureGates: 3\nfailCgroupV1: maybe\n", "config.conf": "mode: 7\nfeatureGates: [a]\n" },
      },
    ]);
    const context = contextFromObjects(odd, {
      serverVersion: "v1.30.0",
      target: "1.38",
      kubeletMetrics: {
        byNode: new Map([["x", 'kubelet_cgroup_version{ garbage\nkubelet_cri_losing_support{version="1.38"} NaN\n']]),
      },
    });
    for (const c of allChecks) {
      const findings = await c.evaluate(context);
      for (const f of findings) {
        expect(f.object.name, c.id).toBeTruthy();
        expect(f.message, c.id).toBeTruthy();
      }
    }
  });
});
