// SKEW-04: control-plane components outside the version skew policy, among themselves and for
// the target. kube-controller-manager, kube-scheduler and cloud-controller-manager must not be
// newer than any kube-apiserver they talk to and may be at most one minor older; HA kube-apiservers
// may be at most one minor apart. Upgrading kube-apiserver to a target T needs every apiserver at
// T-1 (no skipped minors) and those three components at T-1, or they end up two minors behind.
// A half-finished earlier upgrade leaves exactly this behind. The oldest apiserver is read from
// the mirror pods (one /version answer comes from whichever instance the load balancer picked).
// One finding per component and minor, naming every pod at it.
// SOURCES: kubernetes/website content/en/releases/version-skew-policy.md ("Supported version skew":
// kube-apiserver, "kube-controller-manager, kube-scheduler, and cloud-controller-manager"; "Supported
// component upgrade order": pre-requisites for upgrading kube-apiserver).
import type { KubeObject } from "../../kube/resources.ts";
import { objectRef } from "../../kube/resources.ts";
import { imageTag } from "../../versions/chartVersion.ts";
import { formatMinor, type KubeVersion, minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import { podContainers } from "../ownership.ts";
import type { Check, FindingInput } from "../types.ts";

const COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "cloud-controller-manager"] as const;
type Component = (typeof COMPONENTS)[number];

interface Member {
  pod: KubeObject;
  component: Component;
  image: string;
  version: KubeVersion;
}

/** Pods of one component at one minor. */
interface Group {
  component: Component;
  version: KubeVersion;
  members: Member[];
}

function componentOf(pod: KubeObject): Component | undefined {
  const labels = pod?.metadata?.labels ?? {};
  for (const key of ["component", "k8s-app", "app", "app.kubernetes.io/name"]) {
    const value = labels[key];
    if (COMPONENTS.includes(value as Component)) return value as Component;
  }
  const name = pod?.metadata?.name ?? "";
  const byPrefix = COMPONENTS.find((c) => name.startsWith(`${c}-`));
  if (byPrefix) return byPrefix;
  // External cloud controller managers carry their provider's name: aws-cloud-controller-manager-x7k2p.
  return /(?:^|-)cloud-controller-manager(?:-|$)/.test(name) ? "cloud-controller-manager" : undefined;
}

function componentImage(pod: KubeObject, component: Component): string | undefined {
  const containers = podContainers(pod?.spec).filter((x) => x.kind === "container");
  const hit =
    containers.find(({ c }) => c.name === component) ??
    containers.find(({ c }) => typeof c.image === "string" && c.image.includes(component)) ??
    containers[0];
  return typeof hit?.c.image === "string" ? hit.c.image : undefined;
}

function groupsOf(members: Member[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const m of members) {
    const key = `${m.component}|${formatMinor(m.version)}`;
    const g = byKey.get(key) ?? { component: m.component, version: m.version, members: [] };
    byKey.set(key, g);
    g.members.push(m);
  }
  return [...byKey.values()];
}

function names(g: Group): string {
  const list = g.members.map((m) => m.pod.metadata?.name ?? "?");
  const shown = list.slice(0, 5);
  const rest = list.length - shown.length;
  const text = shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
  return rest > 0 ? `${shown.join(", ")} and ${rest} more` : text;
}

function evidence(g: Group, extra: string): string {
  const first = g.members[0];
  const more = g.members.length > 1 ? ` (+${g.members.length - 1} more pod${g.members.length > 2 ? "s" : ""})` : "";
  return `${first.pod.metadata?.name}: spec.containers[${g.component}].image=${first.image}${more}; ${extra}`;
}

/**
 * The oldest kube-apiserver among the kube-system mirror pods, or undefined when none is visible
 * (managed control planes). Components must not be newer than any apiserver they may talk to.
 */
export function oldestApiServer(pods: readonly KubeObject[]): { version: KubeVersion; pod: string } | undefined {
  let oldest: { version: KubeVersion; pod: string } | undefined;
  for (const pod of pods) {
    if (pod?.metadata?.namespace !== "kube-system" || componentOf(pod) !== "kube-apiserver") continue;
    const image = componentImage(pod, "kube-apiserver");
    const tag = image ? imageTag(image) : undefined;
    const version = tag ? parseKubeVersion(tag) : undefined;
    if (version && (!oldest || minorDistance(version, oldest.version) > 0)) {
      oldest = { version, pod: pod.metadata?.name ?? "?" };
    }
  }
  return oldest;
}

