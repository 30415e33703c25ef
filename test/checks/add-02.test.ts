import { describe, expect, it } from "vitest";
import { add02RetiredAddons } from "../../src/checks/catalog/add-02-retired-addons.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const wl = (kind: "Deployment" | "DaemonSet", ns: string, name: string, image: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name, namespace: ns },
  spec: { template: { spec: { containers: [{ name: "controller", image }] } } },
});
const run = (objects: KubeObject[], serverVersion: string, target: string) =>
  add02RetiredAddons.evaluate(contextFromObjects(objects, { serverVersion, target })) as FindingInput[];

describe("ADD-02 add-on from a retired project", () => {
  it("reports ingress-nginx in use (medium) with the migration pointer, once per version", () => {
    const findings = run(
      [
        wl(
          "Deployment",
          "ingress-nginx",
          "ingress-nginx-controller",
          "registry.k8s.io/ingress-nginx/controller:v1.13.0",
        ),
        wl("Deployment", "internal", "internal-ingress", "registry.k8s.io/ingress-nginx/controller-chroot:v1.13.0"),
      ],
      "v1.34.2",
      "1.35",
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      object: { kind: "Deployment", namespace: "ingress-nginx", name: "ingress-nginx-controller" },
      message:
        "ingress-nginx controller v1.13.0 in Deployment ingress-nginx/ingress-nginx-controller and Deployment internal/internal-ingress comes from a retired project (since 2026-03): no further releases, bug fixes or security fixes; it was tested up to Kubernetes 1.35.",
    });
    expect(findings[0].severity).toBeUndefined(); // the check's default: medium
    expect(findings[0].remediation).toContain("Gateway API implementation");
    expect(findings[0].evidence).toContain("(+1 more workload)");
  });

  it("the final line on 1.35 is a near miss for unsupported; 1.36 and beyond are unsupported (high)", () => {
    const final = [wl("DaemonSet", "ingress", "nginx", "registry.k8s.io/ingress-nginx/controller:v1.15.1")];
    expect(run(final, "v1.34.3", "1.35").map((f) => f.severity ?? "medium")).toEqual(["medium"]);
    const beyond = run(final, "v1.35.3", "1.36");
    expect(beyond.map((f) => [f.severity, f.message])).toEqual([
      [
        "high",
        "ingress-nginx controller v1.15.1 in DaemonSet ingress/nginx is unsupported on Kubernetes 1.36: the project was retired in 2026-03 and no release was ever tested past 1.35.",
      ],
    ]);
    expect(beyond[0].remediation).toContain("Before upgrading to 1.36");
    // Already running past 1.35 (target equal to current) is unsupported too.
    expect(run(final, "v1.37.1", "1.37").map((f) => f.severity)).toEqual(["high"]);
  });

  it("ignores other ingress controllers and untagged images", () => {
    expect(
      run(
        [
          wl("Deployment", "nginx", "nginx-inc", "nginx/nginx-ingress:5.0.0"),
          wl("Deployment", "traefik", "traefik", "traefik:v3.6.2"),
          wl("Deployment", "ingress", "digest", "registry.k8s.io/ingress-nginx/controller@sha256:abc"),
        ],
        "v1.35.0",
        "1.36",
      ),
    ).toEqual([]);
  });
});
