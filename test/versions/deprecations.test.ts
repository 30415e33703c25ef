import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import lifecycle from "../../src/versions/apiLifecycle.json" with { type: "json" };
import {
  DEPRECATIONS,
  type Deprecation,
  formatApiVersion,
  removedApi,
  removedAtOrBefore,
  replacementAt,
  splitApiVersion,
} from "../../src/versions/deprecations.ts";
import { extract, type LifecycleData, type LifecycleKind } from "../../src/versions/extractApiLifecycle.ts";
import { minorAtOrBefore, parseKubeVersion } from "../../src/versions/kube.ts";

const v = (s: string) => parseKubeVersion(s)!;
const minor = (s: string) => v(s).minor;
const data = lifecycle as LifecycleData;
const key = (k: { group: string; version: string; kind: string }) => `${k.group}/${k.version}/${k.kind}`;
const facts = new Map(data.kinds.map((k) => [key(k), k]));
const isPrerelease = (version: string) => /^v\d+(alpha|beta)\d+$/.test(version);

/** The minor that stops serving a kind per k8s.io/api: its lifecycle Removed, or the release that deleted its types. */
function servingEnds(k: LifecycleKind): string | undefined {
  const head = minor(data.headMinor);
  const deleted = minor(k.lastInTree) < head ? `1.${minor(k.lastInTree) + 1}` : undefined;
  const candidates = [k.removed, deleted].filter((x): x is string => x !== undefined);
  return candidates.sort((a, b) => minor(a) - minor(b))[0];
}

// Kinds of alpha/beta versions the table leaves out on purpose: subresource bodies and webhook or
// discovery payloads no manifest or list names, and alphas still served with no removal known.
const NOT_TABLED = new Set([
  "admission.k8s.io/v1beta1/AdmissionReview",
  "apidiscovery.k8s.io/v2beta1/APIGroupDiscovery",
  "apps/v1beta1/DeploymentRollback",
  "apps/v1beta1/Scale",
  "apps/v1beta2/Scale",
  "extensions/v1beta1/DeploymentRollback",
  "extensions/v1beta1/Scale",
  "extensions/v1beta1/ReplicationControllerDummy",
  "batch/v1beta1/JobTemplate",
  "batch/v2alpha1/JobTemplate",
  "policy/v1beta1/Eviction",
  "imagepolicy.k8s.io/v1alpha1/ImageReview",
  "internal.apiserver.k8s.io/v1alpha1/StorageVersion",
]);

