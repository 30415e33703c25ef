// API-03: clients are still calling API versions the target removes, as counted by the API
// server itself (`apiserver_requested_deprecated_apis`). These are the callers no manifest scan
// finds: controllers, operators and scripts built against old client libraries.
import { releaseAtOrBefore } from "../../versions/deprecations.ts";
import { parseKubeVersion } from "../../versions/kube.ts";
import type { Check, FindingInput } from "../types.ts";

const METRIC = "apiserver_requested_deprecated_apis";

export interface DeprecatedApiSample {
  group: string;
  version: string;
  resource: string;
  subresource: string;
  removedRelease: string;
}

/** Reads `apiserver_requested_deprecated_apis` samples (value 1 = requested since the server started). */
export function parseDeprecatedApiMetric(text: string): DeprecatedApiSample[] {
  const out: DeprecatedApiSample[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${METRIC}{`)) continue;
    const close = line.lastIndexOf("}");
    if (close < 0) continue;
    const value = Number(
      line
        .slice(close + 1)
        .trim()
        .split(/\s+/)[0],
    );
    if (!(value > 0)) continue;
    const labels: Record<string, string> = {};
    // Prometheus text format: name="value" pairs, values may escape \" \\ \n.
    for (const m of line.slice(METRIC.length + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    if (!labels.version || !labels.resource) continue;
    out.push({
      group: labels.group ?? "",
      version: labels.version,
      resource: labels.resource,
      subresource: labels.subresource ?? "",
      removedRelease: labels.removed_release ?? "",
    });
  }
  return out;
}

export const api03DeprecatedApiRequests: Check = {
  id: "API-03",
  severity: "high",
  title: "Clients still call API versions removed in the target",
  remediation:
    "Find the callers (API server audit log, or `kubectl get --raw /metrics` on each API server plus the user agents in the audit log) and upgrade those clients, controllers or scripts to the replacement API versions.",
  reads: [],
  readsMetrics: true,
  evaluate(ctx) {
    if (ctx.apiServerMetrics === undefined) return [];
    const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
    if (!target) return [];
    const findings: FindingInput[] = [];
    const seen = new Set<string>();
    for (const s of parseDeprecatedApiMetric(ctx.apiServerMetrics)) {
      if (!s.removedRelease || !releaseAtOrBefore(s.removedRelease, target)) continue;
      const apiVersion = s.group ? `${s.group}/${s.version}` : s.version;
      const resource = s.subresource ? `${s.resource}/${s.subresource}` : s.resource;
      const key = `${apiVersion}/${resource}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        object: { apiVersion, kind: "APIResource", name: resource },
        message: `Clients requested ${resource} through ${apiVersion} since this API server started; Kubernetes ${s.removedRelease} removes that version, so those clients will fail after the upgrade.`,
        evidence: `${METRIC}{group="${s.group}",version="${s.version}",resource="${s.resource}",removed_release="${s.removedRelease}"} 1`,
      });
    }
    return findings;
  },
};
