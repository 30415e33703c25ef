import { describe, expect, it } from "vitest";
import { forMinor, MICROK8S_ADDON_VERSIONS, parseImage } from "../../src/addons/knownAddonVersions.ts";
import { add01StaleAddons } from "../../src/checks/catalog/add-01-stale-addons.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const wl = (kind: "Deployment" | "DaemonSet", ns: string, name: string, image: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name, namespace: ns },
  spec: { template: { spec: { containers: [{ name: "main", image }] } } },
});
const run = (objects: KubeObject[], serverVersion: string, target: string, microk8sStatus?: unknown) =>
  add01StaleAddons.evaluate(contextFromObjects(objects, { serverVersion, target, microk8sStatus })) as FindingInput[];

describe("ADD-01 add-ons older than the cluster expects", () => {
  it("flags the MicroK8s ingress controller image v1.8.0 and CoreDNS 1.10.1 on a 1.30 cluster", () => {
    const findings = run(
      [
        wl(
          "DaemonSet",
          "ingress",
          "nginx-ingress-microk8s-controller",
          "registry.k8s.io/ingress-nginx/controller:v1.8.0@sha256:744ae2afd433a395eeb13dc03d3313facba92e96ad71d9feaafc85925493fee3",
        ),
        wl("Deployment", "kube-system", "coredns", "coredns/coredns:1.10.1"),
      ],
      "v1.30.4",
      "1.31",
    );
    expect(findings.map((f) => [f.object.kind, f.object.name, f.evidence])).toEqual([
      [
        "Deployment",
        "coredns",
        "container main image=coredns/coredns:1.10.1; minimum 1.11.1 for 1.30 (kubeadm CoreDNSVersion per Kubernetes release)",
      ],
      [
        "DaemonSet",
        "nginx-ingress-microk8s-controller",
        expect.stringMatching(
          /^container main image=registry.k8s.io\/ingress-nginx\/controller:v1.8.0@sha256:.*; minimum 1.11.0 for 1.30 \(ingress-nginx supported versions table\)$/,
        ),
      ],
    ]);
    expect(findings[1].message).toBe(
      "ingress-nginx controller v1.8.0 in DaemonSet ingress/nginx-ingress-microk8s-controller is older than v1.11.0, the minimum for Kubernetes 1.30 (the current version); cluster upgrades never upgrade add-ons.",
    );
    expect(findings[1].remediation).toContain("microk8s disable ingress && microk8s enable ingress");
  });

  it("warns about the target version when the add-on only fits the current one", () => {
    const [f] = run(
      [wl("Deployment", "kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.11.1")],
      "v1.30.2",
      "1.31",
    );
    expect(f.message).toContain("older than v1.11.3, the minimum for Kubernetes 1.31 (the target version)");
  });

  it("uses microk8s status when present: enabled add-ons older than the track ships", () => {
    const status = {
      microk8s: { running: true },
      addons: [
        { name: "ingress", repository: "core", version: "1.8.0", status: "enabled" },
        { name: "dns", repository: "core", version: "1.11.1", status: "enabled" },
        { name: "metrics-server", repository: "core", version: "0.6.3", status: "disabled" },
        { name: "unknown-addon", repository: "community", version: "0.1.0", status: "enabled" },
        { name: "dashboard", repository: "core", status: "enabled" },
        null,
      ],
    };
    const findings = run(
      [wl("Deployment", "kube-system", "coredns", "coredns/coredns:1.0.0")],
      "v1.30.1",
      "1.31",
      status,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].object).toEqual({ apiVersion: "upshift.dev/v1", kind: "MicroK8sAddon", name: "ingress" });
    expect(findings[0].message).toBe(
      "ingress add-on v1.8.0 is older than v1.10.x expected on MicroK8s 1.30; MicroK8s never upgrades add-ons: disable then enable it.",
    );
    expect(findings[0].evidence).toBe(
      "microk8s status addons[ingress] repository=core version=1.8.0 status=enabled; expected 1.10.1",
    );
  });

  it("decoys: current add-ons, unknown images, untagged images; odd status and version are 'could not evaluate'", () => {
    expect(
      run(
        [
          wl("Deployment", "kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.11.3"),
          wl("DaemonSet", "kube-system", "calico-node", "docker.io/calico/node:v3.30.2"),
          wl(
            "Deployment",
            "ingress-nginx",
            "ingress-nginx-controller",
            "registry.k8s.io/ingress-nginx/controller:v1.12.1",
          ),
          wl("Deployment", "nginx", "nginx-inc", "nginx/nginx-ingress:3.0.0"),
          wl("Deployment", "kube-system", "metrics-server", "registry.k8s.io/metrics-server/metrics-server:latest"),
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "odd" },
            spec: { template: { spec: { containers: [{ image: 5 }] } } },
          },
        ],
        "v1.31.4",
        "1.32",
      ),
    ).toEqual([]);
    expect(run([], "v1.31.4", "1.32", "garbage").map((f) => f.severity)).toEqual(["info"]);
    expect(run([], "banana", "1.32").map((f) => [f.severity, f.message])).toEqual([
      ["info", 'Could not evaluate add-on versions: server version "banana" is not a Kubernetes version.'],
    ]);
  });

  it("table helpers: nearest lower minor, image parsing with registry ports and digests", () => {
    expect(forMinor(MICROK8S_ADDON_VERSIONS, { major: 1, minor: 35 })?.minor).toBe("1.32");
    expect(forMinor(MICROK8S_ADDON_VERSIONS, { major: 1, minor: 20 })).toBeUndefined();
    expect(parseImage("localhost:5000/coredns/coredns@sha256:abc")).toEqual({
      repository: "localhost:5000/coredns/coredns",
    });
    expect(parseImage("localhost:5000/calico/node:v3.27.0")).toEqual({
      repository: "localhost:5000/calico/node",
      tag: "v3.27.0",
    });
  });
});
