// The cluster around the workloads: sandbox settings, Namespaces and Nodes.
import type { KubeObject } from "../../../kube/resources.ts";
import { at } from "./snapshot.ts";

/** The sandbox's own settings document (the version it reports, node proxy answers). */
export function settings(serverVersion: string): KubeObject {
  return { apiVersion: "sandbox.upshift.dev/v1", kind: "SandboxSettings", spec: { serverVersion } };
}

export function namespace(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

/** A Ready node running `kubeletVersion` on Ubuntu and containerd 1.7. */
export function node(
  name: string,
  kubeletVersion: string,
  opts: { controlPlane?: boolean; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        ...(opts.controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {}),
        ...opts.labels,
      },
    },
    spec: opts.controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {},
    status: {
      conditions: [
        {
          type: "MemoryPressure",
          status: "False",
          reason: "KubeletHasSufficientMemory",
          lastTransitionTime: at(-86400),
        },
        { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", lastTransitionTime: at(-86400) },
        { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", lastTransitionTime: at(-86400) },
        {
          type: "Ready",
          status: "True",
          reason: "KubeletReady",
          message: "kubelet is posting ready status",
          lastTransitionTime: at(-86400),
        },
      ],
      nodeInfo: {
        kubeletVersion,
        containerRuntimeVersion: "containerd://1.7.24",
        osImage: "Ubuntu 24.04.1 LTS",
        architecture: "amd64",
      },
      capacity: { cpu: "4", memory: "16331256Ki", pods: "110" },
      allocatable: { cpu: "4", memory: "16228856Ki", pods: "110" },
    },
  };
}

/** The worker nodes workloads run on. */
export const WORKERS = ["worker-1", "worker-2", "worker-3"];

/** Three control-plane nodes and the workers, all on one kubelet version. */
export function clusterNodes(kubeletVersion: string): KubeObject[] {
  return [
    node("cp-1", kubeletVersion, { controlPlane: true }),
    node("cp-2", kubeletVersion, { controlPlane: true }),
    node("cp-3", kubeletVersion, { controlPlane: true }),
    ...WORKERS.map((n) => node(n, kubeletVersion)),
  ];
}

/** Three MicroK8s nodes, each a control-plane node that also runs workloads. */
export function microk8sNodes(version: string): KubeObject[] {
  return ["mk8s-1", "mk8s-2", "mk8s-3"].map((n) =>
    node(n, version, {
      labels: { "node.kubernetes.io/microk8s-controlplane": "microk8s-controlplane", "microk8s.io/cluster": "true" },
    }),
  );
}
