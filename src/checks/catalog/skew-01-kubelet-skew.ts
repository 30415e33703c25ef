// SKEW-01: kubelets outside the version skew policy of the target control plane. A kubelet may
// be up to three minors older than kube-apiserver (two when the kubelet is older than 1.25) and
// never newer. Past that, nodes go NotReady or misbehave right after the control plane upgrade.
import { objectRef } from "../../kube/resources.ts";
import { formatFull, type KubeVersion, minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import type { Check, FindingInput } from "../types.ts";

/** Minors a kubelet or kube-proxy of `version` may trail kube-apiserver by (skew policy since 1.28). */
export function allowedNodeSkew(version: KubeVersion): number {
  return version.major === 1 && version.minor < 25 ? 2 : 3;
}

export const skew01KubeletSkew: Check = {
  id: "SKEW-01",
  severity: "blocker",
  title: "Kubelet outside the version skew policy for the target",
  remediation:
    "Upgrade (or replace) nodes whose kubelet is too old before the control plane moves to the target; a kubelet must never be newer than the API server.",
  reads: ["nodes"],
  evaluate(ctx) {
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    const server = parseKubeVersion(ctx.serverVersion);
    if (!target) return [];
    const findings: FindingInput[] = [];
    for (const node of ctx.objects("nodes")) {
      const ref = objectRef(node, { apiVersion: "v1", kind: "Node" });
      const raw = node?.status?.nodeInfo?.kubeletVersion;
      const kubelet = typeof raw === "string" ? parseKubeVersion(raw) : undefined;
      if (!kubelet) {
        findings.push({
          severity: "info",
          object: ref,
          message: `Could not evaluate the kubelet version of node ${ref.name}: status.nodeInfo.kubeletVersion is ${raw === undefined ? "missing" : `"${String(raw)}"`}.`,
          evidence: `status.nodeInfo.kubeletVersion=${raw === undefined ? "(missing)" : String(raw)}`,
          remediation: `Check \`kubectl get node ${ref.name} -o wide\` by hand.`,
        });
        continue;
      }
      const behind = minorDistance(kubelet, target);
      const allowed = allowedNodeSkew(kubelet);
      if (behind > allowed) {
        findings.push({
          object: ref,
          message: `Node ${ref.name} runs kubelet ${raw}, ${behind} minors behind the target ${ctx.target}; the skew policy allows ${allowed}.`,
          evidence: `status.nodeInfo.kubeletVersion=${raw} (target ${ctx.target})`,
          remediation: `Upgrade node ${ref.name} to at least kubelet ${target.major}.${target.minor - allowed} (drain, upgrade or replace) before upgrading the control plane to ${ctx.target}.`,
        });
      } else if (server && minorDistance(server, kubelet) > 0) {
        findings.push({
          object: ref,
          message: `Node ${ref.name} runs kubelet ${raw}, newer than the API server ${ctx.serverVersion}; a kubelet must never be newer than kube-apiserver.`,
          evidence: `status.nodeInfo.kubeletVersion=${raw} (server ${formatFull(server)})`,
          remediation: `Upgrade the control plane first, or downgrade node ${ref.name} to kubelet ${server.major}.${server.minor}.`,
        });
      }
    }
    return findings;
  },
};
