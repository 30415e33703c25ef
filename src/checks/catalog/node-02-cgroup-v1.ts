// NODE-02: nodes on cgroup v1 when the upgrade crosses 1.35. From 1.35 the kubelet's
// `failCgroupV1` defaults to true: on a cgroup v1 host the 1.35 kubelet refuses to start, the node
// goes NotReady and the upgrade stops half done. kubeadm 1.35's SystemVerification preflight also
// errors on cgroup v1.
// SOURCES:
// - Kubernetes 1.35 release notes (kubernetes/sig-release releases/release-1.35/release-notes/
//   release-notes-draft.md, "ACTION REQUIRED: failCgroupV1 will be set to true from v1.35",
//   #134298; kubeadm/system-validators v1.12.1, #134744: add `failCgroupV1: false` to the
//   kube-system/kubelet-config ConfigMap and ignore the SystemVerification error to keep v1).
// - KEP-5573 "Remove cgroup v1" (kubernetes/enhancements keps/sig-node/5573-remove-cgroup-v1).
// - KEP-4569 / kubernetes.io blog 2024-08-14 "Moving cgroup v1 support into maintenance mode":
//   metric `kubelet_cgroup_version` = 1 (v1), 2 (v2), 0 (not Linux).
// - kubernetes.io/docs/concepts/architecture/cgroups (kubernetes/website): cgroup v2 needs Linux
//   5.8 or later; distributions using v2 by default: Container-Optimized OS (M97+), Ubuntu 21.10+,
//   Debian 11+, Fedora 31+, RHEL and RHEL-like 9+. The cgroup2 filesystem itself appeared in
//   Linux 4.5 and gained the controllers runc needs by 4.15: below 4.15 v2 cannot run at all.
// - Distributions defaulting to v1 (CentOS 7/8, RHEL-likes 7/8, Ubuntu ≤ 21.04, Debian ≤ 10,
//   Amazon Linux 2) and to v2 (Amazon Linux 2023, Bottlerocket, Flatcar, Talos) are taken from the
//   issue's list and those vendors' documentation; they were not re-verified here, which is why
//   such findings say "by default" and point to the metric or `stat -fc %T /sys/fs/cgroup`.
import type { KubeObject } from "../../kube/resources.ts";
import { kubeadmKubeletConfig } from "../kubeadmConfig.ts";
import {
  describeNodes,
  groupNodes,
  groupRef,
  kernelBefore,
  kernelMajorMinor,
  metricSamples,
  nodeInfoOf,
} from "../nodeFacts.ts";
import { crossedMinors } from "../releaseGate.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

const APPLIES_TO = ["1.35"] as const;

type Verdict = { kind: "v1"; how: string; certain: boolean } | { kind: "v2" } | { kind: "unknown"; missing: string };

interface DistroRule {
  match: RegExp;
  /** cgroup version the distribution boots by default; a function for numbered releases. */
  cgroup: 1 | 2 | ((m: RegExpExecArray) => 1 | 2);
  name: string;
}

const DISTRIBUTIONS: readonly DistroRule[] = [
  { match: /^CentOS (?:Linux|Stream) (7|8)\b/, cgroup: 1, name: "CentOS 7/8" },
  // RHEL CoreOS (OpenShift) is not RHEL 8: it has its own default, so it is not matched here.
  {
    match:
      /^(?:Red Hat Enterprise Linux(?: Server)?|Rocky Linux|AlmaLinux|Oracle Linux Server|CentOS Stream) (\d+)(?:[.\s]|$)/,
    cgroup: (m) => (Number(m[1]) >= 9 ? 2 : 1),
    name: "RHEL and RHEL-like",
  },
  {
    match: /^Ubuntu (\d+)\.(\d+)/,
    cgroup: (m) => (Number(m[1]) > 21 || (Number(m[1]) === 21 && Number(m[2]) >= 10) ? 2 : 1),
    name: "Ubuntu",
  },
  { match: /^Debian GNU\/Linux (\d+)/, cgroup: (m) => (Number(m[1]) >= 11 ? 2 : 1), name: "Debian" },
  { match: /^Fedora(?: Linux| CoreOS)? (\d+)/, cgroup: (m) => (Number(m[1]) >= 31 ? 2 : 1), name: "Fedora" },
  { match: /^Amazon Linux 2023/, cgroup: 2, name: "Amazon Linux 2023" },
  { match: /^Amazon Linux 2(?:\s|$)/, cgroup: 1, name: "Amazon Linux 2" },
  { match: /^Container-Optimized OS/, cgroup: 2, name: "Container-Optimized OS" },
  { match: /^Bottlerocket/, cgroup: 2, name: "Bottlerocket" },
  { match: /^Flatcar Container Linux/, cgroup: 2, name: "Flatcar" },
  { match: /^Talos/, cgroup: 2, name: "Talos" },
];

function distributionDefault(osImage: string): { cgroup: 1 | 2; name: string } | undefined {
  for (const rule of DISTRIBUTIONS) {
    const m = rule.match.exec(osImage);
    if (m) return { cgroup: typeof rule.cgroup === "function" ? rule.cgroup(m) : rule.cgroup, name: rule.name };
  }
  return undefined;
}

/**
 * The group's cgroup version: from the kubelets that answered (Upshift reads a few per node group),
 * else from the kernel and distribution the nodes share.
 */
