// ETCD-01: kubeadm's stacked etcd on a version the upgrade cannot carry. kubeadm 1.36 no longer
// supports etcd below 3.6.0, so `kubeadm upgrade apply v1.36` moves the etcd static pods to 3.6;
// etcd upgrades one minor at a time and, for 3.5 → 3.6, only from 3.5.26 or later (earlier 3.5
// patches have upgrade blockers that can leave members unable to rejoin).
// SOURCES:
// - Kubernetes 1.36 release notes (kubernetes/sig-release, #135701): "In this version of kubeadm,
//   etcd < v3.6.0 is no longer supported in terms of the Kubernetes / etcd version mapping."
// - etcd.io/docs/latest/upgrades/upgrade_3_6 ("Before upgrading to 3.6, make sure that all of your
//   3.5 members are updated to 3.5.26 or later. Patch releases 3.5.24 through 3.5.26 fix several
//   potential upgrade blockers"); etcd.io upgrade policy: one minor at a time. Earlier revisions of
//   that page said 3.5.20, and a later one is reported to say 3.5.32 (k3s-io/k3s discussion
//   #14908); 3.5.26 is the newest figure read at the source, hence the advice to take the newest
//   3.5 patch.
import { objectRef } from "../../kube/resources.ts";
import { imageTag } from "../../versions/chartVersion.ts";
import { type ControlPlaneMember, controlPlaneMembers, membersText } from "../controlPlane.ts";
import { crossedMinors } from "../releaseGate.ts";
import type { Check, FindingInput } from "../types.ts";

const APPLIES_TO = ["1.36"] as const;
const MIN_35_PATCH = 26;

/** "registry.k8s.io/etcd:3.5.15-0" → [3, 5, 15]. */
export function etcdVersion(image: string | undefined): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec((image && imageTag(image)) ?? "");
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export const etcd01EtcdVersionForKubeadm: Check = {
  id: "ETCD-01",
  severity: "blocker",
  title: "Stacked etcd too old for kubeadm 1.36 (needs 3.6, reached from 3.5.26+)",
  remediation:
    "Before upgrading the control plane to 1.36, bring every etcd member to the newest 3.5 patch (at least 3.5.26), one member at a time, with a snapshot first (`etcdctl snapshot save`); then let kubeadm move etcd to 3.6. Clusters with --enable-v2 must clean the v2 store first (etcd.io upgrade_3_6).",
  reads: ["pods"],
  appliesTo: APPLIES_TO,
  evaluate(ctx) {
    if (crossedMinors(ctx, APPLIES_TO).length === 0) return [];
    const groups = new Map<string, ControlPlaneMember[]>();
    for (const m of controlPlaneMembers(ctx)) {
      if (m.component !== "etcd") continue;
      const key = m.image ?? "(none)";
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    const findings: FindingInput[] = [];
    for (const [image, members] of groups) {
      const who = membersText(members);
      const v = etcdVersion(members[0].image);
      const object = objectRef(members[0].pod);
      if (!v) {
        findings.push({
          severity: "info",
          object,
          message: `Could not evaluate the etcd version of ${who}: image ${image} has no version tag. kubeadm 1.36 needs etcd 3.6, reached from 3.5.26 or later.`,
          evidence: `spec.containers[etcd].image=${image}`,
          remediation: "Check the version with `etcdctl version` (or `etcd --version`) in the etcd pod.",
        });
        continue;
      }
      const [major, minor, patch] = v;
      const text = `${major}.${minor}.${patch}`;
      if (major > 3 || (major === 3 && minor >= 6)) continue;
      if (major === 3 && minor === 5 && patch >= MIN_35_PATCH) {
        findings.push({
          severity: "low",
          object,
          message: `${who} runs etcd ${text}; kubeadm 1.36 will upgrade it to 3.6 (supported from 3.5.${MIN_35_PATCH}). Take a snapshot first.`,
          evidence: `spec.containers[etcd].image=${image}`,
        });
        continue;
      }
      findings.push({
        object,
        message:
          major === 3 && minor === 5
            ? `${who} runs etcd ${text}: kubeadm 1.36 moves etcd to 3.6, which is only supported from 3.5.${MIN_35_PATCH}; earlier 3.5 patches carry known upgrade blockers.`
            : `${who} runs etcd ${text}: kubeadm 1.36 needs etcd 3.6, and etcd upgrades one minor at a time (${major}.${minor} → 3.5 → 3.6).`,
        evidence: `spec.containers[etcd].image=${image}`,
      });
    }
    return findings;
  },
};
