// POD-02: pod and Service fields whose behaviour the target changes.
// - Service.spec.externalIPs: deprecated in 1.36, with API warnings, on the way to removal; any
//   IP can be claimed by anyone who may create Services (CVE-2020-8554), so clusters block it.
// - exec probes: 1.35 locks ExecProbeTimeout to true. A kubelet that set it to false (to keep exec
//   probes running past timeoutSeconds) refuses to start, and once it is dropped every exec probe
//   is cut at timeoutSeconds (default 1 s): probes that relied on the old behaviour start failing
//   and, for liveness probes, restart the containers.
// SOURCES:
// - Kubernetes 1.36 release notes (kubernetes/sig-release, #137293): "Added warnings and
//   deprecation for Service .spec.externalIPs".
// - Kubernetes 1.35 release notes (#134635): "Locked the (generally available) feature gate
//   ExecProbeTimeout to true"; timeoutSeconds defaults to 1 (core/v1 Probe,
//   kubernetes/api core/v1 types.go).
import { objectRef } from "../../kube/resources.ts";
import { kubeadmKubeletConfig } from "../kubeadmConfig.ts";
import { describeRef, podContainers } from "../ownership.ts";
import { ownedPodSpecs, POD_SPEC_READS } from "../podSpecs.ts";
import { crossedMinors } from "../releaseGate.ts";
import type { Check, FindingInput } from "../types.ts";

const APPLIES_TO = ["1.35", "1.36"] as const;
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

export const pod02PodSpecChanges: Check = {
  id: "POD-02",
  severity: "medium",
  title: "Service externalIPs or exec probes whose behaviour the target changes",
  remediation:
    "Replace Service externalIPs with a LoadBalancer Service or Gateway; give exec probes an explicit timeoutSeconds that covers the command, and drop ExecProbeTimeout=false from the kubelets.",
  reads: [...POD_SPEC_READS, "services", "configmaps"],
  appliesTo: APPLIES_TO,
  evaluate(ctx) {
    const crossed = crossedMinors(ctx, APPLIES_TO);
    const findings: FindingInput[] = [];

    if (crossed.includes("1.36")) {
      for (const svc of ctx.objects("services")) {
        const ips = svc?.spec?.externalIPs;
        if (!Array.isArray(ips) || ips.length === 0) continue;
        findings.push({
          object: objectRef(svc),
          message: `Service ${svc.metadata?.namespace}/${svc.metadata?.name} sets spec.externalIPs, deprecated in 1.36: the API server warns on every write and the field is headed for removal.`,
          evidence: `spec.externalIPs=${ips.join(",")}`,
          remediation:
            "Expose the Service through a LoadBalancer Service, an Ingress or a Gateway instead, then remove spec.externalIPs; block new uses with an admission policy.",
        });
      }
    }

    if (crossed.includes("1.35")) {
      // Exec probes that rely on the 1 s default, one finding per workload.
      const relying: FindingInput[] = [];
      for (const { owner, spec, pods } of ownedPodSpecs(ctx)) {
        const probes: string[] = [];
        for (const { c } of podContainers(spec)) {
          for (const p of PROBES) {
            const probe = c?.[p];
            if (probe?.exec && typeof probe.exec === "object" && probe.timeoutSeconds === undefined)
              probes.push(`${c.name ?? "?"}.${p}`);
          }
        }
        if (probes.length === 0) continue;
        relying.push({
          severity: "high",
          object: owner,
          message: `${describeRef(owner)}${pods > 1 ? ` (${pods} pods)` : ""} has exec probes without timeoutSeconds (${probes.join(", ")}): with ExecProbeTimeout locked on from 1.35 they are cut after 1 s, and kube-system/kubelet-config sets ExecProbeTimeout=false today, so they have never been timed out.`,
          evidence: probes.map((p) => `${p}.timeoutSeconds=(unset, default 1)`).join("; "),
          remediation:
            "Set timeoutSeconds on these exec probes to cover the slowest run of their command, then remove ExecProbeTimeout=false from the kubelet configuration before upgrading.",
        });
      }
      const kubelet = kubeadmKubeletConfig(ctx);
      const gates = kubelet.config?.featureGates as Record<string, unknown> | undefined;
      const disabled = gates && typeof gates === "object" && String(gates.ExecProbeTimeout).toLowerCase() === "false";
      if (disabled) findings.push(...relying);
      else if (!kubelet.config && relying.length > 0) {
        findings.push({
          severity: "info",
          object: { apiVersion: "v1", kind: "Cluster", name: ctx.cluster },
          message: `Could not evaluate ${relying.length} workload${relying.length > 1 ? "s" : ""} with exec probes that rely on the 1 s default timeout (e.g. ${relying[0].object.namespace}/${relying[0].object.name}): the kubelets' feature gates are not readable (no kube-system/kubelet-config). If they set ExecProbeTimeout=false, those probes start timing out at 1.35.`,
          evidence: "kube-system/kubelet-config not found",
          remediation:
            "Check the kubelets' --feature-gates/featureGates for ExecProbeTimeout=false; if set, give the exec probes an explicit timeoutSeconds before upgrading.",
        });
      }
    }
    return findings;
  },
};