function verdictOf(nodes: readonly KubeObject[], ctx: CheckContext): Verdict {
  const said = new Map<number, string[]>();
  for (const n of nodes) {
    const name = n.metadata?.name ?? "";
    const text = ctx.kubeletMetrics?.byNode.get(name);
    const value = text === undefined ? undefined : metricSamples(text, "kubelet_cgroup_version")[0]?.value;
    if (value === 1 || value === 2) said.set(value, [...(said.get(value) ?? []), name]);
  }
  if (said.has(1))
    return {
      kind: "v1",
      how: `kubelet_cgroup_version=1 (kubelet metrics of ${said.get(1)!.join(", ")})`,
      certain: true,
    };
  if (said.has(2)) return { kind: "v2" };
  const info = nodeInfoOf(nodes[0]);
  const kernel = kernelMajorMinor(info.kernelVersion);
  if (kernel && kernelBefore(kernel, 4, 15))
    return { kind: "v1", how: `kernel ${info.kernelVersion} (below 4.15 cannot run cgroup v2)`, certain: true };
  if (kernel && kernelBefore(kernel, 5, 8))
    return {
      kind: "v1",
      how: `kernel ${info.kernelVersion} (below 5.8, where Kubernetes does not support cgroup v2)`,
      certain: true,
    };
  const distro = info.osImage ? distributionDefault(info.osImage) : undefined;
  if (distro?.cgroup === 1)
    return { kind: "v1", how: `osImage "${info.osImage}" (${distro.name} boots cgroup v1 by default)`, certain: false };
  if (distro?.cgroup === 2 && kernel) return { kind: "v2" };
  const missing = [
    !info.kernelVersion
      ? "status.nodeInfo.kernelVersion"
      : !kernel
        ? `a parseable kernelVersion (got "${info.kernelVersion}")`
        : undefined,
    !info.osImage
      ? "status.nodeInfo.osImage"
      : !distro
        ? `osImage "${info.osImage}" is not a distribution Upshift knows`
        : undefined,
    `kubelet metrics (${ctx.kubeletMetrics?.missing ?? "not read"})`,
  ].filter(Boolean);
  return { kind: "unknown", missing: missing.join("; ") };
}

export const node02CgroupV1: Check = {
  id: "NODE-02",
  severity: "blocker",
  title: "Nodes on cgroup v1: the 1.35 kubelet refuses to start",
  remediation:
    "Move these nodes to cgroup v2 before upgrading their kubelets to 1.35: replace them with an image that boots cgroup v2 (Ubuntu 22.04+, Debian 12, RHEL 9, Amazon Linux 2023, Bottlerocket…) or boot with systemd.unified_cgroup_hierarchy=1. Only as a stopgap: set failCgroupV1: false in the kubelet configuration (kubeadm: the kube-system/kubelet-config ConfigMap) and ignore kubeadm's SystemVerification preflight error.",
  reads: ["nodes", "configmaps"],
  readsNodeMetrics: true,
  appliesTo: APPLIES_TO,
  evaluate(ctx) {
    const kubelet = kubeadmKubeletConfig(ctx);
    const failCgroupV1 = kubelet.config?.failCgroupV1;
    const candidates = ctx.objects("nodes").filter((n) => {
      const info = nodeInfoOf(n);
      if (info.operatingSystem && info.operatingSystem !== "linux") return false;
      return crossedMinors(ctx, APPLIES_TO, info.kubeletVersion).length > 0;
    });
    const groups = groupNodes(candidates, (n) => ({
      osImage: nodeInfoOf(n).osImage,
      kernel: nodeInfoOf(n).kernelVersion,
    }));
    const findings: FindingInput[] = [];
    const metricsNote = ctx.kubeletMetrics?.missing ? ` Kubelet metrics: ${ctx.kubeletMetrics.missing}.` : "";
    for (const g of groups) {
      const v = verdictOf(g.nodes, ctx);
      const who = describeNodes(g.nodes);
      if (v.kind === "v2") continue;
      if (v.kind === "unknown") {
        findings.push({
          severity: "info",
          object: groupRef(g),
          message: `Could not evaluate the cgroup version of ${who}: missing ${v.missing}. From 1.35 the kubelet refuses to start on cgroup v1.`,
          evidence: `osImage=${g.facts.osImage ?? "(missing)"} kernelVersion=${g.facts.kernel ?? "(missing)"}`,
          remediation:
            "Check on one node of the group: `stat -fc %T /sys/fs/cgroup` prints cgroup2fs on v2 and tmpfs on v1; or grant Upshift nodes/proxy (deploy/kubernetes/components/node-metrics) so it reads kubelet_cgroup_version.",
        });
        continue;
      }
      const likely = v.certain ? "run" : "likely run";
      if (failCgroupV1 === false) {
        findings.push({
          severity: "medium",
          object: groupRef(g),
          message: `${who} ${likely} cgroup v1; the kubelet will still start because kube-system/kubelet-config sets failCgroupV1: false, but cgroup v1 is deprecated from 1.35 and headed for removal.`,
          evidence: `${v.how}; kubelet-config failCgroupV1=false`,
          remediation:
            "Plan the move to cgroup v2 (new node image or systemd.unified_cgroup_hierarchy=1); kubeadm upgrades also need --ignore-preflight-errors=SystemVerification while on v1.",
        });
        continue;
      }
      const where = kubelet.found
        ? failCgroupV1 === true
          ? "kube-system/kubelet-config sets failCgroupV1: true"
          : "kube-system/kubelet-config does not set failCgroupV1, which defaults to true from 1.35"
        : "failCgroupV1 defaults to true from 1.35; there is no kubeadm kubelet-config ConfigMap, and node-local kubelet configuration is not readable";
      findings.push({
        object: groupRef(g),
        message: `${who} ${likely} cgroup v1: their kubelets will refuse to start after the upgrade to 1.35 (${where}).${v.certain ? "" : " Confirm with `stat -fc %T /sys/fs/cgroup` (tmpfs means v1)."}${metricsNote}`,
        evidence: v.how,
      });
    }
    return findings;
  },
};
