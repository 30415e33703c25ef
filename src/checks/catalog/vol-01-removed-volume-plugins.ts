// VOL-01: volumes whose plugin the target removes or switches off. Pods using them fail to start
// (ContainerCreating, "volume plugin ... not found" or "has been disabled"), PersistentVolumes on
// them cannot be mounted after the upgrade.
// SOURCES:
// - Kubernetes 1.31 release notes (kubernetes/sig-release releases/release-1.31): the CephFS
//   (`kubernetes.io/cephfs`) and Ceph RBD (`kubernetes.io/rbd`, CSI migration included) in-tree
//   plugins were removed; "the cephfs/rbd volume type became non-functional"; use ceph-csi.
// - KEP-5040 (kubernetes/enhancements#5040) and the GitRepoVolumeDriver gate page
//   (kubernetes/website): gitRepo is disabled by default from 1.33 (the gate can re-enable it),
//   and the gate is locked to disabled in 1.36 (#136400).
// - Kubernetes 1.36 release notes: in-tree Portworx plugin removed, every operation goes to the
//   CSI driver (`pxd.portworx.com`), which must be installed (#135322); kubeadm no longer mounts the
//   FlexVolume plugin directory into kube-controller-manager ("ACTION REQUIRED", #136423).
import { objectRef } from "../../kube/resources.ts";
import { describeRef, type Loose } from "../ownership.ts";
import { ownedPodSpecs, POD_SPEC_READS, volumesOf } from "../podSpecs.ts";
import { crossedMinors } from "../releaseGate.ts";
import type { Check, FindingInput, Severity } from "../types.ts";

interface PluginRule {
  /** Field of a pod volume or PersistentVolume spec naming the plugin. */
  field: "gitRepo" | "cephfs" | "rbd" | "portworxVolume" | "flexVolume";
  minor: string;
  severity: Severity;
  what: string;
  fix: string;
}

const RULES: readonly PluginRule[] = [
  {
    field: "cephfs",
    minor: "1.31",
    severity: "blocker",
    what: "the in-tree CephFS plugin is removed in 1.31",
    fix: "Move the data to a ceph-csi (cephfs.csi.ceph.com) volume and redeploy before upgrading.",
  },
  {
    field: "rbd",
    minor: "1.31",
    severity: "blocker",
    what: "the in-tree Ceph RBD plugin (and its CSI migration) is removed in 1.31",
    fix: "Move the data to a ceph-csi (rbd.csi.ceph.com) volume and redeploy before upgrading.",
  },
  {
    field: "gitRepo",
    minor: "1.33",
    severity: "high",
    what: "gitRepo volumes are disabled by default from 1.33 (the GitRepoVolumeDriver gate can still re-enable them)",
    fix: "Replace the gitRepo volume with an emptyDir filled by an init container that runs git clone.",
  },
  {
    field: "gitRepo",
    minor: "1.36",
    severity: "blocker",
    what: "gitRepo volumes cannot be enabled at all from 1.36 (GitRepoVolumeDriver is locked to false)",
    fix: "Replace the gitRepo volume with an emptyDir filled by an init container that runs git clone.",
  },
  {
    field: "portworxVolume",
    minor: "1.36",
    severity: "high",
    what: "the in-tree Portworx plugin is removed in 1.36 and every operation goes to the pxd.portworx.com CSI driver",
    fix: "Install the Portworx CSI driver (pxd.portworx.com) before upgrading; without it these volumes cannot be attached or mounted.",
  },
  {
    field: "flexVolume",
    minor: "1.36",
    severity: "medium",
    what: "kubeadm 1.36 no longer mounts the FlexVolume plugin directory into kube-controller-manager",
    fix: "Migrate to a CSI driver; to keep FlexVolume on kubeadm, run kube-controller-manager from a non-distroless image with --flex-volume-plugin-dir and mount /usr/libexec/kubernetes/kubelet-plugins/volume/exec through extraVolumes before upgrading.",
  },
];

export const vol01RemovedVolumePlugins: Check = {
  id: "VOL-01",
  severity: "blocker",
  title: "Volumes on plugins the target removes or disables",
  remediation:
    "Move the volumes to CSI drivers (ceph-csi, the Portworx CSI driver) or, for gitRepo, to an emptyDir filled by an init container, before upgrading.",
  reads: [...POD_SPEC_READS, "persistentvolumes"],
  appliesTo: [...new Set(RULES.map((r) => r.minor))],
  evaluate(ctx) {
    const crossed = new Set(crossedMinors(ctx, [...new Set(RULES.map((r) => r.minor))]));
    // Per field, the strongest rule the upgrade crosses (gitRepo: the 1.36 lock over 1.33's default).
    const rank: Record<Severity, number> = { blocker: 4, high: 3, medium: 2, low: 1, info: 0 };
    const active = new Map<string, PluginRule>();
    for (const r of RULES) {
      if (!crossed.has(r.minor)) continue;
      const prev = active.get(r.field);
      if (!prev || rank[r.severity] > rank[prev.severity]) active.set(r.field, r);
    }
    if (active.size === 0) return [];
    const findings: FindingInput[] = [];

    for (const { owner, spec, pods } of ownedPodSpecs(ctx)) {
      const hits = new Map<PluginRule, string[]>();
      for (const v of volumesOf(spec)) {
        for (const rule of active.values()) {
          if (v[rule.field] && typeof v[rule.field] === "object")
            hits.set(rule, [...(hits.get(rule) ?? []), String(v.name ?? "?")]);
        }
      }
      for (const [rule, names] of hits) {
        findings.push({
          severity: rule.severity,
          object: owner,
          message: `${describeRef(owner)}${pods > 1 ? ` (${pods} pods)` : ""} mounts ${rule.field} volume${names.length > 1 ? "s" : ""} ${names.join(", ")}: ${rule.what}.`,
          evidence: names.map((n) => `spec.volumes[${n}].${rule.field}`).join(", "),
          remediation: rule.fix,
        });
      }
    }

    // PersistentVolumes belong to no workload: one finding per plugin, naming the volumes.
    for (const rule of active.values()) {
      if (rule.field === "gitRepo") continue;
      const pvs = ctx.objects("persistentvolumes").filter((pv) => {
        const src = (pv?.spec as Loose | undefined)?.[rule.field];
        return src && typeof src === "object";
      });
      if (pvs.length === 0) continue;
      const names = pvs.map((pv) => pv.metadata?.name ?? "(unnamed)");
      findings.push({
        severity: rule.severity,
        object: objectRef(pvs[0]),
        message: `${pvs.length === 1 ? "PersistentVolume" : `${pvs.length} PersistentVolumes`} (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}) use ${rule.field}: ${rule.what}.`,
        evidence: `spec.${rule.field} on ${names.length} PersistentVolume${names.length > 1 ? "s" : ""}`,
        remediation: rule.fix,
      });
    }
    return findings;
  },
};
