// ADD-01: add-ons are workloads installed once; neither a control plane upgrade nor the MicroK8s
// snap upgrades them (INCIDENTS case 5: cluster on 1.30, ingress still v1.8.0). Compares the
// versions MicroK8s reports, or else known add-on images, with what the cluster's minor expects,
// then the target's. One finding per add-on version, naming every workload that runs it.
// SOURCES: the tables and their per-row sources are in src/addons/knownAddonVersions.ts (kubeadm's
// CoreDNS pins, the ingress-nginx supported versions table, Calico's tested Kubernetes versions,
// the metrics-server and kube-state-metrics compatibility matrices, canonical/microk8s-core-addons).
import semver from "semver";
import {
  ADDON_IMAGE_RULES,
  coerceVersion,
  forMinor,
  MICROK8S_ADDONS,
  MICROK8S_SOURCE,
  requiredKubernetes,
  tableSpan,
} from "../../addons/knownAddonVersions.ts";
import { formatMinor, type KubeVersion, minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import { type AddonVersionGroup, addonVersionGroups, describePlaces, placesEvidence } from "../addonImages.ts";
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
  const shipped = forMinor(MICROK8S_ADDONS, current);
  if (!shipped) {
    const span = tableSpan(MICROK8S_ADDONS);
    return [
      {
        object,
        severity: "info",
        message: `Unknown: Upshift's MicroK8s add-on table covers tracks ${span?.first}–${span?.last}; what the ${formatMinor(current)} track ships is not known, so its add-ons were not compared.`,
        evidence: `serverVersion ${formatMinor(current)}; table ${span?.first}–${span?.last} (${MICROK8S_SOURCE})`,
        remediation: `Compare \`microk8s status\` with the ${formatMinor(current)} branch of canonical/microk8s-core-addons by hand.`,
      },
    ];
  }
  const out: FindingInput[] = [];
  for (const a of addons) {
    if (!a || typeof a !== "object") continue;
    const { name, version, status: state, repository } = a as Record<string, unknown>;
    if (typeof name !== "string" || state !== "enabled") continue;
    const expected = shipped.value[name];
    const have = coerceVersion(version);
    const want = coerceVersion(expected?.version);
    if (!expected || !have || !want) continue;
    // Compare MAJOR.MINOR: a patch behind is not worth a disable/enable cycle.
    if (semver.gte(`${have.major}.${have.minor}.0`, `${want.major}.${want.minor}.0`)) continue;
    const cycle = `microk8s disable ${name} && microk8s enable ${name}`;
    const note = expected.note ? ` Note: ${expected.note}.` : "";
    out.push({
      object: { apiVersion: "upshift.dev/v1", kind: "MicroK8sAddon", name },
      message: `${name} add-on v${have.version} is older than v${minorOf(want)}.x shipped on the MicroK8s ${shipped.minor} track; MicroK8s never upgrades add-ons: disable then enable it.${note}`,
      evidence: `microk8s status addons[${name}] repository=${repository ?? "?"} version=${version} status=enabled; track ${shipped.minor} ships ${expected.version} (${MICROK8S_SOURCE})`,
      remediation: `In a maintenance window, back up its data (DNS configuration, volumes), then run ${cycle} and check microk8s status and the add-on's logs. Order for several add-ons: CNI, DNS, ingress, storage, one at a time.`,
    });
  }
  return out;
}

function stale(group: AddonVersionGroup, current: KubeVersion, target: KubeVersion | undefined): FindingInput[] {
  const { rule, version, places } = group;
  const where = describePlaces(places);
  const object = places[0].ref;
  const evidence = placesEvidence(places);

  // Reverse constraint: a release too new for the cluster it runs on (metrics-server 0.9 on 1.33).
  const needs = requiredKubernetes(rule, version);
  const needsMinor = needs ? parseKubeVersion(needs) : undefined;
  if (needs && needsMinor && minorDistance(current, needsMinor) > 0) {
    return [
      {
        object,
        message: `${rule.displayName} v${version.version} in ${where} needs Kubernetes ${needs} or newer; this cluster runs ${formatMinor(current)}, where that release is unsupported.`,
        evidence: `${evidence}; v${minorOf(version)}.x supports Kubernetes ${needs}+ (${rule.source})`,
        remediation: `Run a ${rule.displayName} release that supports Kubernetes ${formatMinor(current)} (see its compatibility matrix), or finish the cluster upgrade to ${needs} first.`,
      },
    ];
  }

  // Stale for the cluster it runs on now is the incident; stale only for the target is the
  // preflight warning. A minor the table does not cover is said to be unknown.
  const minors: Array<[KubeVersion, string]> = [[current, "the current"]];
  if (target && minorDistance(current, target) > 0) minors.push([target, "the target"]);
  const unknown: KubeVersion[] = [];
  // Only the newest minor matters for "unknown": once the target is known to be fine, not knowing
  // about the minor the cluster is leaving says nothing about the upgrade.
  const newest = minors[minors.length - 1][0];
  for (const [minor, which] of minors) {
    const row = rule.rows.find((r) => r.minor === formatMinor(minor));
    if (!row) {
      // A retired project past its last tested minor is unsupported, not unknown: ADD-02 says so.
      const span = tableSpan(rule.minimumByMinor);
      const last = span ? parseKubeVersion(span.last) : undefined;
      if (minor === newest && !(rule.retired && last && minorDistance(last, minor) > 0)) unknown.push(minor);
      continue;
    }
    const want = coerceVersion(row.version);
    if (!want || semver.gte(version, want)) continue;
    return [
      {
        object,
        message: `${rule.displayName} v${version.version} in ${where} is older than v${row.version}, the minimum for Kubernetes ${row.minor} (${which} version); cluster upgrades never upgrade add-ons.`,
        evidence: `${evidence}; minimum ${row.version} for ${row.minor} (${row.source})`,
        remediation: `Upgrade ${rule.displayName} in ${where} to v${row.version} or newer (its Helm chart or manifest; on MicroK8s: microk8s disable ${rule.addon} && microk8s enable ${rule.addon}), one add-on at a time, before or right after the control plane.`,
      },
    ];
  }
  if (unknown.length === 0) return [];
  const span = tableSpan(rule.minimumByMinor);
  const minorsText = unknown.map(formatMinor).join(" and ");
  return [
    {
      object,
      severity: "info",
      message: `Unknown: Upshift's ${rule.displayName} table covers Kubernetes ${span?.first}–${span?.last}; whether v${version.version} in ${where} supports ${minorsText} is not known.`,
      evidence: `${evidence}; no row for ${minorsText} (${rule.source})`,
      remediation: `Check ${rule.displayName}'s own compatibility table for Kubernetes ${minorsText} before the upgrade.`,
    },
  ];
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
    const target = parseKubeVersion(ctx.target ?? "");
    return addonVersionGroups(ctx, ADDON_IMAGE_RULES).flatMap((g) => stale(g, current, target));
  },
};
