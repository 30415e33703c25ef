import { describe, expect, it } from "vitest";
import { api01HelmRemovedApis } from "../../src/checks/catalog/api-01-helm-removed-apis.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const oldManifest = `---
# Source: web/templates/ingress.yaml
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: web
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: elsewhere
---
apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
kind: FlowSchema
metadata:
  name: fs
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
`;

function run(objects: KubeObject[], target = "1.25") {
  return api01HelmRemovedApis.evaluate(contextFromObjects(objects, { serverVersion: "v1.24.9", target }));
}

describe("API-01 Helm release manifest uses removed APIs", () => {
  it("flags objects of the newest deployed revision removed at or before the target", async () => {
    const findings = await run([
      helmReleaseSecret({
        name: "web",
        namespace: "apps",
        revision: 2,
        status: "deployed",
        chart: "web-1.0.0",
        manifest: oldManifest,
      }),
    ]);
    expect(findings.map((f) => [f.object.kind, f.object.apiVersion, f.object.namespace, f.object.name])).toEqual([
      ["Ingress", "networking.k8s.io/v1beta1", "apps", "web"],
      ["PodDisruptionBudget", "policy/v1beta1", "elsewhere", "web"],
    ]);
    expect(findings[0].evidence).toBe(
      "release web revision 2 manifest: apiVersion=networking.k8s.io/v1beta1 kind=Ingress",
    );
    expect(findings[0].message).toContain("Kubernetes 1.22 no longer serves");
    expect(findings[0].remediation).toContain("helm mapkubeapis web -n apps");
    expect(findings[0].severity).toBeUndefined(); // the check's blocker default applies
    expect(api01HelmRemovedApis.severity).toBe("blocker");
  });

  it("uses the target: FlowSchema v1beta3 only from 1.32", async () => {
    const s = helmReleaseSecret({
      name: "web",
      namespace: "apps",
      revision: 2,
      status: "deployed",
      chart: "web-1.0.0",
      manifest: oldManifest,
    });
    const findings = await run([s], "1.32");
    expect(findings.map((f) => f.object.kind)).toEqual(["Ingress", "PodDisruptionBudget", "FlowSchema"]);
    expect(await run([s], "1.21")).toEqual([]);
  });

  it("ignores superseded and pending revisions: only the newest deployed counts", async () => {
    const findings = await run([
      helmReleaseSecret({
        name: "web",
        namespace: "apps",
        revision: 1,
        status: "superseded",
        chart: "web-0.9.0",
        manifest: oldManifest,
      }),
      helmReleaseSecret({
        name: "web",
        namespace: "apps",
        revision: 2,
        status: "deployed",
        chart: "web-1.0.0",
        manifest: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n",
      }),
      helmReleaseSecret({
        name: "web",
        namespace: "apps",
        revision: 3,
        status: "pending-upgrade",
        chart: "web-1.1.0",
        manifest: oldManifest,
      }),
    ]);
    expect(findings).toEqual([]);
  });

  it("reports an undecodable release as info and does not throw on odd Secrets", async () => {
    const bad: KubeObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "sh.helm.release.v1.bad.v1",
        namespace: "apps",
        labels: { owner: "helm", name: "bad", status: "deployed", version: "1" },
      },
      type: "helm.sh/release.v1",
      data: { release: "!!!" },
    };
    const noLabels: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { labels: { owner: "helm" } } };
    const findings = await run([bad, noLabels]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: "info",
      object: { kind: "Secret", namespace: "apps", name: "sh.helm.release.v1.bad.v1" },
      evidence: "data.release: data.release is neither base64, gzip nor JSON",
    });
  });

  it("knows the removals after 1.32 and names the successor served at the target", async () => {
    const manifest = `---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata:
  name: require-labels
---
apiVersion: resource.k8s.io/v1beta1
kind: ResourceClaimTemplate
metadata:
  name: gpu
`;
    const release = helmReleaseSecret({
      name: "policies",
      namespace: "ops",
      revision: 4,
      status: "deployed",
      chart: "policies-0.9.0",
      manifest,
    });
    const at = (server: string, target: string) =>
      api01HelmRemovedApis.evaluate(contextFromObjects([release], { serverVersion: server, target }));
    // 1.34 → 1.35: the VAP's v1beta1 went in 1.34 (a release still rendering it blocks).
    const vap = await at("v1.34.2", "1.35");
    expect(vap.map((f) => [f.object.kind, f.object.apiVersion])).toEqual([
      ["ValidatingAdmissionPolicy", "admissionregistration.k8s.io/v1beta1"],
    ]);
    expect(vap[0].message).toContain("which Kubernetes 1.34 no longer serves; use admissionregistration.k8s.io/v1.");
    // resource.k8s.io/v1beta1 is served through 1.37 and stops at 1.38 (not 1.36).
    expect((await at("v1.36.1", "1.37")).map((f) => f.object.kind)).toEqual(["ValidatingAdmissionPolicy"]);
    const dra = (await at("v1.37.0", "1.38")).find((f) => f.object.kind === "ResourceClaimTemplate");
    expect(dra?.message).toContain("which Kubernetes 1.38 no longer serves; use resource.k8s.io/v1.");
  });
});
