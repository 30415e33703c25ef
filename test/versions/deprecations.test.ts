import { describe, expect, it } from "vitest";
import { DEPRECATIONS, removedApi, removedAtOrBefore, splitApiVersion } from "../../src/versions/deprecations.ts";
import { parseKubeVersion } from "../../src/versions/kube.ts";

const v = (s: string) => parseKubeVersion(s)!;

describe("deprecations", () => {
  it("finds removals by apiVersion and kind", () => {
    expect(removedApi("extensions/v1beta1", "Ingress")).toMatchObject({
      removedIn: "1.22",
      replacement: "networking.k8s.io/v1",
    });
    expect(removedApi("extensions/v1beta1", "Deployment")).toMatchObject({ removedIn: "1.16", replacement: "apps/v1" });
    expect(removedApi("policy/v1beta1", "PodSecurityPolicy")).toMatchObject({
      removedIn: "1.25",
      replacement: undefined,
    });
    expect(removedApi("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema")?.removedIn).toBe("1.32");
    expect(removedApi("networking.k8s.io/v1", "Ingress")).toBeUndefined();
    expect(removedApi("v1", "Pod")).toBeUndefined();
  });

  it("compares the removal with the target", () => {
    expect(removedAtOrBefore("autoscaling/v2beta2", "HorizontalPodAutoscaler", v("1.25"))).toBeUndefined();
    expect(removedAtOrBefore("autoscaling/v2beta2", "HorizontalPodAutoscaler", v("1.26"))?.replacement).toBe(
      "autoscaling/v2",
    );
    expect(removedAtOrBefore("storage.k8s.io/v1beta1", "CSIStorageCapacity", v("1.30.2"))?.removedIn).toBe("1.27");
    expect(removedAtOrBefore("storage.k8s.io/v1beta1", "CSIStorageCapacity", v("1.26"))).toBeUndefined();
  });

  it("has one row per group/version/kind, each deprecated no later than removed", () => {
    const keys = DEPRECATIONS.map((d) => `${d.group}/${d.version}/${d.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of DEPRECATIONS) {
      expect(v(d.deprecatedIn).minor).toBeLessThanOrEqual(v(d.removedIn).minor);
    }
    expect(splitApiVersion("v1")).toEqual({ group: "", version: "v1" });
  });
});
