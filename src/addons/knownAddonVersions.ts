// What add-on versions a cluster of a given Kubernetes minor should run, for ADD-01.
// Add-ons (DNS, ingress, CNI, metrics) are ordinary workloads: upgrading the control plane (or
// the MicroK8s snap) never upgrades them (INCIDENTS case 5). These tables are best knowledge as
// of early 2026, written from the upstream compatibility tables named beside each entry; a minor
// missing from a table uses the nearest lower minor listed. Update them when upstream moves.
import semver from "semver";
import type { KubeVersion } from "../versions/kube.ts";

export interface AddonImageRule {
  /** Short id used in messages and the MicroK8s table ("ingress", "dns"). */
  addon: string;
  displayName: string;
  /** Matches the image repository (registry and tag stripped), e.g. "ingress-nginx/controller". */
  repository: RegExp;
  /** Kubernetes minor "1.30" → minimum add-on version that upstream supports on it. */
  minimumByMinor: Readonly<Record<string, string>>;
  /** Where the numbers come from. */
  source: string;
}

export const ADDON_IMAGE_RULES: readonly AddonImageRule[] = [
  {
    addon: "dns",
    displayName: "CoreDNS",
    repository: /(?:^|\/)coredns$/,
    // kubeadm's pinned CoreDNS per release (kubernetes/cmd/kubeadm/app/constants: CoreDNSVersion).
    minimumByMinor: {
      "1.25": "1.9.3",
      "1.26": "1.9.3",
      "1.27": "1.10.1",
      "1.28": "1.10.1",
      "1.29": "1.11.1",
      "1.30": "1.11.1",
      "1.31": "1.11.3",
      "1.32": "1.11.3",
      "1.33": "1.12.0",
      "1.34": "1.12.1",
    },
    source: "kubeadm CoreDNSVersion per Kubernetes release",
  },
  {
    addon: "ingress",
    displayName: "ingress-nginx controller",
    repository: /(?:^|\/)(?:ingress-nginx\/controller|nginx-ingress-controller)$/,
    // ingress-nginx README "Supported Versions table": the oldest controller line tested on each minor
    // (v1.8: 1.24-1.27, v1.9: 1.25-1.28, v1.10: 1.26-1.29, v1.11: 1.26-1.30, v1.12: 1.28-1.32, v1.13: 1.29-1.33).
    minimumByMinor: {
      "1.27": "1.8.0",
      "1.28": "1.9.0",
      "1.29": "1.10.0",
      "1.30": "1.11.0",
      "1.31": "1.12.0",
      "1.32": "1.12.0",
      "1.33": "1.13.0",
    },
    source: "ingress-nginx supported versions table",
  },
  {
    addon: "calico",
    displayName: "Calico",
    repository: /(?:^|\/)calico\/(?:node|cni|kube-controllers)$/,
    // Calico "System requirements" per release (v3.26: 1.24-1.28, v3.27: 1.27-1.29, v3.28: 1.28-1.30,
    // v3.29: 1.29-1.31, v3.30: 1.30-1.33).
    minimumByMinor: {
      "1.28": "3.26.0",
      "1.29": "3.27.0",
      "1.30": "3.28.0",
      "1.31": "3.29.0",
      "1.32": "3.30.0",
      "1.33": "3.30.0",
    },
    source: "Calico system requirements per release",
  },
  {
    addon: "metrics-server",
    displayName: "metrics-server",
    repository: /(?:^|\/)metrics-server$/,
    // metrics-server compatibility matrix: 0.6.x supports 1.25+, 0.7.x 1.27+.
    minimumByMinor: { "1.25": "0.6.0" },
    source: "metrics-server compatibility matrix",
  },
  {
    addon: "kube-state-metrics",
    displayName: "kube-state-metrics",
    repository: /(?:^|\/)kube-state-metrics$/,
    // kube-state-metrics compatibility matrix lists the client-go minor of each release; we accept
    // one minor of lag (v2.9 ↔ 1.27, v2.10 ↔ 1.28, v2.12 ↔ 1.29, v2.13 ↔ 1.30, v2.14 ↔ 1.31, v2.15 ↔ 1.32).
    minimumByMinor: {
      "1.28": "2.9.0",
      "1.29": "2.10.0",
      "1.30": "2.12.0",
      "1.31": "2.13.0",
      "1.32": "2.14.0",
      "1.33": "2.15.0",
    },
    source: "kube-state-metrics compatibility matrix (one minor of lag allowed)",
  },
];

/**
 * What each MicroK8s track ships when an add-on is enabled (`microk8s enable <addon>` on that
 * track), from the canonical/microk8s-core-addons release branches, best knowledge. Only
 * MAJOR.MINOR is compared: patch releases are not worth a disable/enable cycle.
 */
export const MICROK8S_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "1.28": { dns: "1.10.1", ingress: "1.8.0", "metrics-server": "0.6.3", dashboard: "2.7.0" },
  "1.29": { dns: "1.10.1", ingress: "1.9.4", "metrics-server": "0.6.3", dashboard: "2.7.0" },
  "1.30": { dns: "1.11.1", ingress: "1.10.1", "metrics-server": "0.7.0", dashboard: "2.7.0" },
  "1.31": { dns: "1.11.3", ingress: "1.11.2", "metrics-server": "0.7.1", dashboard: "2.7.0" },
  "1.32": { dns: "1.11.3", ingress: "1.12.0", "metrics-server": "0.7.2", dashboard: "2.7.0" },
};

/** The entry for `minor`, or for the nearest lower minor listed; undefined below the table. */
export function forMinor<T>(
  table: Readonly<Record<string, T>>,
  minor: KubeVersion,
): { minor: string; value: T } | undefined {
  let best: { minor: string; value: T; m: number } | undefined;
  for (const [key, value] of Object.entries(table)) {
    const [maj, min] = key.split(".").map(Number);
    if (maj !== minor.major || min > minor.minor) continue;
    if (!best || min > best.m) best = { minor: key, value, m: min };
  }
  return best ? { minor: best.minor, value: best.value } : undefined;
}

/** "v1.8.0", "1.10.1-rc.1", "v3.25.0-amd64" → semver, or undefined for "latest"/digests. */
export function coerceVersion(v: unknown): semver.SemVer | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  return semver.coerce(`${m[1]}.${m[2]}.${m[3] ?? 0}`) ?? undefined;
}

/** Splits "registry.k8s.io/ingress-nginx/controller:v1.8.0@sha256:…" into repository and tag. */
export function parseImage(image: string): { repository: string; tag?: string } {
  const noDigest = image.split("@")[0];
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  if (colon > slash) return { repository: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) };
  return { repository: noDigest };
}
