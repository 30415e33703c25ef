import { describe, expect, it } from "vitest";
import { crd01CrdControllerMismatch } from "../../src/checks/catalog/crd-01-crd-controller-mismatch.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const crd = (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name, labels, annotations },
  spec: { group: name.split(".").slice(1).join("."), versions: [{ name: "v1alpha1", served: true, storage: true }] },
});

const controller = (
  name: string,
  namespace: string,
  labels: Record<string, string>,
  image: string,
  annotations: Record<string, string> = {},
): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace, labels, annotations },
  spec: {
    template: {
      spec: {
        containers: [
          { name: "controller", image },
          { name: "proxy", image: "kube-rbac-proxy:v0.15.0" },
        ],
      },
    },
  },
});

const helmLabels = (instance: string, version: string, chart: string) => ({
  "app.kubernetes.io/instance": instance,
  "app.kubernetes.io/version": version,
  "app.kubernetes.io/managed-by": "Helm",
  "helm.sh/chart": chart,
});
const helmAnn = (release: string, ns: string) => ({
  "meta.helm.sh/release-name": release,
  "meta.helm.sh/release-namespace": ns,
});

describe("CRD-01 CRD and controller out of lockstep", () => {
  it("flags a CRD whose version label differs from its controller's (INCIDENTS case 4)", async () => {
    const objects = [
      crd("stages.kargo.akuity.io", helmLabels("kargo", "v1.5.1", "kargo-1.5.1"), helmAnn("kargo", "kargo")),
      controller(
        "kargo-controller",
        "kargo",
        helmLabels("kargo", "v1.5.2", "kargo-1.5.2"),
        "ghcr.io/akuity/kargo:v1.5.2",
        helmAnn("kargo", "kargo"),
      ),
    ];
    const findings = await crd01CrdControllerMismatch.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "kargo",
      name: "kargo-controller",
    });
    expect(findings[0].evidence).toBe(
      "label app.kubernetes.io/version=v1.5.1; controller label app.kubernetes.io/version → v1.5.2",
    );
    expect(findings[0].message).toBe(
      "CRD stages.kargo.akuity.io is labelled version v1.5.1 but Deployment kargo/kargo-controller, its controller, runs v1.5.2; the API server may reject the controller's writes until they match.",
    );
  });

  it("one controller with several lagging CRDs is one finding listing them", async () => {
    const old = (name: string) => crd(name, helmLabels("kargo", "v1.5.1", "kargo-1.5.1"), helmAnn("kargo", "kargo"));
    const objects = [
      old("stages.kargo.akuity.io"),
      old("promotions.kargo.akuity.io"),
      old("freights.kargo.akuity.io"),
      crd("projects.kargo.akuity.io", helmLabels("kargo", "v1.5.2", "kargo-1.5.2"), helmAnn("kargo", "kargo")),
      controller(
        "kargo-controller",
        "kargo",
        helmLabels("kargo", "v1.5.2", "kargo-1.5.2"),
        "ghcr.io/akuity/kargo:v1.5.2",
        helmAnn("kargo", "kargo"),
      ),
    ];
    const findings = await crd01CrdControllerMismatch.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toBe(
      "3 CRDs (freights.kargo.akuity.io, promotions.kargo.akuity.io and stages.kargo.akuity.io) are labelled version v1.5.1 but Deployment kargo/kargo-controller, their controller, runs v1.5.2; the API server may reject the controller's writes until they match.",
    );
    expect(findings[0].remediation).toBe(
      "Apply the CRDs freights.kargo.akuity.io, promotions.kargo.akuity.io and stages.kargo.akuity.io from the same release as Deployment kargo/kargo-controller (server-side apply), then restart the controller.",
    );
  });

  it("flags a chart version mismatch when no app version label is there, using the owning release", async () => {
    const objects = [
      crd("widgets.example.io", {
        "app.kubernetes.io/instance": "widgets",
        "app.kubernetes.io/managed-by": "Helm",
        "helm.sh/chart": "widgets-2.0.0",
      }),
      controller(
        "widgets",
        "w",
        { "app.kubernetes.io/instance": "widgets", "app.kubernetes.io/managed-by": "Helm" },
        "widgets@sha256:00",
        helmAnn("widgets", "w"),
      ),
      helmReleaseSecret({ name: "widgets", namespace: "w", revision: 3, status: "deployed", chart: "widgets-2.1.0" }),
    ];
    const findings = await crd01CrdControllerMismatch.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings.map((f) => f.evidence)).toEqual([
      "label helm.sh/chart=widgets-2.0.0; controller release widgets revision 3 chart → 2.1.0",
    ]);
  });

  it("flags a CRD with no Helm ownership beside a Helm-managed controller (crds/ folder)", async () => {
    const objects = [
      crd("promotions.kargo.akuity.io", { "app.kubernetes.io/part-of": "kargo", "app.kubernetes.io/version": "1.5.2" }),
      controller(
        "kargo-api",
        "kargo",
        { ...helmLabels("kargo", "1.5.2", "kargo-1.5.2"), "app.kubernetes.io/part-of": "kargo" },
        "ghcr.io/akuity/kargo:v1.5.2",
        helmAnn("kargo", "kargo"),
      ),
    ];
    const findings = await crd01CrdControllerMismatch.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].object.name).toBe("kargo-api");
    expect(findings[0].message).toContain("CRD promotions.kargo.akuity.io has no Helm ownership");
    expect(findings[0].message).toContain("has no Helm ownership");
    expect(findings[0].evidence).toContain("controller label app.kubernetes.io/managed-by=Helm");
  });

  it("stays quiet when CRD and controller versions match, or nothing links them", async () => {
    const objects = [
      // matches by image tag with a leading v and a distro suffix
      crd(
        "certificates.cert-manager.io",
        helmLabels("cert-manager", "1.14.4", "cert-manager-v1.14.4"),
        helmAnn("cert-manager", "cert-manager"),
      ),
      controller(
        "cert-manager",
        "cert-manager",
        {
          "app.kubernetes.io/instance": "cert-manager",
          "app.kubernetes.io/managed-by": "Helm",
          "helm.sh/chart": "cert-manager-v1.14.4",
        },
        "quay.io/jetstack/cert-manager-controller:v1.14.4-distroless",
        helmAnn("cert-manager", "cert-manager"),
      ),
      // separate CRD chart with its own versioning: chart names differ, not compared
      crd("prometheuses.monitoring.coreos.com", {
        "app.kubernetes.io/part-of": "kube-prometheus-stack",
        "helm.sh/chart": "prometheus-operator-crds-11.0.0",
        "app.kubernetes.io/managed-by": "Helm",
      }),
      controller(
        "kps-operator",
        "monitoring",
        {
          "app.kubernetes.io/part-of": "kube-prometheus-stack",
          "helm.sh/chart": "kube-prometheus-stack-58.0.0",
          "app.kubernetes.io/managed-by": "Helm",
        },
        "quay.io/prometheus-operator/prometheus-operator:v0.73.0",
      ),
      // no link labels
      crd("loners.example.io", { "app.kubernetes.io/version": "0.0.1" }),
      // odd objects
      { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "x", labels: { "app.kubernetes.io/instance": "cert-manager" } },
      },
    ];
    expect(
      await crd01CrdControllerMismatch.evaluate(
        contextFromObjects(objects, { serverVersion: "v1.30.0", target: "1.31" }),
      ),
    ).toEqual([]);
  });
});
