// CP-02: control-plane components still configured for an in-tree cloud provider, or kube-apiserver
// still passed --cloud-provider/--cloud-config. The in-tree providers (aws, azure, gce, openstack,
// vsphere) were removed in 1.31: kube-controller-manager and kube-apiserver refuse those names and
// the cloud work (node addresses, routes, load balancers) must move to the provider's external
// cloud-controller-manager. kube-apiserver lost both flags in 1.33 and then does not start with
// them, whatever their value.
// SOURCES:
// - kubernetes.io blog 2024-05-20 "Completing the largest migration in Kubernetes history" (the
//   in-tree cloud provider code is removed in v1.31; use external cloud-controller-managers).
// - Kubernetes 1.33 release notes (kubernetes/sig-release, #130162): "kube-apiserver: removed the
//   deprecated `--cloud-provider` and `--cloud-config` CLI parameters"; feature gates
//   DisableCloudProviders and DisableKubeletCloudCredentialProviders removed (CP-01's table).
import { objectRef } from "../../kube/resources.ts";
import { type ControlPlaneMember, controlPlaneMembers, membersText, parseFlags } from "../controlPlane.ts";
import { crossedMinors } from "../releaseGate.ts";
import type { Check, FindingInput } from "../types.ts";

const APPLIES_TO = ["1.31", "1.33"] as const;
const IN_TREE = ["aws", "azure", "gce", "openstack", "vsphere"];

export const cp02InTreeCloudProvider: Check = {
  id: "CP-02",
  severity: "blocker",
  title: "Control plane configured for an in-tree cloud provider",
  remediation:
    "Deploy the provider's external cloud-controller-manager (and CSI drivers), set --cloud-provider=external on kube-controller-manager and the kubelets, and remove --cloud-provider/--cloud-config from kube-apiserver (kubeadm: ClusterConfiguration extraArgs) before upgrading.",
  reads: ["pods"],
  appliesTo: APPLIES_TO,
  evaluate(ctx) {
    const crossed = crossedMinors(ctx, APPLIES_TO);
    if (crossed.length === 0) return [];
    const groups = new Map<string, { members: ControlPlaneMember[]; problems: string[]; evidence: string }>();
    for (const m of controlPlaneMembers(ctx)) {
      if (m.component !== "kube-apiserver" && m.component !== "kube-controller-manager") continue;
      const flags = parseFlags(m.argv);
      const provider = flags.get("--cloud-provider");
      const config = flags.get("--cloud-config");
      const problems: string[] = [];
      if (crossed.includes("1.31") && provider && IN_TREE.includes(provider.toLowerCase()))
        problems.push(`the in-tree cloud provider "${provider}" is removed in 1.31`);
      if (
        crossed.includes("1.33") &&
        m.component === "kube-apiserver" &&
        (provider !== undefined || config !== undefined)
      )
        problems.push("kube-apiserver's --cloud-provider and --cloud-config flags are removed in 1.33");
      if (problems.length === 0) continue;
      const evidence = [
        provider !== undefined ? `--cloud-provider=${provider}` : undefined,
        config !== undefined ? `--cloud-config=${config}` : undefined,
      ]
        .filter(Boolean)
        .join(" ");
      const key = `${m.component}|${evidence}|${problems.join("|")}`;
      const g = groups.get(key);
      if (g) g.members.push(m);
      else groups.set(key, { members: [m], problems, evidence });
    }
    const findings: FindingInput[] = [];
    for (const { members, problems, evidence } of groups.values()) {
      findings.push({
        object: objectRef(members[0].pod),
        message: `${membersText(members)} will not start at the target: ${problems.join("; ")}.`,
        evidence,
      });
    }
    return findings;
  },
};