// Alphas of the snapshot's own release without lifecycle data (scheduling v1alpha3 arrived in 1.37).
const STILL_SERVED = new Set([
  "scheduling.k8s.io/v1alpha3/Workload",
  "scheduling.k8s.io/v1alpha3/PodGroup",
  "scheduling.k8s.io/v1alpha3/CompositePodGroup",
]);

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
    // apps/v1beta1 never had ReplicaSet (k8s.io/api registers none there).
    expect(removedApi("apps/v1beta1", "ReplicaSet")).toBeUndefined();
  });

  it("compares the removal with the target", () => {
    expect(removedAtOrBefore("autoscaling/v2beta2", "HorizontalPodAutoscaler", v("1.25"))).toBeUndefined();
    expect(removedAtOrBefore("autoscaling/v2beta2", "HorizontalPodAutoscaler", v("1.26"))?.replacement).toBe(
      "autoscaling/v2",
    );
    expect(removedAtOrBefore("storage.k8s.io/v1beta1", "CSIStorageCapacity", v("1.30.2"))?.removedIn).toBe("1.27");
    expect(removedAtOrBefore("storage.k8s.io/v1beta1", "CSIStorageCapacity", v("1.26"))).toBeUndefined();
  });

  // Each removal minor the table knows, at the minor and one before it (still served: near miss).
  it.each([
    ["auditregistration.k8s.io/v1alpha1", "AuditSink", "1.19"],
    ["settings.k8s.io/v1alpha1", "PodPreset", "1.20"],
    ["batch/v2alpha1", "CronJob", "1.21"],
    ["discovery.k8s.io/v1alpha1", "EndpointSlice", "1.21"],
    ["flowcontrol.apiserver.k8s.io/v1alpha1", "FlowSchema", "1.21"],
    ["node.k8s.io/v1alpha1", "RuntimeClass", "1.22"],
    ["rbac.authorization.k8s.io/v1alpha1", "ClusterRole", "1.23"],
    ["scheduling.k8s.io/v1alpha1", "PriorityClass", "1.23"],
    ["storage.k8s.io/v1alpha1", "VolumeAttachment", "1.24"],
    ["batch/v1beta1", "CronJob", "1.25"],
    ["flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", "1.26"],
    ["resource.k8s.io/v1alpha1", "ResourceClaim", "1.27"],
    ["networking.k8s.io/v1alpha1", "ClusterCIDR", "1.29"],
    ["resource.k8s.io/v1alpha2", "ResourceClass", "1.31"],
    ["coordination.k8s.io/v1alpha1", "LeaseCandidate", "1.32"],
    ["admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicy", "1.32"],
    ["networking.k8s.io/v1alpha1", "ServiceCIDR", "1.33"],
    ["admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicyBinding", "1.34"],
    ["resource.k8s.io/v1alpha3", "ResourceClaim", "1.34"],
    ["storage.k8s.io/v1alpha1", "VolumeAttributesClass", "1.35"],
    ["storagemigration.k8s.io/v1alpha1", "StorageVersionMigration", "1.35"],
    ["scheduling.k8s.io/v1alpha1", "Workload", "1.36"],
    ["storage.k8s.io/v1beta1", "VolumeAttributesClass", "1.37"],
    ["networking.k8s.io/v1beta1", "IPAddress", "1.37"],
    ["certificates.k8s.io/v1alpha1", "ClusterTrustBundle", "1.37"],
    ["scheduling.k8s.io/v1alpha2", "PodGroup", "1.37"],
    ["admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicy", "1.38"],
    ["resource.k8s.io/v1beta1", "ResourceClaimTemplate", "1.38"],
    ["coordination.k8s.io/v1beta1", "LeaseCandidate", "1.39"],
    ["resource.k8s.io/v1beta2", "DeviceClass", "1.39"],
    ["admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy", "1.40"],
    ["certificates.k8s.io/v1beta1", "ClusterTrustBundle", "1.40"],
  ])("%s %s stops being served at %s, not before", (apiVersion, kind, removed) => {
    expect(removedAtOrBefore(apiVersion, kind, v(removed))?.removedIn).toBe(removed);
    expect(removedAtOrBefore(apiVersion, kind, v(`1.${minor(removed) - 1}.9`))).toBeUndefined();
  });

  it("keeps still-served versions out of the table", () => {
    for (const [apiVersion, kind] of [
      ["resource.k8s.io/v1", "ResourceClaim"],
      ["admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"],
      ["scheduling.k8s.io/v1beta1", "Workload"],
      ["storagemigration.k8s.io/v1", "StorageVersionMigration"],
      ["networking.k8s.io/v1", "ServiceCIDR"],
      ["flowcontrol.apiserver.k8s.io/v1", "FlowSchema"],
    ])
      expect(removedApi(apiVersion, kind), `${apiVersion} ${kind}`).toBeUndefined();
  });

  it("fixes the rows the issue named wrong", () => {
    expect(removedApi("rbac.authorization.k8s.io/v1alpha1", "Role")?.removedIn).toBe("1.23");
    expect(removedApi("scheduling.k8s.io/v1alpha1", "PriorityClass")?.removedIn).toBe("1.23");
    // resource.k8s.io/v1 exists from 1.34 only; before it the betas (and v1alpha3) carry claims.
    const claim = removedApi("resource.k8s.io/v1alpha2", "ResourceClaim")!;
    expect([31, 32, 33, 34, 38].map((m) => replacementAt(claim, v(`1.${m}`)))).toEqual([
      "resource.k8s.io/v1alpha3",
      "resource.k8s.io/v1beta1",
      "resource.k8s.io/v1beta2",
      "resource.k8s.io/v1",
      "resource.k8s.io/v1",
    ]);
    expect(replacementAt(removedApi("resource.k8s.io/v1alpha2", "ResourceClass")!, v("1.31"))).toBeUndefined();
    // extensions/v1beta1 PodSecurityPolicy: policy/v1beta1 only while that was served, then nothing.
    const psp = removedApi("extensions/v1beta1", "PodSecurityPolicy")!;
    expect(replacementAt(psp, v("1.20"))).toBe("policy/v1beta1");
    expect(replacementAt(psp, v("1.25"))).toBeUndefined();
    expect(psp.replacement).toBeUndefined();
    // FlowSchema v1beta1 (gone in 1.26) moves to v1beta3 on 1.26-1.28 and to v1 from 1.29.
    const fs = removedApi("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema")!;
    expect(replacementAt(fs, v("1.26"))).toBe("flowcontrol.apiserver.k8s.io/v1beta3");
    expect(replacementAt(fs, v("1.29"))).toBe("flowcontrol.apiserver.k8s.io/v1");
  });

  it("marks the removals whose objects must be deleted before the upgrade, with the release note", () => {
    const marked = DEPRECATIONS.filter((d) => d.deleteBeforeUpgrade).map((d) => `${formatApiVersion(d)} ${d.kind}`);
    expect(marked.sort()).toEqual([
      "coordination.k8s.io/v1alpha1 LeaseCandidate",
      "scheduling.k8s.io/v1alpha2 PodGroup",
      "scheduling.k8s.io/v1alpha2 Workload",
      "storagemigration.k8s.io/v1alpha1 StorageVersionMigration",
    ]);
    for (const d of DEPRECATIONS.filter((x) => x.deleteBeforeUpgrade))
      expect(d.deleteBeforeUpgrade).toMatch(/#\d+ \(v1\.\d+\)/);
  });

  it("has one row per group/version/kind, each deprecated no later than removed, all within 1.16-1.40", () => {
    const keys = DEPRECATIONS.map(key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of DEPRECATIONS) {
      expect(minor(d.deprecatedIn), key(d)).toBeLessThanOrEqual(minor(d.removedIn));
      expect(minor(d.removedIn), key(d)).toBeGreaterThanOrEqual(16);
      expect(minor(d.removedIn), key(d)).toBeLessThanOrEqual(40);
      expect(d.basis === "guide" || d.basis === "release-note" ? d.source : "ok", key(d)).toBeTruthy();
    }
    expect(splitApiVersion("v1")).toEqual({ group: "", version: "v1" });
  });
});

