// NODE-03: nodes on containerd 1.x (or CRI-O older than 1.28). These runtimes lack the
// RuntimeConfig CRI call the kubelet uses to learn the cgroup driver; 1.35 is the last release
// that supports them, and the kubelet's fallback to its own --cgroup-driver setting goes in 1.38,
// after which such nodes fail with newer kubelets.
// SOURCES:
// - kubernetes.io blog 2025-09-12 "Kubernetes v1.34: Autoconfiguration for Node Cgroup Driver
//   Goes GA" and the 1.34 release blog (kubernetes/website): "The last Kubernetes release to offer
//   this support will be v1.35 (aligned with containerd 1.7 EOL)"; containerd gained RuntimeConfig
//   in v2.0.0, CRI-O in v1.28.0; metric `kubelet_cri_losing_support{version}` marks affected nodes.
// - Kubernetes 1.36 release notes (kubernetes/sig-release, #136846): removal of the deprecated
//   kubelet cgroup-driver flags and fallback deferred from 1.36 to 1.37; 1.37 release notes
//   (#139121): deferred again from 1.37 to 1.38, "to align with containerd v1.7 support".
// - kubernetes/website container-runtimes.md (newest revision): "In Kubernetes 1.38, this fallback
//   behavior will be dropped, and older versions of containerd will fail with newer kubelets."
//   (Older revisions said 1.36; the release notes above explain the two deferrals.)

import type { KubeObject } from "../../kube/resources.ts";
import { describeNodes, groupNodes, groupRef, metricSamples, nodeInfoOf } from "../nodeFacts.ts";
import { crossedMinors } from "../releaseGate.ts";
import type { Check, FindingInput } from "../types.ts";

const APPLIES_TO = ["1.36", "1.37", "1.38"] as const;
/** The minor whose kubelet no longer falls back for runtimes without RuntimeConfig. */
const FALLBACK_REMOVED = "1.38";

/** "containerd://1.7.27" → { runtime: "containerd", major: 1, minor: 7 }. */
export function parseRuntime(version: string): { runtime: string; major: number; minor: number } | undefined {
  const m = /^([a-z0-9-]+):\/\/v?(\d+)\.(\d+)/i.exec(version);
  return m ? { runtime: m[1].toLowerCase(), major: Number(m[2]), minor: Number(m[3]) } : undefined;
}

/** Why this runtime loses support, or undefined when it is new enough (or not one we judge). */
function tooOld(version: string): string | undefined {
  const r = parseRuntime(version);
  if (!r) return undefined;
  if (r.runtime === "containerd" && r.major < 2)
    return `containerd ${r.major}.${r.minor} (RuntimeConfig needs containerd 2.0+)`;
  if (r.runtime === "cri-o" && (r.major < 1 || (r.major === 1 && r.minor < 28)))
    return `CRI-O ${r.major}.${r.minor} (RuntimeConfig needs CRI-O 1.28+)`;
  return undefined;
}

function losingSupport(ctx: Parameters<Check["evaluate"]>[0], node: KubeObject): string | undefined {
  const text = ctx.kubeletMetrics?.byNode.get(node.metadata?.name ?? "");
  if (text === undefined) return undefined;
  const hit = metricSamples(text, "kubelet_cri_losing_support").find((s) => s.value > 0);
  return hit ? `kubelet_cri_losing_support{version="${hit.labels.version ?? ""}"}=${hit.value}` : undefined;
}

export const node03Containerd1x: Check = {
  id: "NODE-03",
  severity: "blocker",
  title: "Nodes on containerd 1.x: unsupported after 1.35, failing from 1.38",
  remediation:
    "Upgrade the container runtime on these nodes to containerd 2.0 or later (CRI-O 1.28 or later), or replace the nodes with an image that ships it, before their kubelets move past 1.35. Check the containerd 2 configuration changes (config version 3) first.",
  reads: ["nodes"],
  readsNodeMetrics: true,
  appliesTo: APPLIES_TO,
  evaluate(ctx) {
    const findings: FindingInput[] = [];
    const nodes = ctx.objects("nodes").filter((n) => {
      const info = nodeInfoOf(n);
      if (info.operatingSystem && info.operatingSystem !== "linux") return false;
      return crossedMinors(ctx, APPLIES_TO, info.kubeletVersion).length > 0;
    });
    const groups = groupNodes(nodes, (n) => ({
      runtime: nodeInfoOf(n).containerRuntimeVersion,
      crossesRemoval: crossedMinors(ctx, [FALLBACK_REMOVED], nodeInfoOf(n).kubeletVersion).length > 0,
    }));
    for (const g of groups) {
      const { runtime, crossesRemoval } = g.facts;
      // Upshift reads a few kubelets per node group: one that answers speaks for the group.
      const metric = g.nodes.map((n) => losingSupport(ctx, n)).find(Boolean);
      const who = describeNodes(g.nodes);
      if (!runtime && !metric) {
        findings.push({
          severity: "info",
          object: groupRef(g),
          message: `Could not evaluate the container runtime of ${who}: status.nodeInfo.containerRuntimeVersion is missing and kubelet metrics were not read (${ctx.kubeletMetrics?.missing ?? "not read"}).`,
          evidence: "status.nodeInfo.containerRuntimeVersion=(missing)",
          remediation: "Check the runtime on one node of the group (`crictl version`) before the upgrade.",
        });
        continue;
      }
      const why = runtime ? tooOld(runtime) : undefined;
      if (!why && !metric) continue;
      const evidence = [runtime ? `status.nodeInfo.containerRuntimeVersion=${runtime}` : undefined, metric]
        .filter(Boolean)
        .join("; ");
      const what = why ?? `a runtime the kubelet reports as losing support`;
      findings.push(
        crossesRemoval
          ? {
              object: groupRef(g),
              message: `${who} run ${what}: from 1.38 the kubelet no longer falls back to its own cgroup driver setting, and these nodes fail with the new kubelet.`,
              evidence,
            }
          : {
              severity: "high",
              object: groupRef(g),
              message: `${who} run ${what}: Kubernetes 1.35 was the last release supporting it; the kubelet still falls back to its --cgroup-driver setting until 1.38, where these nodes stop working.`,
              evidence,
            },
      );
    }
    return findings;
  },
};
