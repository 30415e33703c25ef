// The upgrade of the day (1.34 → 1.35): a kubeadm cluster that 1.35 would break in several ways at
// once, as a cluster upgraded today meets it (not one of the five incidents).
import { helmReleaseSecret } from "../../helm/release.ts";
import type { KubeObject } from "../../kube/resources.ts";
import { coreDns } from "./builders/addons.ts";
import { namespace, node, settings, WORKERS } from "./builders/cluster.ts";
import { configMap } from "./builders/config.ts";
import { helm } from "./builders/helm.ts";
import { at, hashOf } from "./builders/snapshot.ts";
import { app, pdb, workload } from "./builders/workload.ts";
import type { Scenario } from "./types.ts";

export const currentUpgrade: Scenario = {
  file: "current-upgrade.yaml",
  description:
    "A kubeadm 1.34 cluster going to 1.35: CentOS 7 nodes on cgroup v1 and containerd 1.7, a feature gate 1.35 removes, IPVS kube-proxy, CoreDNS and the retired ingress-nginx left behind, and a Helm release still rendering ValidatingAdmissionPolicy v1beta1.",
  objects: () => [
    {
      ...settings("v1.34.2"),
      spec: {
        serverVersion: "v1.34.2",
        // The kubelets answer /metrics through the node proxy, so NODE-02 reads the cgroup
        // version itself instead of judging from the kernel and OS image.
        nodeProxy: {
          allowed: true,
          kubeletMetrics: Object.fromEntries(
            ["cp-1", "cp-2", "cp-3", ...WORKERS].map((n) => [
              n,
              "# TYPE kubelet_cgroup_version gauge\nkubelet_cgroup_version 1\n",
            ]),
          ),
        },
      },
    },
    ...currentUpgradeObjects(),
  ],
};

/** A kubeadm cluster on 1.34 that cannot survive 1.35: CentOS 7 nodes (cgroup v1), a removed feature
 *  gate on kube-apiserver, IPVS kube-proxy, CoreDNS and ingress-nginx left behind, and a Helm release
 *  that still renders ValidatingAdmissionPolicy v1beta1 (no longer served since 1.34). */
export function currentUpgradeObjects(): KubeObject[] {
  const version = "v1.34.2";
  const centos = (o: KubeObject): KubeObject => {
    o.status.nodeInfo = {
      ...o.status.nodeInfo,
      osImage: "CentOS Linux 7 (Core)",
      kernelVersion: "3.10.0-1160.119.1.el7.x86_64",
      containerRuntimeVersion: "containerd://1.7.27",
    };
    return o;
  };
  const nodes = ["cp-1", "cp-2", "cp-3"].map((n) => centos(node(n, version, { controlPlane: true })));
  nodes.push(...WORKERS.map((n) => centos(node(n, version))));
  const mirror = (component: string, nodeName: string, image: string, command: string[]): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${component}-${nodeName}`,
      namespace: "kube-system",
      labels: { component, tier: "control-plane" },
      annotations: { "kubernetes.io/config.source": "file" },
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: hashOf(nodeName, 8), controller: true }],
    },
    spec: { nodeName, priorityClassName: "system-node-critical", containers: [{ name: component, image, command }] },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: at(-86400) }],
      containerStatuses: [
        {
          name: component,
          image,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: at(-86400) } },
        },
      ],
    },
  });
  const controlPlane = ["cp-1", "cp-2", "cp-3"].flatMap((n) => [
    mirror("kube-apiserver", n, `registry.k8s.io/kube-apiserver:${version}`, [
      "kube-apiserver",
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction",
      // Removed in 1.35: a kube-apiserver started with it does not start (CP-01).
      "--feature-gates=UserNamespacesPodSecurityStandards=true",
    ]),
    mirror("kube-controller-manager", n, `registry.k8s.io/kube-controller-manager:${version}`, [
      "kube-controller-manager",
      "--leader-elect=true",
    ]),
    mirror("kube-scheduler", n, `registry.k8s.io/kube-scheduler:${version}`, ["kube-scheduler", "--leader-elect=true"]),
    mirror("etcd", n, "registry.k8s.io/etcd:3.6.4-0", ["etcd", "--data-dir=/var/lib/etcd"]),
  ]);
  const kubeProxyConfig = configMap("kube-system", "kube-proxy", {
    "config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\n",
  });
  const vapManifest = [
    "---",
    "# Source: policy-guard/templates/policy.yaml",
    "apiVersion: admissionregistration.k8s.io/v1beta1",
    "kind: ValidatingAdmissionPolicy",
    "metadata:",
    "  name: require-team-label",
    "spec:",
    "  failurePolicy: Fail",
    "---",
    "# Source: policy-guard/templates/binding.yaml",
    "apiVersion: admissionregistration.k8s.io/v1beta1",
    "kind: ValidatingAdmissionPolicyBinding",
    "metadata:",
    "  name: require-team-label",
    "spec:",
    "  policyName: require-team-label",
    "",
  ].join("\n");
  return [
    ...nodes,
    ...controlPlane,
    kubeProxyConfig,
    ...workload({
      kind: "DaemonSet",
      namespace: "kube-system",
      name: "kube-proxy",
      replicas: 0,
      nodes: [...nodes.map((n) => String(n.metadata?.name))],
      labels: { "k8s-app": "kube-proxy" },
      containers: [
        {
          name: "kube-proxy",
          image: `registry.k8s.io/kube-proxy:${version}`,
          command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"],
        },
      ],
    }),
    ...coreDns("registry.k8s.io/coredns/coredns:v1.12.1"),
    namespace("ingress-nginx"),
    ...workload({
      namespace: "ingress-nginx",
      name: "ingress-nginx-controller",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      labels: {
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/version": "1.13.3",
        "helm.sh/chart": "ingress-nginx-4.13.3",
      },
      containers: [app("controller", "registry.k8s.io/ingress-nginx/controller:v1.13.3", 10254)],
    }),
    pdb("ingress-nginx", "ingress-nginx-controller", { maxUnavailable: 1 }, 2),
    ...helm("ingress-nginx", "ingress-nginx", [["ingress-nginx-4.13.3", "deployed", "1.13.3"]]),
    namespace("policy"),
    helmReleaseSecret({
      name: "policy-guard",
      namespace: "policy",
      revision: 1,
      status: "deployed",
      chart: "policy-guard-0.4.2",
      appVersion: "0.4.2",
      manifest: vapManifest,
    }),
  ];
}
