// SKEW-01: kubelets outside the version skew policy of the target control plane. A kubelet may
// be up to three minors older than kube-apiserver (two when the kubelet is older than 1.25) and
// never newer. Past that, nodes go NotReady or misbehave right after the control plane upgrade.
import { objectRef } from "../../kube/resources.ts";
import { listSome, plural } from "../../text/english.ts";
import { formatFull, formatMinor, type KubeVersion, minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import type { Check, FindingInput, ObjectRef } from "../types.ts";

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
    // Nodes at one kubelet minor share one problem and one fix, so they are one finding that
    // lists them (a 300-node pool on 1.28 is one line, not 300).
    const groups = new Map<
      string,
      { kind: "unreadable" | "old" | "new"; raw: unknown; nodes: Array<{ ref: ObjectRef; raw: unknown }> }
    >();
    const add = (key: string, kind: "unreadable" | "old" | "new", ref: ObjectRef, raw: unknown) => {
      const g = groups.get(key);
      if (g) g.nodes.push({ ref, raw });
      else groups.set(key, { kind, raw, nodes: [{ ref, raw }] });
    };
    for (const node of ctx.objects("nodes")) {
      const ref = objectRef(node, { apiVersion: "v1", kind: "Node" });
      const raw = node?.status?.nodeInfo?.kubeletVersion;
      const kubelet = typeof raw === "string" ? parseKubeVersion(raw) : undefined;
      if (!kubelet) add(`unreadable|${String(raw)}`, "unreadable", ref, raw);
      else if (minorDistance(kubelet, target) > allowedNodeSkew(kubelet))
        add(`old|${formatMinor(kubelet)}`, "old", ref, raw);
      else if (server && minorDistance(server, kubelet) > 0) add(`new|${formatMinor(kubelet)}`, "new", ref, raw);
    }
    const findings: FindingInput[] = [];
    for (const { kind, raw, nodes } of groups.values()) {
      const names = listSome(nodes.map((n) => n.ref.name));
      const subject = nodes.length === 1 ? `Node ${names}` : `${nodes.length} nodes (${names})`;
      const runs = nodes.length === 1 ? "runs" : "run";
      const versions = [...new Set(nodes.map((n) => String(n.raw)))];
      const onNodes = nodes.length === 1 ? "" : ` on ${plural(nodes.length, "node")}`;
      const nodeList = nodes.length === 1 ? `node ${names}` : `nodes ${names}`;
      if (kind === "unreadable") {
        findings.push({
          severity: "info",
          object: nodes[0].ref,
          message: `Could not evaluate the kubelet version of ${nodeList}: status.nodeInfo.kubeletVersion is ${raw === undefined ? "missing" : `"${String(raw)}"`}.`,
          evidence: `status.nodeInfo.kubeletVersion=${raw === undefined ? "(missing)" : String(raw)}${onNodes}`,
          remediation: `Check \`kubectl get nodes -o wide\` by hand for ${nodeList}.`,
        });
        continue;
      }
      const kubelet = parseKubeVersion(String(raw)) as KubeVersion;
      if (kind === "old") {
        const behind = minorDistance(kubelet, target);
        const allowed = allowedNodeSkew(kubelet);
        findings.push({
          object: nodes[0].ref,
          message: `${subject} ${runs} kubelet ${versions.join(", ")}, ${behind} minors behind the target ${ctx.target}; the skew policy allows ${allowed}.`,
          evidence: `status.nodeInfo.kubeletVersion=${versions.join(", ")}${onNodes} (target ${ctx.target})`,
          remediation: `Upgrade ${nodeList} to at least kubelet ${target.major}.${target.minor - allowed} (drain, upgrade or replace) before upgrading the control plane to ${ctx.target}.`,
        });
      } else if (server) {
        findings.push({
          object: nodes[0].ref,
          message: `${subject} ${runs} kubelet ${versions.join(", ")}, newer than the API server ${ctx.serverVersion}; a kubelet must never be newer than kube-apiserver.`,
          evidence: `status.nodeInfo.kubeletVersion=${versions.join(", ")}${onNodes} (server ${formatFull(server)})`,
          remediation: `Upgrade the control plane first, or downgrade ${nodeList} to kubelet ${server.major}.${server.minor}.`,
        });
      }
    }
    return findings;
  },
};
