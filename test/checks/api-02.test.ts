import { describe, expect, it } from "vitest";
import { API02_READS, api02LastAppliedRemovedApis } from "../../src/checks/catalog/api-02-last-applied-removed-apis.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { readSnapshot } from "../../src/checks/snapshot.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type KubeObject, RESOURCES } from "../../src/kube/resources.ts";
import { startSandbox } from "../../src/sandbox/index.ts";
import { DEPRECATIONS } from "../../src/versions/deprecations.ts";

const LA = "kubectl.kubernetes.io/last-applied-configuration";
function withLastApplied(
  apiVersion: string,
  kind: string,
  name: string,
  source: unknown,
  namespace: string | undefined = "apps",
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace,
      annotations: { [LA]: typeof source === "string" ? source : JSON.stringify(source) },
    },
  };
}

describe("API-02 last-applied manifest uses removed APIs", () => {
  it("flags live objects whose source manifest used a removed API, and says so", async () => {
    const objects = [
      withLastApplied("networking.k8s.io/v1", "Ingress", "web", { apiVersion: "extensions/v1beta1", kind: "Ingress" }),
      withLastApplied("autoscaling/v2", "HorizontalPodAutoscaler", "web", {
        apiVersion: "autoscaling/v2beta2",
        kind: "HorizontalPodAutoscaler",
      }),
      // decoys: current API, broken JSON, no annotation, removed only after the target
      withLastApplied("apps/v1", "Deployment", "ok", { apiVersion: "apps/v1", kind: "Deployment" }),
      withLastApplied("apps/v1", "Deployment", "junk", "{not json"),
      withLastApplied("apps/v1", "Deployment", "null", "null"),
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "plain" } },
      { apiVersion: "apps/v1", kind: "StatefulSet" },
    ];
    const findings = await api02LastAppliedRemovedApis.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.24.1", target: "1.25" }),
    );
    expect(findings.map((f) => [f.object.kind, f.object.apiVersion, f.object.name, f.evidence])).toEqual([
      ["Ingress", "networking.k8s.io/v1", "web", `annotation ${LA}: apiVersion=extensions/v1beta1 kind=Ingress`],
    ]);
    expect(findings[0].message).toContain("in its source manifest");
    expect(findings[0].remediation).toContain("networking.k8s.io/v1");

    const at126 = await api02LastAppliedRemovedApis.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.25.1", target: "1.26" }),
    );
    expect(at126.map((f) => f.object.kind)).toEqual(["Ingress", "HorizontalPodAutoscaler"]);
    expect(api02LastAppliedRemovedApis.severity).toBe("high");
  });

  // The kinds the table names beyond the first ten, each in the version the check lists it in, at
  // its removal minor; the same objects one minor earlier are near misses.
  const LATER_KINDS: Array<[string, string, string, string, string]> = [
    // [listed as, kind, applied as, removed in, replacement named]
    ["batch/v1", "CronJob", "batch/v1beta1", "1.25", "batch/v1"],
    [
      "rbac.authorization.k8s.io/v1",
      "ClusterRole",
      "rbac.authorization.k8s.io/v1beta1",
      "1.22",
      "rbac.authorization.k8s.io/v1",
    ],
    [
      "rbac.authorization.k8s.io/v1",
      "RoleBinding",
      "rbac.authorization.k8s.io/v1alpha1",
      "1.23",
      "rbac.authorization.k8s.io/v1",
    ],
    [
      "admissionregistration.k8s.io/v1",
      "MutatingWebhookConfiguration",
      "admissionregistration.k8s.io/v1beta1",
      "1.22",
      "admissionregistration.k8s.io/v1",
    ],
    [
      "admissionregistration.k8s.io/v1",
      "ValidatingAdmissionPolicy",
      "admissionregistration.k8s.io/v1beta1",
      "1.34",
      "admissionregistration.k8s.io/v1",
    ],
    [
      "admissionregistration.k8s.io/v1",
      "MutatingAdmissionPolicyBinding",
      "admissionregistration.k8s.io/v1alpha1",
      "1.38",
      "admissionregistration.k8s.io/v1",
    ],
    ["apiregistration.k8s.io/v1", "APIService", "apiregistration.k8s.io/v1beta1", "1.22", "apiregistration.k8s.io/v1"],
    ["storage.k8s.io/v1", "StorageClass", "storage.k8s.io/v1beta1", "1.22", "storage.k8s.io/v1"],
    ["storage.k8s.io/v1", "CSIDriver", "storage.k8s.io/v1beta1", "1.22", "storage.k8s.io/v1"],
    ["storage.k8s.io/v1", "VolumeAttributesClass", "storage.k8s.io/v1beta1", "1.37", "storage.k8s.io/v1"],
    ["scheduling.k8s.io/v1", "PriorityClass", "scheduling.k8s.io/v1alpha1", "1.23", "scheduling.k8s.io/v1"],
    ["node.k8s.io/v1", "RuntimeClass", "node.k8s.io/v1beta1", "1.25", "node.k8s.io/v1"],
    ["discovery.k8s.io/v1", "EndpointSlice", "discovery.k8s.io/v1beta1", "1.25", "discovery.k8s.io/v1"],
    ["networking.k8s.io/v1", "NetworkPolicy", "extensions/v1beta1", "1.16", "networking.k8s.io/v1"],
    ["networking.k8s.io/v1", "IngressClass", "networking.k8s.io/v1beta1", "1.22", "networking.k8s.io/v1"],
    ["networking.k8s.io/v1", "ServiceCIDR", "networking.k8s.io/v1beta1", "1.37", "networking.k8s.io/v1"],
    // On 1.32 flowcontrol v1 is served: the finding names it, not the also-removed v1beta3.
    [
      "flowcontrol.apiserver.k8s.io/v1",
      "FlowSchema",
      "flowcontrol.apiserver.k8s.io/v1beta3",
      "1.32",
      "flowcontrol.apiserver.k8s.io/v1",
    ],
    [
      "flowcontrol.apiserver.k8s.io/v1",
      "PriorityLevelConfiguration",
      "flowcontrol.apiserver.k8s.io/v1beta2",
      "1.29",
      "flowcontrol.apiserver.k8s.io/v1",
    ],
    ["resource.k8s.io/v1", "DeviceClass", "resource.k8s.io/v1beta1", "1.38", "resource.k8s.io/v1"],
    ["resource.k8s.io/v1", "ResourceClaimTemplate", "resource.k8s.io/v1beta2", "1.39", "resource.k8s.io/v1"],
    ["resource.k8s.io/v1", "ResourceClaim", "resource.k8s.io/v1alpha3", "1.34", "resource.k8s.io/v1"],
  ];

  it.each(LATER_KINDS)(
    "reads %s %s applied as %s: removed in %s",
    async (listed, kind, applied, removed, successor) => {
      const minor = Number(removed.split(".")[1]);
      const def = Object.values(RESOURCES).find((d) => d.apiVersion === listed && d.kind === kind)!;
      expect(def, `${listed} ${kind} is in RESOURCES`).toBeDefined();
      const obj = withLastApplied(
        listed,
        kind,
        "x",
        { apiVersion: applied, kind },
        def.namespaced ? "apps" : undefined,
      );
      const hit = await api02LastAppliedRemovedApis.evaluate(
        contextFromObjects([obj], { serverVersion: `v1.${minor - 1}.3`, target: removed }),
      );
      expect(hit.map((f) => f.evidence)).toEqual([`annotation ${LA}: apiVersion=${applied} kind=${kind}`]);
      expect(hit[0].message).toContain(`Kubernetes ${removed} no longer serves it`);
      expect(hit[0].remediation).toContain(`to apiVersion ${successor}`);
      const nearMiss = await api02LastAppliedRemovedApis.evaluate(
        contextFromObjects([obj], { serverVersion: `v1.${minor - 2}.3`, target: `1.${minor - 1}` }),
      );
      expect(nearMiss).toEqual([]);
    },
  );

  it("names no successor where none is served at the target (classic DRA, PodSecurityPolicy)", async () => {
    const obj = withLastApplied("resource.k8s.io/v1", "ResourceClaimTemplate", "old", {
      apiVersion: "resource.k8s.io/v1alpha2",
      kind: "ResourceClaimTemplate",
    });
    const [f] = await api02LastAppliedRemovedApis.evaluate(
      contextFromObjects([obj], { serverVersion: "v1.30.2", target: "1.31" }),
    );
    // On 1.31 the only successor is v1alpha3, and it is not a drop-in: the note says so.
    expect(f.remediation).toContain("resource.k8s.io/v1alpha3 (classic DRA was removed");
  });

  // Kinds of the table API-02 does not read, each with the reason (see the check's header).
  const NOT_READ: Record<string, string> = {
    ControllerRevision: "made by controllers",
    PodSecurityPolicy: "no served version left to list",
    TokenReview: "never stored",
    SubjectAccessReview: "never stored",
    LocalSubjectAccessReview: "never stored",
    SelfSubjectAccessReview: "never stored",
    SelfSubjectRulesReview: "never stored",
    SelfSubjectReview: "never stored",
    CertificateSigningRequest: "made by kubelets and short-lived",
    Lease: "made by components",
    LeaseCandidate: "made by components",
    CSINode: "made by the kubelet",
    VolumeAttachment: "made by the attach/detach controller",
    CSIStorageCapacity: "made by CSI drivers",
    Event: "never applied",
    AuditSink: "no served version left",
    PodPreset: "no served version left",
    ClusterCIDR: "no served version left",
    PodScheduling: "no served version left",
    PodSchedulingContext: "no served version left",
    ResourceClass: "no served version left",
    ResourceClaimParameters: "no served version left",
    ResourceClassParameters: "no served version left",
    ResourceSlice: "published by DRA drivers",
    IPAddress: "made by the Service IP allocator",
    DeviceTaintRule: "alpha/beta only until 1.37",
    ClusterTrustBundle: "no GA version before 1.37",
    PodCertificateRequest: "made by the kubelet",
    StorageVersionMigration: "API-05 (objects of the removed alpha)",
    Workload: "API-05 (objects of the removed alpha)",
    PodGroup: "API-05 (objects of the removed alpha)",
  };

  it("reads every kind the removal table names, unless it says why not", () => {
    const read = new Set<string>(API02_READS.map((k) => RESOURCES[k].kind));
    const unread = [...new Set(DEPRECATIONS.map((d) => d.kind))].filter((k) => !read.has(k) && !(k in NOT_READ));
    expect(unread).toEqual([]);
    for (const k of Object.keys(NOT_READ)) expect(read.has(k), k).toBe(false);
  });
});

