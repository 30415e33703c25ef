import { describe, expect, it } from "vitest";
import {
  ADDON_IMAGE_RULES,
  forMinor,
  MICROK8S_ADDON_VERSIONS,
  parseImage,
  tableSpan,
} from "../../src/addons/knownAddonVersions.ts";
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
const brief = (fs: FindingInput[]) => fs.map((f) => [f.severity ?? "medium", f.object.name]);

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
        "container main image=coredns/coredns:1.10.1; minimum 1.11.1 for 1.30 (coredns/deployment CoreDNS-k8s_version.md)",
      ],
      [
        "DaemonSet",
        "nginx-ingress-microk8s-controller",
        expect.stringMatching(
          /^container main image=registry.k8s.io\/ingress-nginx\/controller:v1.8.0@sha256:.*; minimum 1.10.1 for 1.30 \(ingress-nginx supported versions table; v1.10.1: 1.26-1.30\)$/,
        ),
      ],
    ]);
    expect(findings[1].message).toBe(
      "ingress-nginx controller v1.8.0 in DaemonSet ingress/nginx-ingress-microk8s-controller is older than v1.10.1, the minimum for Kubernetes 1.30 (the current version); cluster upgrades never upgrade add-ons.",
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

  it("catches an old v0.41 or v1.0 ingress-nginx on a 1.24 cluster going to 1.25 (tables reach back to 1.19)", () => {
    const findings = run(
      [
        wl("Deployment", "ing-a", "old", "quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.41.2"),
        wl("Deployment", "ing-b", "v1", "k8s.gcr.io/ingress-nginx/controller:v1.0.4"),
        wl("Deployment", "ing-c", "fine", "registry.k8s.io/ingress-nginx/controller:v1.4.0"),
      ],
      "v1.24.17",
      "1.25",
    );
    expect(brief(findings)).toEqual([
      ["medium", "old"],
      ["medium", "v1"],
    ]);
    expect(findings[0].message).toContain("older than v1.3.0, the minimum for Kubernetes 1.24 (the current version)");
    // A 1.20 cluster: v0.45 was tested there, v0.41 predates the first table.
    expect(
      brief(run([wl("Deployment", "x", "c", "bitnami/nginx-ingress-controller:0.47.0")], "v1.20.15", "1.21")),
    ).toEqual([]);
  });

  it("matches the controller-chroot image and groups one version into one finding listing every workload", () => {
    const findings = run(
      [
        wl("Deployment", "edge", "public", "registry.k8s.io/ingress-nginx/controller-chroot:v1.11.3"),
        wl("Deployment", "edge", "internal", "registry.k8s.io/ingress-nginx/controller:v1.11.3"),
        wl("Deployment", "edge", "newer", "registry.k8s.io/ingress-nginx/controller:v1.12.2"),
      ],
      "v1.30.4",
      "1.31",
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toBe(
      "ingress-nginx controller v1.11.3 in Deployment edge/public and Deployment edge/internal is older than v1.12.0, the minimum for Kubernetes 1.31 (the target version); cluster upgrades never upgrade add-ons.",
    );
    expect(findings[0].evidence).toMatch(/^container main image=.*controller-chroot:v1.11.3 \(\+1 more workload\);/);
  });

  it("a minor past a table's end is unknown (info), never judged by the last row", () => {
    // Calico's table ends at 1.36 (no release lists 1.37): 3.32 on 1.36 → 1.37 is unknown, not fine.
    const findings = run(
      [wl("DaemonSet", "kube-system", "calico-node", "docker.io/calico/node:v3.32.1")],
      "v1.36.2",
      "1.37",
    );
    expect(brief(findings)).toEqual([["info", "calico-node"]]);
    expect(findings[0].message).toBe(
      "Unknown: Upshift's Calico table covers Kubernetes 1.19–1.36; whether v3.32.1 in DaemonSet kube-system/calico-node supports 1.37 is not known.",
    );
    // Near miss: the last covered minor is judged normally.
    expect(run([wl("DaemonSet", "kube-system", "calico-node", "calico/node:v3.32.1")], "v1.35.2", "1.36")).toEqual([]);
    // A stale current version is still reported as stale, not as unknown.
    expect(
      run([wl("DaemonSet", "kube-system", "calico-node", "calico/node:v3.29.0")], "v1.36.2", "1.37")[0].message,
    ).toContain("older than v3.32.0, the minimum for Kubernetes 1.36 (the current version)");
  });

  it("Calico 3.29 is tested on 1.32 (it was wrongly stale there); 3.30 covers 1.35", () => {
    expect(run([wl("DaemonSet", "kube-system", "calico-node", "calico/node:v3.29.4")], "v1.31.4", "1.32")).toEqual([]);
    expect(run([wl("DaemonSet", "kube-system", "calico-node", "calico/node:v3.30.2")], "v1.34.1", "1.35")).toEqual([]);
    expect(
      brief(run([wl("DaemonSet", "kube-system", "calico-node", "calico/node:v3.31.0")], "v1.35.1", "1.36")),
    ).toEqual([["medium", "calico-node"]]);
  });

  it("Cilium: v1.18 is tested up to 1.33, v1.19 on 1.34-1.35; agent and operator are one finding per version", () => {
    const cilium = [
      wl("DaemonSet", "kube-system", "cilium", "quay.io/cilium/cilium:v1.18.4@sha256:abc"),
      wl("Deployment", "kube-system", "cilium-operator", "quay.io/cilium/operator-generic:v1.18.4"),
    ];
    const findings = run(cilium, "v1.33.4", "1.34");
    expect(findings.map((f) => f.message)).toEqual([
      "Cilium v1.18.4 in Deployment kube-system/cilium-operator and DaemonSet kube-system/cilium is older than v1.19.0, the minimum for Kubernetes 1.34 (the target version); cluster upgrades never upgrade add-ons.",
    ]);
    // Leaving a minor the table does not cover is fine when the target is covered and passes.
    expect(run(cilium, "v1.32.4", "1.33")).toEqual([]);
    // A target before the rows Upshift could source: unknown, said once for agent and operator.
    expect(brief(run(cilium, "v1.31.4", "1.32"))).toEqual([["info", "cilium-operator"]]);
  });

  it("CoreDNS and kube-state-metrics rows reach 1.37; metrics-server 0.9 on a 1.33 cluster is too new", () => {
    expect(
      run([wl("Deployment", "kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.13.1")], "v1.35.0", "1.36")[0]
        .message,
    ).toContain("older than v1.14.2, the minimum for Kubernetes 1.36 (the target version)");
    expect(run([wl("Deployment", "kube-system", "coredns", "coredns/coredns:v1.14.4")], "v1.36.1", "1.37")).toEqual([]);
    const ksm = run(
      [
        wl(
          "Deployment",
          "monitoring",
          "kube-state-metrics",
          "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.0",
        ),
      ],
      "v1.36.0",
      "1.37",
    );
    expect(ksm[0].message).toContain("older than v2.20.0, the minimum for Kubernetes 1.37");
    const ms = run(
      [wl("Deployment", "kube-system", "metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.9.0")],
      "v1.33.5",
      "1.34",
    );
    expect(ms.map((f) => f.message)).toEqual([
      "metrics-server v0.9.0 in Deployment kube-system/metrics-server needs Kubernetes 1.34 or newer; this cluster runs 1.33, where that release is unsupported.",
    ]);
    // Near miss: 0.9 on 1.34 and 0.8 on 1.33 are fine; 0.3 stops at 1.21.
    expect(
      run([wl("Deployment", "kube-system", "metrics-server", "metrics-server:v0.9.0")], "v1.34.0", "1.35"),
    ).toEqual([]);
    expect(
      run([wl("Deployment", "kube-system", "metrics-server", "metrics-server:v0.8.0")], "v1.33.0", "1.34"),
    ).toEqual([]);
    expect(
      brief(run([wl("Deployment", "kube-system", "metrics-server", "metrics-server:v0.3.7")], "v1.21.0", "1.22")),
    ).toEqual([["medium", "metrics-server"]]);
  });

  it("ingress-nginx past its final line is left to ADD-02 (unsupported), not reported as unknown here", () => {
    expect(
      run([wl("Deployment", "i", "c", "registry.k8s.io/ingress-nginx/controller:v1.15.1")], "v1.35.3", "1.36"),
    ).toEqual([]);
  });

  it("uses microk8s status when present: enabled add-ons older than the track ships", () => {
    const status = {
      microk8s: { running: true },
      addons: [
        { name: "ingress", repository: "core", version: "1.8.0", status: "enabled" },
        { name: "dns", repository: "core", version: "1.10.1", status: "enabled" },
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
      "ingress add-on v1.8.0 is older than v1.11.x shipped on the MicroK8s 1.30 track; MicroK8s never upgrades add-ons: disable then enable it.",
    );
    expect(findings[0].evidence).toBe(
      "microk8s status addons[ingress] repository=core version=1.8.0 status=enabled; track 1.30 ships 1.11.5 (canonical/microk8s-core-addons branch tips (2026-05-20))",
    );
  });

  it("MicroK8s 1.33+ tracks; on 1.35 the ingress add-on is Traefik; a track past the table is unknown", () => {
    const status = (addons: unknown[]) => ({ addons });
    const on135 = run(
      [],
      "v1.35.1",
      "1.36",
      status([
        { name: "ingress", version: "1.13.8", status: "enabled" },
        { name: "dns", version: "1.12.3", status: "enabled" },
        { name: "metrics-server", version: "0.8.0", status: "enabled" },
      ]),
    );
    expect(on135.map((f) => f.object.name)).toEqual(["ingress", "dns"]);
    expect(on135[0].message).toContain("Note: on the 1.35 track the ingress add-on is Traefik");
    const on137 = run([], "v1.37.0", "1.38", status([{ name: "dns", version: "1.10.1", status: "enabled" }]));
    expect(on137.map((f) => [f.severity, f.message])).toEqual([
      [
        "info",
        "Unknown: Upshift's MicroK8s add-on table covers tracks 1.24–1.35; what the 1.37 track ships is not known, so its add-ons were not compared.",
      ],
    ]);
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

  it("table helpers: exact rows only, every row sourced, image parsing with registry ports and digests", () => {
    expect(forMinor(MICROK8S_ADDON_VERSIONS, { major: 1, minor: 35 })?.minor).toBe("1.35");
    expect(forMinor(MICROK8S_ADDON_VERSIONS, { major: 1, minor: 36 })).toBeUndefined();
    expect(forMinor(MICROK8S_ADDON_VERSIONS, { major: 1, minor: 20 })).toBeUndefined();
    for (const rule of ADDON_IMAGE_RULES) {
      // Cilium's per-release lists could only be read for v1.18 and v1.19 (see its comment).
      const first = rule.addon === "cilium" ? 33 : 19;
      expect(tableSpan(rule.minimumByMinor)?.first, rule.displayName).toBe(`1.${first}`);
      const minors = rule.rows.map((r) => Number(r.minor.split(".")[1]));
      // Contiguous: no gap a nearest-row lookup would once have papered over.
      expect(minors, rule.displayName).toEqual(minors.map((_, i) => first + i));
      for (const row of rule.rows) expect(row.source.length, `${rule.displayName} ${row.minor}`).toBeGreaterThan(10);
    }
    expect(parseImage("localhost:5000/coredns/coredns@sha256:abc")).toEqual({
      repository: "localhost:5000/coredns/coredns",
    });
    expect(parseImage("localhost:5000/calico/node:v3.27.0")).toEqual({
      repository: "localhost:5000/calico/node",
      tag: "v3.27.0",
    });
  });
});
