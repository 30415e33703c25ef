// ADD-01: add-ons are workloads installed once; neither a control plane upgrade nor the MicroK8s
// snap upgrades them (INCIDENTS case 5: cluster on 1.30, ingress still v1.8.0). Compares the
// versions MicroK8s reports, or else known add-on images, with what the cluster's minor expects.
import semver from "semver";
import {
  ADDON_IMAGE_RULES,
  coerceVersion,
  forMinor,
  MICROK8S_ADDON_VERSIONS,
  parseImage,
} from "../../addons/knownAddonVersions.ts";
import type { KubeObject } from "../../kube/resources.ts";
import { type KubeVersion, parseKubeVersion } from "../../versions/kube.ts";
import { podContainers } from "../ownership.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

function minorOf(v: semver.SemVer): string {
  return `${v.major}.${v.minor}`;
}

function microk8sFindings(status: unknown, current: KubeVersion): FindingInput[] {
  const addons = status && typeof status === "object" ? (status as { addons?: unknown }).addons : undefined;
  const object = { apiVersion: "upshift.dev/v1", kind: "MicroK8sStatus", name: "microk8s" };
  if (!Array.isArray(addons)) {
    return [
      {
        object,
        severity: "info",
        message: "Could not evaluate MicroK8s add-ons: the MicroK8s status has no addons list.",
        evidence: `microk8s status addons=${JSON.stringify(addons ?? null)}`,
      },
    ];
  }
  const shipped = forMinor(MICROK8S_ADDON_VERSIONS, current);
  if (!shipped) return [];
  const trackNote = shipped.minor === `${current.major}.${current.minor}` ? "" : ` (table for ${shipped.minor})`;
  const out: FindingInput[] = [];
  for (const a of addons) {
    if (!a || typeof a !== "object") continue;
    const { name, version, status: state, repository } = a as Record<string, unknown>;
    if (typeof name !== "string" || state !== "enabled") continue;
    const expected = shipped.value[name];
    const have = coerceVersion(version);
    const want = coerceVersion(expected);
    if (!expected || !have || !want) continue;
    // Compare MAJOR.MINOR: a patch behind is not worth a disable/enable cycle.
    if (semver.gte(`${have.major}.${have.minor}.0`, `${want.major}.${want.minor}.0`)) continue;
    const cycle = `microk8s disable ${name} && microk8s enable ${name}`;
    out.push({
      object: { apiVersion: "upshift.dev/v1", kind: "MicroK8sAddon", name },
      message: `${name} add-on v${have.version} is older than v${minorOf(want)}.x expected on MicroK8s ${current.major}.${current.minor}${trackNote}; MicroK8s never upgrades add-ons: disable then enable it.`,
      evidence: `microk8s status addons[${name}] repository=${repository ?? "?"} version=${version} status=enabled; expected ${expected}`,
      remediation: `In a maintenance window, back up its data (DNS configuration, volumes), then run ${cycle} and check microk8s status and the add-on's logs. Order for several add-ons: CNI, DNS, ingress, storage, one at a time.`,
    });
  }
  return out;
}

interface ImageHit {
  workload: KubeObject;
  kind: string;
  container: string;
  image: string;
  version: semver.SemVer;
}

function imageFindings(ctx: CheckContext, current: KubeVersion, target: KubeVersion | undefined): FindingInput[] {
  const out: FindingInput[] = [];
  const lists = [
    ["deployments", "Deployment"],
    ["daemonsets", "DaemonSet"],
    ["statefulsets", "StatefulSet"],
  ] as const;
  for (const rule of ADDON_IMAGE_RULES) {
    const hits: ImageHit[] = [];
    for (const [key, kind] of lists) {
      for (const w of ctx.objects(key)) {
        if (!w?.metadata?.name) continue;
        for (const { c } of podContainers(w.spec?.template?.spec)) {
          if (typeof c.image !== "string") continue;
          const { repository, tag } = parseImage(c.image);
          if (!rule.repository.test(repository)) continue;
          const version = coerceVersion(tag);
          if (version) hits.push({ workload: w, kind, container: String(c.name ?? "?"), image: c.image, version });
        }
      }
    }
    for (const hit of hits) {
      // Stale for the cluster it runs on now is the incident; stale only for the target is the
      // preflight warning. Report the first that applies, once per workload and container.
      const checks: Array<[KubeVersion, string]> = [[current, "the current"]];
      if (target && (target.major > current.major || target.minor > current.minor)) checks.push([target, "the target"]);
      for (const [minor, which] of checks) {
        const min = forMinor(rule.minimumByMinor, minor);
        const want = min ? coerceVersion(min.value) : undefined;
        if (!min || !want || semver.gte(hit.version, want)) continue;
        const ns = hit.workload.metadata?.namespace;
        const label = `${hit.kind} ${ns ? `${ns}/` : ""}${hit.workload.metadata?.name}`;
        out.push({
          object: {
            apiVersion: hit.workload.apiVersion ?? "apps/v1",
            kind: hit.kind,
            namespace: ns,
            name: hit.workload.metadata?.name ?? "(unnamed)",
          },
          message: `${rule.displayName} v${hit.version.version} in ${label} is older than v${min.value}, the minimum for Kubernetes ${minor.major}.${minor.minor} (${which} version); cluster upgrades never upgrade add-ons.`,
          evidence: `container ${hit.container} image=${hit.image}; minimum ${min.value} for ${min.minor} (${rule.source})`,
          remediation: `Upgrade ${rule.displayName} in ${label} to v${min.value} or newer (its Helm chart or manifest; on MicroK8s: microk8s disable ${rule.addon} && microk8s enable ${rule.addon}), one add-on at a time, before or right after the control plane.`,
        });
        break;
      }
    }
  }
  return out;
}

export const add01StaleAddons: Check = {
  id: "ADD-01",
  severity: "medium",
  title: "Add-on older than the cluster version expects",
  remediation:
    "Upgrade each stale add-on (CNI, then DNS, then ingress, then storage, one at a time); on MicroK8s, back up its data and run microk8s disable <addon> then microk8s enable <addon>.",
  reads: ["deployments", "daemonsets", "statefulsets"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const current = parseKubeVersion(ctx.serverVersion ?? "");
    if (!current) {
      return [
        {
          object: { apiVersion: "v1", kind: "Cluster", name: ctx.cluster },
          severity: "info",
          message: `Could not evaluate add-on versions: server version ${JSON.stringify(ctx.serverVersion)} is not a Kubernetes version.`,
          evidence: `serverVersion=${ctx.serverVersion}`,
        },
      ];
    }
    if (ctx.microk8sStatus !== undefined && ctx.microk8sStatus !== null) {
      return microk8sFindings(ctx.microk8sStatus, current);
    }
    return imageFindings(ctx, current, parseKubeVersion(ctx.target ?? ""));
  },
};
