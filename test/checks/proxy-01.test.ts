import { describe, expect, it } from "vitest";
import { proxy01KubeProxyMode } from "../../src/checks/catalog/proxy-01-kube-proxy-mode.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const config = (yaml: string, name = "kube-proxy", key = "config.conf"): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "kube-system" },
  data: { [key]: yaml },
});
const daemonSet = (args: string[] = ["--config=/var/lib/kube-proxy/config.conf"]): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "kube-proxy", namespace: "kube-system" },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: "kube-proxy",
            image: "registry.k8s.io/kube-proxy:v1.34.2",
            command: ["/usr/local/bin/kube-proxy", ...args],
          },
        ],
      },
    },
  },
});
const run = (objects: KubeObject[], server: string, target: string) =>
  proxy01KubeProxyMode.evaluate(contextFromObjects(objects, { serverVersion: server, target })) as FindingInput[];

describe("PROXY-01 kube-proxy mode and gates", () => {
  it("warns about ipvs mode when crossing 1.35, from the kubeadm ConfigMap", () => {
    const findings = run([daemonSet(), config("kind: KubeProxyConfiguration\nmode: ipvs\n")], "v1.34.2", "1.35");
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ object: { kind: "DaemonSet", name: "kube-proxy" } });
    expect(findings[0].severity).toBeUndefined(); // the check's medium
    expect(findings[0].message).toContain("deprecated from 1.35");
    expect(findings[0].evidence).toContain('mode="ipvs"');
  });

  it("reads --proxy-mode from the DaemonSet and EKS's kube-proxy-config", () => {
    expect(run([daemonSet(["--proxy-mode=ipvs"])], "v1.36.1", "1.37")[0].message).toContain("KubeProxyIPVS");
    const eks = run([config("mode: ipvs\n", "kube-proxy-config", "config")], "v1.34.2", "1.35");
    expect(eks).toHaveLength(1);
    expect(eks[0].object).toMatchObject({ kind: "ConfigMap", name: "kube-proxy-config" });
  });

  it("notes an unset mode (low) only when crossing 1.37; iptables and nftables are clean", () => {
    expect(run([daemonSet(), config('kind: KubeProxyConfiguration\nmode: ""\n')], "v1.36.1", "1.37")[0].severity).toBe(
      "low",
    );
    expect(run([daemonSet(), config('kind: KubeProxyConfiguration\nmode: ""\n')], "v1.34.1", "1.35")).toEqual([]);
    expect(run([daemonSet(), config("mode: nftables\n")], "v1.36.1", "1.37")).toEqual([]);
    expect(run([daemonSet(), config("mode: iptables\n")], "v1.34.1", "1.35")).toEqual([]);
  });

  it("blocks gates the target removes, in the configuration or on the command line", () => {
    const findings = run(
      [daemonSet(["--feature-gates=KubeProxyDrainingTerminatingNodes=true"]), config("mode: nftables\n")],
      "v1.32.3",
      "1.33",
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe("blocker");
    expect(findings[0].message).toContain("KubeProxyDrainingTerminatingNodes is removed in 1.33");
  });

  it("is quiet without kube-proxy, and says 'could not evaluate' when its configuration is unreadable", () => {
    expect(run([], "v1.34.1", "1.35")).toEqual([]);
    const findings = run([daemonSet(), config("mode: [ipvs")], "v1.34.1", "1.35");
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe("info");
    expect(findings[0].message).toContain("Could not evaluate the kube-proxy mode");
  });

  it("stays quiet when the upgrade crosses none of its minors", () => {
    expect(run([daemonSet(), config("mode: ipvs\n")], "v1.31.1", "1.32")).toEqual([]);
  });
});
