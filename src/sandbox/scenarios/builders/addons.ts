// Cluster add-ons that several scenarios run, each at its own version.
import type { KubeObject } from "../../../kube/resources.ts";
import { WORKERS } from "./cluster.ts";
import { app, workload } from "./workload.ts";

/** CoreDNS in kube-system: two replicas spread over the workers, serving the Corefile. */
export function coreDns(image: string, labels?: Record<string, string>): KubeObject[] {
  return workload({
    namespace: "kube-system",
    name: "coredns",
    replicas: 2,
    spread: true,
    nodes: WORKERS,
    labels,
    containers: [{ ...app("coredns", image, 8080), args: ["-conf", "/etc/coredns/Corefile"] }],
  });
}
