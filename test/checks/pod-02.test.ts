import { describe, expect, it } from "vitest";
import { pod02PodSpecChanges } from "../../src/checks/catalog/pod-02-pod-spec-changes.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const service = (name: string, externalIPs?: string[]): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "apps" },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...(externalIPs ? { externalIPs } : {}) },
});
const probe = (timeoutSeconds?: number) => ({
  exec: { command: ["/bin/check"] },
  ...(timeoutSeconds ? { timeoutSeconds } : {}),
});
const deployment = (name: string, container: Record<string, unknown>): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "apps" },
  spec: { replicas: 3, template: { spec: { containers: [{ name: "app", image: "app:1", ...container }] } } },
});
const kubeletConfig = (yaml: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "kubelet-config", namespace: "kube-system" },
  data: { kubelet: yaml },
});
const run = (objects: KubeObject[], server: string, target: string) =>
  pod02PodSpecChanges.evaluate(contextFromObjects(objects, { serverVersion: server, target })) as FindingInput[];

describe("POD-02 pod spec changes", () => {
  it("reports Services with externalIPs when crossing 1.36, and none before", () => {
    const objects = [service("legacy", ["203.0.113.10"]), service("plain")];
    const findings = run(objects, "v1.35.2", "1.36");
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ object: { kind: "Service", namespace: "apps", name: "legacy" } });
    expect(findings[0].evidence).toBe("spec.externalIPs=203.0.113.10");
    expect(run(objects, "v1.34.2", "1.35")).toEqual([]);
  });

  it("reports exec probes without timeoutSeconds per workload where kubelets disable ExecProbeTimeout", () => {
    const objects = [
      deployment("slow", { livenessProbe: probe(), readinessProbe: probe() }),
      deployment("timed", { livenessProbe: probe(10) }),
      deployment("http", { livenessProbe: { httpGet: { path: "/healthz", port: 8080 } } }),
      kubeletConfig("kind: KubeletConfiguration\nfeatureGates:\n  ExecProbeTimeout: false\n"),
    ];
    const findings = run(objects, "v1.34.2", "1.35");
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "high", object: { kind: "Deployment", name: "slow" } });
    expect(findings[0].message).toContain("app.livenessProbe, app.readinessProbe");
  });

  it("stays quiet where kubelets keep ExecProbeTimeout on, and says 'could not evaluate' where their gates are unreadable", () => {
    const slow = deployment("slow", { livenessProbe: probe() });
    expect(run([slow, kubeletConfig("kind: KubeletConfiguration\n")], "v1.34.2", "1.35")).toEqual([]);
    const unknown = run([slow], "v1.34.2", "1.35");
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ severity: "info", object: { kind: "Cluster" } });
    expect(unknown[0].message).toContain("Could not evaluate 1 workload");
    expect(run([slow], "v1.35.1", "1.36")).toEqual([]);
  });
});