export const skew04ControlPlaneSkew: Check = {
  id: "SKEW-04",
  severity: "high",
  title: "Control-plane components outside the version skew policy",
  remediation:
    "Finish the previous control-plane upgrade: bring every kube-apiserver to the same minor, then kube-controller-manager, kube-scheduler and cloud-controller-manager to the apiserver's minor, before starting the next one.",
  reads: ["pods"],
  evaluate(ctx) {
    const findings: FindingInput[] = [];
    const members: Member[] = [];
    const untagged = new Map<string, { pod: KubeObject; image: string | undefined; count: number }>();
    for (const pod of ctx.objects("pods")) {
      if (pod?.metadata?.namespace !== "kube-system") continue;
      const component = componentOf(pod);
      if (!component) continue;
      const image = componentImage(pod, component);
      const tag = image ? imageTag(image) : undefined;
      const version = tag ? parseKubeVersion(tag) : undefined;
      if (!image || !version) {
        const key = `${component}|${image ?? ""}`;
        const seen = untagged.get(key);
        if (seen) seen.count++;
        else untagged.set(key, { pod, image, count: 1 });
        continue;
      }
      members.push({ pod, component, image, version });
    }
    for (const [key, { pod, image, count }] of untagged) {
      const component = key.split("|")[0];
      const ref = objectRef(pod);
      const which = count > 1 ? `${count} ${component} pods (e.g. ${ref.name})` : `${component} pod ${ref.name}`;
      findings.push({
        severity: "info",
        object: ref,
        message: `Could not evaluate the version of ${which}: image ${image ?? "(none)"} has no version tag.`,
        evidence: `spec.containers[${component}].image=${image ?? "(missing)"}`,
        remediation: `Check the ${component} version by hand.`,
      });
    }

    const groups = groupsOf(members);
    const apiGroups = groups.filter((g) => g.component === "kube-apiserver");
    // Managed control planes hide apiserver pods; the server's own version stands in.
    const server = parseKubeVersion(ctx.serverVersion);
    let oldest = apiGroups[0];
    let newest = apiGroups[0];
    for (const g of apiGroups) {
      if (minorDistance(g.version, oldest.version) > 0) oldest = g;
      if (minorDistance(newest.version, g.version) > 0) newest = g;
    }
    const apiMin = oldest?.version ?? server;
    const apiMax = newest?.version ?? server;
    if (!apiMin || !apiMax) return findings;
    const apiWhere = oldest ? ` (${oldest.members[0].pod.metadata?.name})` : " (the server's /version)";
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    const upgrading = target !== undefined && minorDistance(apiMax, target) > 0 ? target : undefined;

    const flagged = new Set<Group>();
    if (oldest && newest && minorDistance(oldest.version, newest.version) > 1) {
      flagged.add(oldest);
      findings.push({
        object: objectRef(oldest.members[0].pod),
        message: `kube-apiserver instances are ${minorDistance(oldest.version, newest.version)} minors apart (${names(oldest)} at ${formatMinor(oldest.version)}, ${names(newest)} at ${formatMinor(newest.version)}); HA apiservers may differ by at most one.`,
        evidence: evidence(oldest, `newest kube-apiserver ${newest.members[0].image}`),
        remediation: `Upgrade ${names(oldest)} to ${formatMinor(newest.version)} before anything else.`,
      });
    }
    for (const g of groups) {
      if (g.component === "kube-apiserver") continue;
      const ref = objectRef(g.members[0].pod);
      const v = formatMinor(g.version);
      if (minorDistance(apiMin, g.version) > 0) {
        flagged.add(g);
        findings.push({
          object: ref,
          message: `${g.component} on ${names(g)} runs ${v}, newer than the oldest kube-apiserver${apiWhere} at ${formatMinor(apiMin)}; it must not be newer than any apiserver it talks to.`,
          evidence: evidence(g, `oldest kube-apiserver ${formatMinor(apiMin)}`),
          remediation: `Upgrade every kube-apiserver to ${v} first, or set ${g.component} back to ${formatMinor(apiMin)}.`,
        });
      } else if (minorDistance(g.version, apiMax) > 1) {
        flagged.add(g);
        findings.push({
          object: ref,
          message: `${g.component} on ${names(g)} runs ${v}, ${minorDistance(g.version, apiMax)} minors behind kube-apiserver ${formatMinor(apiMax)}; it may be at most one minor older.`,
          evidence: evidence(g, `newest kube-apiserver ${formatMinor(apiMax)}`),
          remediation: `Upgrade ${g.component} on these nodes to ${formatMinor(apiMax)} (kubeadm: \`kubeadm upgrade node\`) before the next control-plane step.`,
        });
      }
    }

    // Judged against the target: what the upgrade of kube-apiserver to it would leave behind.
    if (!upgrading) return findings;
    const step = { major: upgrading.major, minor: upgrading.minor - 1 };
    for (const g of groups) {
      if (flagged.has(g) || minorDistance(g.version, upgrading) <= 1) continue;
      const ref = objectRef(g.members[0].pod);
      const v = formatMinor(g.version);
      const t = formatMinor(upgrading);
      findings.push(
        g.component === "kube-apiserver"
          ? {
              object: ref,
              message: `kube-apiserver on ${names(g)} runs ${v}: upgrading it to ${t} would skip ${formatMinor(step)}; every apiserver must be at ${formatMinor(step)} before the step to ${t}.`,
              evidence: evidence(g, `target ${t}`),
              remediation: `Upgrade ${names(g)} to ${formatMinor(step)} first (one minor at a time), then to ${t}.`,
            }
          : {
              object: ref,
              message: `${g.component} on ${names(g)} runs ${v}: once kube-apiserver is at ${t} it would be ${minorDistance(g.version, upgrading)} minors behind; the skew policy allows one.`,
              evidence: evidence(g, `target ${t}`),
              remediation: `Upgrade ${g.component} on these nodes to ${formatMinor(step)} before upgrading kube-apiserver to ${t}.`,
            },
      );
    }
    return findings;
  },
};
