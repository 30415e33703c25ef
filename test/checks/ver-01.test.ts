import { describe, expect, it } from "vitest";
import { ver01PrereleaseInUse } from "../../src/checks/catalog/ver-01-prerelease-in-use.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

function deployment(name: string, images: string[], init: string[] = []): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "apps" },
    spec: {
      template: {
        spec: {
          initContainers: init.map((image, i) => ({ name: `init${i}`, image })),
          containers: images.map((image, i) => ({ name: `c${i}`, image })),
        },
      },
    },
  };
}

function pod(name: string, image: string, owner?: { kind: string; name: string }, hash?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "apps",
      labels: hash ? { "pod-template-hash": hash } : {},
      ownerReferences: owner ? [{ apiVersion: "apps/v1", kind: owner.kind, name: owner.name, controller: true }] : [],
    },
    spec: { containers: [{ name: "main", image }] },
  };
}

describe("VER-01 pre-release in use", () => {
  it("flags pre-release charts inside +up build metadata and leaves GA +up alone", async () => {
    const objects = [
      helmReleaseSecret({
        name: "fleet",
        namespace: "cattle-fleet-system",
        revision: 4,
        status: "deployed",
        chart: "fleet-106.0.0+up0.12.0-rc.3",
        appVersion: "0.12.0-rc.3",
      }),
      helmReleaseSecret({
        name: "fleet-crd",
        namespace: "cattle-fleet-system",
        revision: 2,
        status: "deployed",
        chart: "fleet-crd-106.0.0+up0.12.0",
        appVersion: "0.12.0",
      }),
      helmReleaseSecret({
        name: "beta",
        namespace: "apps",
        revision: 1,
        status: "deployed",
        chart: "beta-2.0.0-beta.1",
      }),
    ];
    const findings = await ver01PrereleaseInUse.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.1", target: "1.31" }),
    );
    expect(findings.map((f) => [f.object.name, f.evidence])).toEqual([
      ["sh.helm.release.v1.beta.v1", "chart.version=2.0.0-beta.1 (revision 1, status deployed)"],
      [
        "sh.helm.release.v1.fleet.v4",
        "chart.version=106.0.0+up0.12.0-rc.3, chart.appVersion=0.12.0-rc.3 (revision 4, status deployed)",
      ],
    ]);
  });

  it("checks both the newest revision and the deployed one under it", async () => {
    const objects = [
      helmReleaseSecret({
        name: "fleet",
        namespace: "f",
        revision: 4,
        status: "deployed",
        chart: "fleet-106.0.0+up0.12.0-rc.3",
      }),
      helmReleaseSecret({
        name: "fleet",
        namespace: "f",
        revision: 5,
        status: "pending-upgrade",
        chart: "fleet-106.0.0+up0.12.0",
      }),
    ];
    const findings = await ver01PrereleaseInUse.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.1", target: "1.31" }),
    );
    expect(findings.map((f) => f.object.name)).toEqual(["sh.helm.release.v1.fleet.v4"]);
  });

  it("flags pre-release image tags once per workload, not per pod, and ignores distro suffixes", async () => {
    const objects = [
      deployment("web", ["registry.example:5000/web:v2.1.0-rc.1", "nginx:1.25.3-alpine"], ["busybox:1.36"]),
      deployment("plain", [
        "redis:7.2-bookworm",
        "bitnami/postgresql:16.2.0-debian-12-r4",
        "app:latest",
        "app@sha256:0123abcd",
      ]),
      deployment("init", ["app:1.0.0"], ["migrator:3.0.0-beta"]),
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: "web-7d4b9c8f6",
          namespace: "apps",
          ownerReferences: [{ kind: "Deployment", name: "web", controller: true }],
        },
      },
      pod(
        "web-7d4b9c8f6-aaaaa",
        "registry.example:5000/web:v2.1.0-rc.1",
        { kind: "ReplicaSet", name: "web-7d4b9c8f6" },
        "7d4b9c8f6",
      ),
      pod(
        "web-7d4b9c8f6-bbbbb",
        "registry.example:5000/web:v2.1.0-rc.1",
        { kind: "ReplicaSet", name: "web-7d4b9c8f6" },
        "7d4b9c8f6",
      ),
      // a Job's pods: reported once at the Job
      pod("job-x-1", "tool:0.9.0-nightly.20240101", { kind: "Job", name: "job-x" }),
      pod("job-x-2", "tool:0.9.0-nightly.20240101", { kind: "Job", name: "job-x" }),
      pod("bare", "dev:1.0.0-alpha.2"),
      // odd objects
      { apiVersion: "v1", kind: "Pod", metadata: { name: "nospec", namespace: "apps" } },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "weird", namespace: "apps" },
        spec: { template: { spec: { containers: [null, { name: "x" }, { image: 42 }] } } },
      },
    ];
    const findings = await ver01PrereleaseInUse.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.1", target: "1.31" }),
    );
    expect(findings.map((f) => [f.object.kind, f.object.name, f.evidence])).toEqual([
      ["Deployment", "web", "spec.template.spec.containers[c0].image=registry.example:5000/web:v2.1.0-rc.1"],
      ["Deployment", "init", "spec.template.spec.initContainers[init0].image=migrator:3.0.0-beta"],
      ["Job", "job-x", "pod job-x-1 spec.containers[main].image=tool:0.9.0-nightly.20240101"],
      ["Pod", "bare", "pod bare spec.containers[main].image=dev:1.0.0-alpha.2"],
    ]);
    expect(findings[0].remediation).toContain("stable release of registry.example:5000/web");
    expect(ver01PrereleaseInUse.severity).toBe("high");
  });

  it("reports a pod whose image differs from its Deployment's template (mid-rollout)", async () => {
    const objects = [
      deployment("api", ["api:1.4.0"]),
      pod("api-5c6d7f8b9-zzzzz", "api:1.4.0-rc.2", { kind: "ReplicaSet", name: "api-5c6d7f8b9" }, "5c6d7f8b9"),
    ];
    const findings = await ver01PrereleaseInUse.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.1", target: "1.31" }),
    );
    expect(findings.map((f) => [f.object.kind, f.object.name])).toEqual([["Deployment", "api"]]);
    expect(findings[0].message).toContain("runs in pods of Deployment apps/api (container main)");
  });

  it("one image is one finding, listing every workload and bare pod that runs it", async () => {
    const rc = "ghcr.io/acme/agent:v3.0.0-rc.1";
    const objects = [
      deployment("api", [rc]),
      deployment("worker", ["worker:1.0.0", rc]),
      pod("debug", rc),
      pod("other", "other:2.0.0-beta.1"),
    ];
    const findings = await ver01PrereleaseInUse.evaluate(
      contextFromObjects(objects, { serverVersion: "v1.30.1", target: "1.31" }),
    );
    expect(findings.map((f) => [f.object.kind, f.object.name])).toEqual([
      ["Deployment", "api"],
      ["Pod", "other"],
    ]);
    expect(findings[0].message).toBe(
      `Pre-release image ${rc} runs in Deployment apps/api (container c0), Deployment apps/worker (container c1) and Pod apps/debug (container main).`,
    );
    expect(findings[0].evidence).toBe(
      `spec.template.spec.containers[c0].image=${rc}, spec.template.spec.containers[c1].image=${rc} and pod debug spec.containers[main].image=${rc}`,
    );
    expect(findings[0].remediation).toBe(
      "Pin Deployment apps/api, Deployment apps/worker and Pod apps/debug to a stable release of ghcr.io/acme/agent before upgrading the cluster.",
    );
  });
});
