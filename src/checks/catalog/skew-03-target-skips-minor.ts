// SKEW-03: the control plane can only move one minor at a time, and never backwards. Upgrading
// 1.30 → 1.32 directly is unsupported (storage migrations and API removals assume each minor
// ran); a "target" older than the server is a downgrade, which Kubernetes does not support.
import { formatFull, minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import type { Check, FindingInput, ObjectRef } from "../types.ts";

export const skew03TargetSkipsMinor: Check = {
  id: "SKEW-03",
  severity: "blocker",
  title: "Target skips a minor version or downgrades",
  remediation:
    "Upgrade one minor at a time (e.g. 1.30 → 1.31 → 1.32), running the preflight before each step; do not downgrade a control plane.",
  reads: [],
  evaluate(ctx) {
    const object: ObjectRef = { apiVersion: "v1", kind: "Cluster", name: ctx.cluster };
    const server = parseKubeVersion(ctx.serverVersion);
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    if (!server || !target) {
      return [
        {
          severity: "info",
          object,
          message: `Could not evaluate the upgrade path: ${!server ? `server version "${ctx.serverVersion}"` : `target "${ctx.target}"`} is not a Kubernetes version.`,
          evidence: `server=${ctx.serverVersion} target=${ctx.target}`,
          remediation: "Give the target as MAJOR.MINOR, e.g. 1.32.",
        },
      ];
    }
    const distance = minorDistance(server, target);
    const evidence = `server=${formatFull(server)} target=${formatFull(target)}`;
    const findings: FindingInput[] = [];
    if (distance > 1) {
      const steps = Array.from({ length: distance }, (_, i) => `${server.major}.${server.minor + i + 1}`);
      findings.push({
        object,
        message: `The target ${ctx.target} is ${distance} minors ahead of the server ${formatFull(server)}; the control plane must be upgraded one minor at a time.`,
        evidence,
        remediation: `Upgrade through ${steps.join(" → ")}, running the preflight before each step.`,
      });
    } else if (distance < 0) {
      findings.push({
        object,
        message: `The target ${ctx.target} is older than the server ${formatFull(server)}: that is a downgrade, which Kubernetes does not support.`,
        evidence,
        remediation:
          "Pick a target at or after the server's minor; to go back, restore the control plane from an etcd backup taken before the upgrade.",
      });
    } else if (
      distance === 0 &&
      server.patch !== undefined &&
      target.patch !== undefined &&
      target.patch < server.patch
    ) {
      findings.push({
        object,
        message: `The target ${ctx.targetFull} is an older patch than the server ${formatFull(server)}: that is a downgrade.`,
        evidence,
        remediation: "Pick a patch at or after the server's.",
      });
    }
    return findings;
  },
};