// The extractor walks every release tag of the kubernetes/api clone: seconds, or tens of them under load.
describe("deprecations against k8s.io/api's lifecycle data (src/versions/apiLifecycle.json)", {
  timeout: 120_000,
}, () => {
  it("was extracted from a named kubernetes/api commit", () => {
    expect(data.source).toBe("https://github.com/kubernetes/api");
    expect(data.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(data.kinds.length).toBeGreaterThan(100);
  });

  it.each(DEPRECATIONS.map((d) => [key(d), d] as [string, Deprecation]))("%s matches the data", (_, d) => {
    const k = facts.get(key(d));
    if (d.basis === "guide") {
      // Not a k8s.io/api type at all.
      expect(k).toBeUndefined();
      return;
    }
    expect(k, "k8s.io/api holds the type").toBeDefined();
    if (!k) return;
    const ends = servingEnds(k);
    if (d.basis === "lifecycle") {
      expect(d.removedIn).toBe(k.removed);
      expect(ends).toBe(k.removed);
    }
    if (d.basis === "deleted") {
      // The release that deleted the types, earlier than any lifecycle Removed.
      expect(`1.${minor(k.lastInTree) + 1}`).toBe(d.removedIn);
      expect(ends).toBe(d.removedIn);
    }
    if (d.basis === "release-note") {
      // Types kept in k8s.io/api without lifecycle data: the release notes are the only source.
      expect(k.removed).toBeUndefined();
      expect(ends === undefined || minor(ends) >= minor(d.removedIn)).toBe(true);
    }
    if (k.deprecated)
      expect(d.deprecatedIn).toBe(minor(k.deprecated) < minor(d.removedIn) ? k.deprecated : d.removedIn);
  });

  it("names every successor with the minors k8s.io/api serves it in", () => {
    for (const d of DEPRECATIONS) {
      for (const succ of d.successors) {
        const { group, version } = splitApiVersion(succ.apiVersion);
        const k = facts.get(key({ group, version, kind: d.kind }));
        if (d.basis === "guide" && !k) continue;
        expect(k, `${key(d)} → ${succ.apiVersion}`).toBeDefined();
        if (!k) continue;
        // A type that appeared after 1.16 (the oldest tag read) appeared at `since`.
        if (minor(k.firstInTree) > 16) expect(succ.since, `${key(d)} → ${succ.apiVersion}`).toBe(k.firstInTree);
        if (succ.until === undefined) {
          expect(
            isPrerelease(version) ? servingEnds(k) : undefined,
            `${succ.apiVersion} ${d.kind} keeps being served`,
          ).toBeUndefined();
        } else {
          const row = removedApi(succ.apiVersion, d.kind);
          expect(row?.removedIn ?? servingEnds(k), `${succ.apiVersion} ${d.kind} until`).toBe(succ.until);
        }
      }
    }
  });

  it("misses no alpha or beta kind whose serving stops in 1.16-1.40", () => {
    const missing: string[] = [];
    for (const k of data.kinds) {
      if (!isPrerelease(k.version) || NOT_TABLED.has(key(k))) continue;
      if (removedApi(`${k.group}/${k.version}`, k.kind)) continue;
      const ends = servingEnds(k);
      if (ends !== undefined && minor(ends) >= 16 && minor(ends) <= 40) missing.push(`${key(k)} (${ends})`);
      // No lifecycle data and types still in the tree: only release notes know whether it is still
      // served, so each such kind is either tabled from them or known to be served.
      if (ends === undefined && !k.deprecated && !STILL_SERVED.has(key(k)))
        missing.push(`${key(k)} (no lifecycle data)`);
    }
    expect(missing).toEqual([]);
  });

  const mirror = "/work/.mirror/kubernetes+api/repo";
  it.skipIf(!existsSync(mirror))(
    "is what the extractor reads from the kubernetes/api clone at that commit (skipped: no clone at /work/.mirror, e.g. in CI)",
    () => {
      const fresh = extract(mirror);
      if (fresh.commit !== data.commit) return; // a newer clone: regenerate the file to pick it up
      expect(fresh).toEqual(data);
    },
  );

  it("target comparisons use minors only", () => {
    expect(minorAtOrBefore(v("1.38"), v("1.38.0"))).toBe(true);
  });
});
