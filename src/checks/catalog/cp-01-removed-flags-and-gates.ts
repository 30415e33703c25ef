// CP-01: control-plane components (and kubeadm's kubelet configuration) that set a feature gate or
// a flag the target removes, or a gate the target locks to the other value. The new binary exits
// on start ("unrecognized feature gate", "unknown flag", "feature is locked"), so a kubeadm
// upgrade stalls on the first control-plane node with its API server or controller manager down.
// SOURCES: the per-release tables in src/versions/releaseRemovals.ts (Kubernetes 1.33–1.37 release
// notes, kubernetes/sig-release release-notes drafts, one pull request per row); feature gates
// reject unknown names and locked values: kubernetes.io/docs/reference/command-line-tools-reference
// /feature-gates ("a locked gate cannot be changed").
import { objectRef } from "../../kube/resources.ts";
import { minorDistance } from "../../versions/kube.ts";
import { KNOWN_THROUGH, prUrl, RELEASE_REMOVALS } from "../../versions/releaseRemovals.ts";
import {
  type ControlPlaneMember,
  controlPlaneMembers,
  membersText,
  parseFeatureGates,
  parseFlags,
} from "../controlPlane.ts";
import { kubeadmKubeletConfig } from "../kubeadmConfig.ts";
import { crossedMinors, minorOf, upgradeSpan } from "../releaseGate.ts";
import type { Check, FindingInput, ObjectRef } from "../types.ts";

const APPLIES_TO = Object.keys(RELEASE_REMOVALS);

interface Problem {
  /** Sorting and grouping key, e.g. "gate SidecarContainers removed 1.37". */
  text: string;
  evidence: string;
}

/** Problems of one component's gates and flags across the minors the upgrade crosses. */
function problemsOf(
  component: string,
  gates: Map<string, string>,
  flags: Map<string, string> | undefined,
  minors: readonly string[],
): Problem[] {
  const out: Problem[] = [];
  const removedAt = new Map<string, string>();
  for (const m of minors) for (const row of RELEASE_REMOVALS[m].removedGates) removedAt.set(row.gate, m);
  for (const m of minors) {
    const table = RELEASE_REMOVALS[m];
    for (const row of table.removedGates) {
      if (!gates.has(row.gate)) continue;
      out.push({
        text: `feature gate ${row.gate} is removed in ${m} (${prUrl(row.pr)})`,
        evidence: `--feature-gates ${row.gate}=${gates.get(row.gate)}`,
      });
    }
    for (const row of table.lockedGates) {
      const value = gates.get(row.gate)?.toLowerCase();
      if (value === undefined || removedAt.has(row.gate)) continue;
      if (value === String(row.locked)) continue; // locked to what it is set to: fine until removed
      out.push({
        text: `feature gate ${row.gate} is locked to ${row.locked} from ${m}, and this sets it to ${value || "(empty)"} (${prUrl(row.pr)})`,
        evidence: `--feature-gates ${row.gate}=${gates.get(row.gate)}`,
      });
    }
    for (const row of table.removedFlags) {
      if (row.component !== component || !flags?.has(row.flag)) continue;
      out.push({
        text: `flag ${row.flag} is removed in ${m} (${prUrl(row.pr)})`,
        evidence: `${row.flag}=${flags.get(row.flag)}`,
      });
    }
  }
  return out;
}

export const cp01RemovedFlagsAndGates: Check = {
  id: "CP-01",
  severity: "blocker",
  title: "Control-plane flags or feature gates removed or locked in the target",
  remediation:
    "Remove the listed feature gates and flags from the component's manifest before upgrading (kubeadm: ClusterConfiguration apiServer/controllerManager/scheduler extraArgs and KubeletConfiguration featureGates in kube-system/kubelet-config, then `kubeadm upgrade`), and set locked gates to their locked value or drop them.",
  reads: ["pods", "configmaps"],
  appliesTo: APPLIES_TO,
  evaluate(ctx) {
    const minors = crossedMinors(ctx, APPLIES_TO);
    const findings: FindingInput[] = [];
    const members = controlPlaneMembers(ctx).filter((m) => m.component !== "etcd"); // etcd has gates of its own
    const kubelet = kubeadmKubeletConfig(ctx);
    const kubeletGates = new Map<string, string>();
    const fg = kubelet.config?.featureGates;
    if (fg && typeof fg === "object" && !Array.isArray(fg))
      for (const [k, v] of Object.entries(fg as Record<string, unknown>)) kubeletGates.set(k, String(v));

    if (minors.length > 0) {
      // HA members with the same problems are one finding.
      const groups = new Map<string, { members: ControlPlaneMember[]; problems: Problem[] }>();
      for (const m of members) {
        const flags = parseFlags(m.argv);
        const problems = problemsOf(m.component, parseFeatureGates(flags.get("--feature-gates")), flags, minors);
        if (problems.length === 0) continue;
        const key = `${m.component}|${problems.map((p) => p.text).join("|")}`;
        const group = groups.get(key);
        if (group) group.members.push(m);
        else groups.set(key, { members: [m], problems });
      }
      for (const { members: ms, problems } of groups.values()) {
        findings.push({
          object: objectRef(ms[0].pod),
          message: `${membersText(ms)} will not start at the target: ${problems.map((p) => p.text).join("; ")}.`,
          evidence: problems.map((p) => p.evidence).join("; "),
        });
      }
      const kubeletProblems = problemsOf("kubelet", kubeletGates, undefined, minors);
      if (kubeletProblems.length > 0) {
        findings.push({
          object: { apiVersion: "v1", kind: "ConfigMap", namespace: "kube-system", name: "kubelet-config" },
          message: `Kubelets configured from kube-system/kubelet-config will not start at the target: ${kubeletProblems.map((p) => p.text).join("; ")}.`,
          evidence: `data.kubelet featureGates: ${kubeletProblems.map((p) => p.evidence.replace("--feature-gates ", "")).join(", ")}`,
        });
      }
    }

    // Past the table's end nothing is known: say so where gates are set, instead of a silent pass.
    const span = upgradeSpan(ctx);
    const setsGates = members.some((m) => parseFlags(m.argv).has("--feature-gates")) || kubeletGates.size > 0;
    if (span && setsGates && minorDistance(minorOf(KNOWN_THROUGH), span.to) > 0) {
      const object: ObjectRef = { apiVersion: "v1", kind: "Cluster", name: ctx.cluster };
      findings.push({
        severity: "info",
        object,
        message: `Could not evaluate feature gates and flags removed after ${KNOWN_THROUGH}: Upshift's tables end there, and this cluster sets feature gates on control-plane components or kubelets.`,
        evidence: `target=${ctx.target} known through ${KNOWN_THROUGH}`,
        remediation: `Read the "Deprecation" and "Other (Cleanup or Flake)" sections of the release notes of every minor after ${KNOWN_THROUGH} up to ${ctx.target}, and compare them with each --feature-gates.`,
      });
    }
    return findings;
  },
};