describe("API-02 reading EndpointSlices", () => {
  it("lists only slices the EndpointSlice controller did not make, through the API server's selector", async () => {
    const slice = (name: string, labels: Record<string, string>, source?: string): KubeObject => ({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      addressType: "IPv4",
      metadata: {
        name,
        namespace: "apps",
        labels,
        ...(source ? { annotations: { [LA]: JSON.stringify({ apiVersion: source, kind: "EndpointSlice" }) } } : {}),
      },
    });
    const sandbox = await startSandbox({
      objects: [
        slice("web-abc12", { "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" }),
        slice("external-db", {}, "discovery.k8s.io/v1beta1"),
      ],
    });
    try {
      const client = ClusterDirectory.fromString(sandbox.kubeconfig("t")).client("t");
      const snap = await readSnapshot(client, ["endpointslices"]);
      expect(snap.lists.get("endpointslices")?.map((o) => o.metadata?.name)).toEqual(["external-db"]);
      const findings = await api02LastAppliedRemovedApis.evaluate(
        contextFromObjects(snap.lists.get("endpointslices") ?? [], { serverVersion: "v1.24.3", target: "1.25" }),
      );
      expect(findings.map((f) => f.object.name)).toEqual(["external-db"]);
    } finally {
      await sandbox.close();
    }
  });
});
