// SKEW-04: control-plane components outside the skew policy among themselves.
// kube-controller-manager and kube-scheduler must not be newer than any kube-apiserver they talk
// to and may be at most one minor older than the newest; HA kube-apiservers may be at most one
// minor apart. A half-finished earlier upgrade leaves exactly this behind, and the next minor
// step widens the gap past what is supported.
import type { KubeObject } from "../../kube/resources.ts";
import { objectRef } from "../../kube/resources.ts";
import { imageTag } from "../../versions/chartVersion.ts";
import { formatMinor, type KubeVersion, minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import { podContainers } from "../ownership.ts";
import type { Check, FindingInput } from "../types.ts";

const COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
type Component = (typeof COMPONENTS)[number];

interface Member {
  pod: KubeObject;
  component: Component;
  image: string;
  version: KubeVersion;
}

function componentOf(pod: KubeObject): Component | undefined {
  const label = pod?.metadata?.labels?.component;
  if (COMPONENTS.includes(label as Component)) return label as Component;
  const name = pod?.metadata?.name ?? "";
  return COMPONENTS.find((c) => name.startsWith(`${c}-`));
}

function componentImage(pod: KubeObject, component: Component): string | undefined {
  const containers = podContainers(pod?.spec).filter((x) => x.kind === "container");
  const hit =
    containers.find(({ c }) => c.name === component) ??
    containers.find(({ c }) => typeof c.image === "string" && c.image.includes(component)) ??
    containers[0];
  return typeof hit?.c.image === "string" ? hit.c.image : undefined;
}

function versionRange(members: Member[]): { min: Member; max: Member } | undefined {
  if (members.length === 0) return undefined;
  let min = members[0];
  let max = members[0];
  for (const m of members) {
    if (minorDistance(m.version, min.version) > 0) min = m;
    if (minorDistance(max.version, m.version) > 0) max = m;
  }
  return { min, max };
}

export const skew04ControlPlaneSkew: Check = {
  id: "SKEW-04",
  severity: "high",
  title: "Control-plane components outside the version skew policy",
  remediation:
    "Finish the previous control-plane upgrade: bring every kube-apiserver to the same minor, then kube-controller-manager and kube-scheduler to the apiserver's minor, before starting the next one.",
  reads: ["pods"],
  evaluate(ctx) {
    const findings: FindingInput[] = [];
    const members: Member[] = [];
    for (const pod of ctx.objects("pods")) {
      if (pod?.metadata?.namespace !== "kube-system") continue;
      const component = componentOf(pod);
      if (!component) continue;
      const image = componentImage(pod, component);
      const tag = image ? imageTag(image) : undefined;
      const version = tag ? parseKubeVersion(tag) : undefined;
      if (!image || !version) {
        const ref = objectRef(pod);
        findings.push({
          severity: "info",
          object: ref,
          message: `Could not evaluate the version of ${component} pod ${ref.name}: image ${image ?? "(none)"} has no version tag.`,
          evidence: `spec.containers[${component}].image=${image ?? "(missing)"}`,
          remediation: `Check the ${component} version by hand.`,
        });
        continue;
      }
      members.push({ pod, component, image, version });
    }
    const apiservers = members.filter((m) => m.component === "kube-apiserver");
    const api = versionRange(apiservers);
    // Managed control planes hide apiserver pods; the server's own version stands in.
    const server = parseKubeVersion(ctx.serverVersion);
    const apiMin = api?.min.version ?? server;
    const apiMax = api?.max.version ?? server;
    if (!apiMin || !apiMax) return findings;

    if (api && minorDistance(api.min.version, api.max.version) > 1) {
      const ref = objectRef(api.min.pod);
      findings.push({
        object: ref,
        message: `kube-apiserver instances are ${minorDistance(api.min.version, api.max.version)} minors apart (${ref.name} at ${formatMinor(api.min.version)}, ${api.max.pod.metadata?.name} at ${formatMinor(api.max.version)}); HA apiservers may differ by at most one.`,
        evidence: `spec.containers[kube-apiserver].image=${api.min.image} vs ${api.max.image}`,
        remediation: `Upgrade ${ref.name} to ${formatMinor(api.max.version)} before anything else.`,
      });
    }
    for (const m of members) {
      if (m.component === "kube-apiserver") continue;
      const ref = objectRef(m.pod);
      if (minorDistance(apiMin, m.version) > 0) {
        findings.push({
          object: ref,
          message: `${m.component} ${ref.name} runs ${formatMinor(m.version)}, newer than kube-apiserver ${formatMinor(apiMin)}; it must not be newer than any apiserver it talks to.`,
          evidence: `spec.containers[${m.component}].image=${m.image} (kube-apiserver ${formatMinor(apiMin)})`,
          remediation: `Upgrade every kube-apiserver to ${formatMinor(m.version)} first, or set ${m.component} back to ${formatMinor(apiMin)}.`,
        });
      } else if (minorDistance(m.version, apiMax) > 1) {
        findings.push({
          object: ref,
          message: `${m.component} ${ref.name} runs ${formatMinor(m.version)}, ${minorDistance(m.version, apiMax)} minors behind kube-apiserver ${formatMinor(apiMax)}; it may be at most one minor older.`,
          evidence: `spec.containers[${m.component}].image=${m.image} (kube-apiserver ${formatMinor(apiMax)})`,
          remediation: `Upgrade ${m.component} on this node to ${formatMinor(apiMax)} (kubeadm: \`kubeadm upgrade node\`) before the next control-plane step.`,
        });
      }
    }
    return findings;
  },
};
