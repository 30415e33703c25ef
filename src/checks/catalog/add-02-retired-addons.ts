// ADD-02: an add-on whose project is retired. ingress-nginx stopped in March 2026: no releases,
// bug fixes or security fixes since, and no release was ever tested on Kubernetes past 1.35 (the
// final line, v1.15, was tested on 1.31–1.35). Running it is a risk (medium); upgrading to a minor
// no release was tested on is unsupported (high). One finding per controller version, naming every
// workload that runs it.
// SOURCES: https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/ ("best-effort maintenance
// will continue until March 2026"); kubernetes/ingress-nginx README.md at dbb11b9 (2026-03-20: "Ingress
// NGINX Retirement", supported versions table ending with v1.15.x on 1.31–1.35, and "identify a Gateway API
// implementation"). The rule and its table are ADDON_IMAGE_RULES in src/addons/knownAddonVersions.ts.

import { ADDON_IMAGE_RULES, tableSpan } from "../../addons/knownAddonVersions.ts";
import { formatMinor, type KubeVersion, minorDistance, parseKubeVersion } from "../../versions/kube.ts";
import { addonVersionGroups, describePlaces, placesEvidence } from "../addonImages.ts";
import type { Check, FindingInput } from "../types.ts";

const RETIRED_RULES = ADDON_IMAGE_RULES.filter((r) => r.retired);

export const add02RetiredAddons: Check = {
  id: "ADD-02",
  severity: "medium",
  title: "Add-on from a retired project",
  remediation:
    "Plan the move off the retired project (for ingress-nginx: a Gateway API implementation or another maintained ingress controller) before upgrading past the last Kubernetes minor it was tested on.",
  reads: ["deployments", "daemonsets", "statefulsets"],
  evaluate(ctx) {
    const current = parseKubeVersion(ctx.serverVersion ?? "");
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    const out: FindingInput[] = [];
    for (const group of addonVersionGroups(ctx, RETIRED_RULES)) {
      const { rule, version, places } = group;
      const retired = rule.retired;
      const span = tableSpan(rule.minimumByMinor);
      const last = span ? parseKubeVersion(span.last) : undefined;
      if (!retired || !last) continue;
      const where = describePlaces(places);
      const evidence = `${placesEvidence(places)}; retired ${retired.since}; last tested Kubernetes ${span?.last} (${rule.source})`;
      // The newest minor the cluster runs or is heading to.
      const newest: KubeVersion | undefined =
        target && current ? (minorDistance(current, target) > 0 ? target : current) : (target ?? current);
      if (newest && minorDistance(last, newest) > 0) {
        out.push({
          object: places[0].ref,
          severity: "high",
          message: `${rule.displayName} v${version.version} in ${where} is unsupported on Kubernetes ${formatMinor(newest)}: the project was retired in ${retired.since} and no release was ever tested past ${span?.last}.`,
          evidence,
          remediation: `Before upgrading to ${formatMinor(newest)}, ${retired.migration}; or stay on ${span?.last} until the move is done.`,
        });
        continue;
      }
      out.push({
        object: places[0].ref,
        message: `${rule.displayName} v${version.version} in ${where} comes from a retired project (since ${retired.since}): no further releases, bug fixes or security fixes; it was tested up to Kubernetes ${span?.last}.`,
        evidence,
        remediation: `Plan the migration: ${retired.migration}. Upgrades past Kubernetes ${span?.last} are unsupported with it.`,
      });
    }
    return out;
  },
};
