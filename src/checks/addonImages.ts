// Finds known add-on images in workloads and groups them by add-on and version, so ADD-01 and
// ADD-02 report one finding per add-on version (listing every workload that runs it), not one
// per workload or pod.
import type semver from "semver";
import { type AddonImageRule, coerceVersion, parseImage } from "../addons/knownAddonVersions.ts";
import { podContainers } from "./ownership.ts";
import type { CheckContext, ObjectRef } from "./types.ts";

export interface AddonPlace {
  ref: ObjectRef;
  /** "DaemonSet ingress/nginx-ingress-microk8s-controller" */
  label: string;
  container: string;
  image: string;
}

export interface AddonVersionGroup {
  rule: AddonImageRule;
  version: semver.SemVer;
  places: AddonPlace[];
}

const WORKLOAD_LISTS = [
  ["deployments", "Deployment"],
  ["daemonsets", "DaemonSet"],
  ["statefulsets", "StatefulSet"],
] as const;

/** Groups of (add-on, version) in Deployments, DaemonSets and StatefulSets, in rule order then version order. */
export function addonVersionGroups(ctx: CheckContext, rules: readonly AddonImageRule[]): AddonVersionGroup[] {
  // One pass over the workloads for all rules, each image split and versioned once: the same few
  // hundred images run in thousands of containers, and ADD-01 asks about a dozen add-ons.
  const byRule = new Map(rules.map((rule) => [rule, new Map<string, AddonVersionGroup>()]));
  const images = new Map<string, { repository: string; version?: semver.SemVer }>();
  for (const [key, kind] of WORKLOAD_LISTS) {
    for (const w of ctx.objects(key)) {
      const name = w?.metadata?.name;
      if (!name) continue;
      const ns = w.metadata?.namespace;
      for (const { c } of podContainers(w.spec?.template?.spec)) {
        if (typeof c.image !== "string") continue;
        let image = images.get(c.image);
        if (!image) {
          const { repository, tag } = parseImage(c.image);
          image = { repository, version: coerceVersion(tag) };
          images.set(c.image, image);
        }
        const { repository, version } = image;
        if (!version) continue;
        for (const [rule, byVersion] of byRule) {
          if (!rule.repository.test(repository)) continue;
          let group = byVersion.get(version.version);
          if (!group) {
            group = { rule, version, places: [] };
            byVersion.set(version.version, group);
          }
          group.places.push({
            ref: { apiVersion: w.apiVersion ?? "apps/v1", kind, namespace: ns, name },
            label: `${kind} ${ns ? `${ns}/` : ""}${name}`,
            container: String(c.name ?? "?"),
            image: c.image,
          });
        }
      }
    }
  }
  return [...byRule.values()].flatMap((byVersion) =>
    [...byVersion.values()].sort((a, b) => a.version.compare(b.version)),
  );
}

/** "DaemonSet a/b", "Deployment a/b and DaemonSet c/d", "… and 3 more": every place, at most five named. */
export function describePlaces(places: readonly AddonPlace[]): string {
  const labels = [...new Set(places.map((p) => p.label))];
  if (labels.length === 1) return labels[0];
  const shown = labels.slice(0, 5);
  const rest = labels.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

/** Evidence naming the first container and image, with a count when there are more. */
export function placesEvidence(places: readonly AddonPlace[]): string {
  const first = places[0];
  const others = new Set(places.map((p) => p.label)).size - 1;
  const more = others > 0 ? ` (+${others} more workload${others > 1 ? "s" : ""})` : "";
  return `container ${first.container} image=${first.image}${more}`;
}
