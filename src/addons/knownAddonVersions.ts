// What add-on versions a cluster of a given Kubernetes minor should run, for ADD-01 and ADD-02.
// Add-ons (DNS, ingress, CNI, metrics) are ordinary workloads: upgrading the control plane (or
// the MicroK8s snap) never upgrades them (INCIDENTS case 5). Every row below names where its
// numbers come from. A table covers the minors it lists and nothing else: a minor before the first
// row or after the last one is *unknown*, never the nearest row (that was how a 1.36 cluster used
// to be judged by a 1.33 row). Update the rows when upstream publishes a new release table.
import semver from "semver";
import type { KubeVersion } from "../versions/kube.ts";

/** One Kubernetes minor: the oldest add-on release upstream supports (or tests) on it, and why. */
export interface MinimumRow {
  minor: string;
  version: string;
  source: string;
}

export interface AddonImageRule {
  /** Short id used in messages and the MicroK8s table ("ingress", "dns"). */
  addon: string;
  displayName: string;
  /** Matches the image repository (registry and tag stripped), e.g. "ingress-nginx/controller". */
  repository: RegExp;
  /** Kubernetes minor "1.30" → minimum add-on version that upstream supports on it. */
  minimumByMinor: Readonly<Record<string, string>>;
  /** The same rows with the source of each. */
  rows: readonly MinimumRow[];
  /** Where the numbers come from, in one phrase (used in evidence). */
  source: string;
  /**
   * Reverse constraint: add-on MAJOR.MINOR → the oldest Kubernetes minor that release supports
   * (metrics-server 0.9 needs Kubernetes 1.34). A cluster older than that runs it unsupported.
   */
  requiresKubernetes?: Readonly<Record<string, string>>;
  /** The project is retired: ADD-02 reports its use; past its last row it is unsupported, not unknown. */
  retired?: RetiredProject;
}

export interface RetiredProject {
  /** "2026-03" */
  since: string;
  /** What to move to. */
  migration: string;
  source: string;
}

function rule(r: Omit<AddonImageRule, "minimumByMinor">): AddonImageRule {
  return { ...r, minimumByMinor: Object.fromEntries(r.rows.map((row) => [row.minor, row.version])) };
}

function rows(source: string, list: ReadonlyArray<readonly [string, string] | readonly [string, string, string]>) {
  return list.map(([minor, version, note]) => ({ minor, version, source: note ? `${source}; ${note}` : source }));
}

// kubeadm's pinned CoreDNS (cmd/kubeadm/app/constants CoreDNSVersion, tracked in build/dependencies.yaml
// as "coredns-kubeadm"). 1.19-1.32 from coredns/deployment kubernetes/CoreDNS-k8s_version.md (2025-01-14);
// 1.33 from coredns/deployment PR #306 (build/dependencies.yaml at v1.33.0); 1.34 from CHANGELOG-1.34
// ("Upgrade CoreDNS to v1.12.1", #131151, in v1.34.0-alpha.1); 1.35 from kubernetes PR #133968
// ("Update coredns to v1.13.1", merged for 1.35; its release note still says v1.12.4); 1.36 from
// CHANGELOG-1.36 v1.36.0-beta.0 ("Bump coredns to 1.14.2", #137605; the next bump, #138536 to 1.14.3,
// landed in 1.37 alpha); 1.37: #139735 bumped to v1.14.4 in the 1.37 cycle and #140497 to v1.14.6 on
// 2026-07-17; we could not confirm 1.14.6 reached the release-1.37 branch, so the lower pin is used.
const COREDNS = "kubeadm CoreDNSVersion per Kubernetes release";
const COREDNS_TABLE = "coredns/deployment CoreDNS-k8s_version.md";

// ingress-nginx README "Supported Versions table" (kubernetes/ingress-nginx, README.md at dbb11b9 of
// 2026-03-20, and its history back to the first table of 2021-06-08): for each minor, the oldest controller
// release whose row lists it (E2E tested). v0.x rows stop at 1.21 (no networking.k8s.io/v1 Ingress).
const INGRESS = "ingress-nginx supported versions table";

// Calico "Kubernetes requirements / Supported versions" ("We test Calico vX against the following
// Kubernetes versions"): 3.17-3.25 from projectcalico/calico (getting-started/kubernetes/requirements.md at
// each vX.Y.0 tag); 3.26-3.28 from tigera/docs history (calico_versioned_docs/version-3.2x/getting-started/
// kubernetes/requirements.mdx); 3.29-3.32 from tigera/docs at f2a2762 (2026-08-21, _includes/partials/
// _system-requirements.mdx): 3.29 1.29-1.32, 3.30 1.31-1.35, 3.31 1.32-1.35, 3.32 1.34-1.36. No Calico
// release in those sources lists 1.37 (3.33 had no published docs or tag there), so 1.37 is unknown.
const CALICO = "Calico Kubernetes requirements (tested versions) per release";

// metrics-server README "Compatibility Matrix" (kubernetes-sigs/metrics-server at 5ed5d3a, 2026-08-04):
// 0.3.x supports 1.8-1.21; 0.4.x and 0.5.x 1.8+; 0.6.x 1.25+; 0.7.x 1.27+; 0.8.x 1.31+; 0.9.x 1.34+.
// The matrix states no upper bound; we treat it as known up to 1.37, the newest release when it was read.
const METRICS_SERVER = "metrics-server compatibility matrix";

// kube-state-metrics README "Compatibility matrix" (kubernetes/kube-state-metrics at c92fe0c, 2026-08-20, and
// the README at each release tag). Up to v2.6 it marks fully supported minors: v2.0 1.19-1.20, v2.1 1.19-1.21,
// v2.2 1.22, v2.3 1.20-1.23, v2.5 1.22-1.24. From v2.7 it names the client-go minor of each release (v2.7 1.25,
// v2.8/v2.9 1.26, v2.10 1.27, v2.11 1.28, v2.12 1.29, v2.13 1.30, v2.14 1.31, v2.15/v2.16 1.32, v2.17 1.33,
// v2.18 1.34, v2.19 1.35, v2.20 1.36); we accept one minor of lag behind the cluster (client-go's own rule).
const KSM = "kube-state-metrics compatibility matrix";

// Cilium "Kubernetes Compatibility" (Documentation/network/kubernetes/compatibility.rst per release: "All
// Kubernetes versions listed are e2e tested"; unlisted ones "depend on the forward / backward compatibility
// offered by Kubernetes"). Found: v1.18.14 lists 1.30-1.33 (raw.githubusercontent.com/cilium/cilium/v1.18.14),
// v1.19.3 lists 1.32-1.35 (a copy of that file at contextqmd.com; cilium/cilium is too large to fetch here).
// Cilium keeps a release's tested minors for its whole maintenance period, so a release branched before a
// Kubernetes minor existed never lists it: 1.33 first appears in v1.18, 1.34 and 1.35 in v1.19. The lists of
// v1.14-v1.17 and v1.20 could not be read, so rows before 1.33 and after 1.35 are left out (unknown).
const CILIUM = "Cilium Kubernetes compatibility (e2e-tested versions) per release";

export const ADDON_IMAGE_RULES: readonly AddonImageRule[] = [
  rule({
    addon: "dns",
    displayName: "CoreDNS",
    repository: /(?:^|\/)coredns$/,
    source: COREDNS,
    rows: [
      ...rows(COREDNS_TABLE, [
        ["1.19", "1.7.0"],
        ["1.20", "1.7.0"],
        ["1.21", "1.8.0"],
        ["1.22", "1.8.4"],
        ["1.23", "1.8.6"],
        ["1.24", "1.8.6"],
        ["1.25", "1.9.3"],
        ["1.26", "1.9.3"],
        ["1.27", "1.10.1"],
        ["1.28", "1.10.1"],
        ["1.29", "1.11.1"],
        ["1.30", "1.11.1"],
        ["1.31", "1.11.3"],
        ["1.32", "1.11.3"],
      ]),
      { minor: "1.33", version: "1.12.0", source: "coredns/deployment PR #306 (build/dependencies.yaml at v1.33.0)" },
      { minor: "1.34", version: "1.12.1", source: "CHANGELOG-1.34: Upgrade CoreDNS to v1.12.1 (#131151)" },
      { minor: "1.35", version: "1.13.1", source: "kubernetes PR #133968: Update coredns to v1.13.1" },
      { minor: "1.36", version: "1.14.2", source: "CHANGELOG-1.36 v1.36.0-beta.0: Bump coredns to 1.14.2 (#137605)" },
      {
        minor: "1.37",
        version: "1.14.4",
        source: "kubernetes PR #139735 (bump to v1.14.4, 1.37 cycle; #140497 to v1.14.6 unconfirmed on release-1.37)",
      },
    ],
  }),
  rule({
    addon: "ingress",
    displayName: "ingress-nginx controller",
    // controller-chroot is the same controller built to run NGINX in a chroot; the old
    // quay.io/kubernetes-ingress-controller/nginx-ingress-controller name carried the v0.x releases.
    repository: /(?:^|\/)(?:ingress-nginx\/controller(?:-chroot)?|nginx-ingress-controller)$/,
    source: INGRESS,
    rows: rows(INGRESS, [
      ["1.19", "0.45.0", "v0.45.0 is the oldest row of the first table (2021-06)"],
      ["1.20", "0.45.0", "v0.45.0 is the oldest row of the first table (2021-06)"],
      ["1.21", "0.45.0", "v0.45.0 is the oldest row of the first table (2021-06)"],
      ["1.22", "1.0.0", "v1.0.0: 1.19-1.22"],
      ["1.23", "1.1.1", "v1.1.1: 1.19-1.23"],
      ["1.24", "1.3.0", "v1.3.0: 1.20-1.24"],
      ["1.25", "1.4.0", "v1.4.0: 1.22-1.25"],
      ["1.26", "1.6.4", "v1.6.4: 1.23-1.26"],
      ["1.27", "1.7.1", "v1.7.1: 1.24-1.27"],
      ["1.28", "1.9.0", "v1.9.0: 1.25-1.28"],
      ["1.29", "1.9.6", "v1.9.6: 1.25-1.29"],
      ["1.30", "1.10.1", "v1.10.1: 1.26-1.30"],
      ["1.31", "1.12.0", "v1.12.0: 1.28-1.32"],
      ["1.32", "1.12.0", "v1.12.0: 1.28-1.32"],
      ["1.33", "1.13.0", "v1.13.0: 1.29-1.33"],
      ["1.34", "1.14.0", "v1.14.0: 1.30-1.34"],
      ["1.35", "1.15.0", "v1.15.0: 1.31-1.35, the final line"],
    ]),
    retired: {
      since: "2026-03",
      migration:
        "move to a Gateway API implementation (https://gateway-api.sigs.k8s.io/implementations/) or another maintained ingress controller",
      source:
        "kubernetes.io/blog/2025/11/11/ingress-nginx-retirement and the ingress-nginx README (best-effort maintenance until March 2026, then no releases or security fixes)",
    },
  }),
  rule({
    addon: "calico",
    displayName: "Calico",
    repository: /(?:^|\/)calico\/(?:node|cni|kube-controllers)$/,
    source: CALICO,
    rows: rows(CALICO, [
      ["1.19", "3.17.0", "v3.17: 1.17-1.19"],
      ["1.20", "3.18.0", "v3.18: 1.18-1.20"],
      ["1.21", "3.19.0", "v3.19: 1.19-1.21"],
      ["1.22", "3.21.0", "v3.21: 1.20-1.22"],
      ["1.23", "3.22.0", "v3.22: 1.21-1.23"],
      ["1.24", "3.24.0", "v3.24: 1.22-1.24"],
      ["1.25", "3.26.0", "v3.26: 1.24-1.28"],
      ["1.26", "3.26.0", "v3.26: 1.24-1.28"],
      ["1.27", "3.26.0", "v3.26: 1.24-1.28"],
      ["1.28", "3.26.0", "v3.26: 1.24-1.28"],
      ["1.29", "3.27.0", "v3.27: 1.27-1.29"],
      ["1.30", "3.28.0", "v3.28: 1.27-1.30"],
      ["1.31", "3.29.0", "v3.29: 1.29-1.32"],
      ["1.32", "3.29.0", "v3.29: 1.29-1.32"],
      ["1.33", "3.30.0", "v3.30: 1.31-1.35"],
      ["1.34", "3.30.0", "v3.30: 1.31-1.35"],
      ["1.35", "3.30.0", "v3.30: 1.31-1.35; v3.31: 1.32-1.35"],
      ["1.36", "3.32.0", "v3.32: 1.34-1.36"],
    ]),
  }),
  rule({
    addon: "cilium",
    displayName: "Cilium",
    repository: /(?:^|\/)cilium\/(?:cilium|operator(?:-generic|-aws|-azure|-alibabacloud)?)$/,
    source: CILIUM,
    rows: rows(CILIUM, [
      ["1.33", "1.18.0", "v1.18: 1.30-1.33"],
      ["1.34", "1.19.0", "v1.18 stops at 1.33; v1.19: 1.32-1.35"],
      ["1.35", "1.19.0", "v1.19: 1.32-1.35"],
    ]),
  }),
  rule({
    addon: "metrics-server",
    displayName: "metrics-server",
    repository: /(?:^|\/)metrics-server$/,
    source: METRICS_SERVER,
    rows: [
      ...["1.19", "1.20", "1.21"].map((minor) => ({
        minor,
        version: "0.3.0",
        source: `${METRICS_SERVER}; 0.3.x: 1.8-1.21`,
      })),
      ...Array.from({ length: 16 }, (_, i) => ({
        minor: `1.${22 + i}`,
        version: "0.4.0",
        source: `${METRICS_SERVER}; 0.3.x stops at 1.21, 0.4.x and later: 1.8+`,
      })),
    ],
    requiresKubernetes: { "0.6": "1.25", "0.7": "1.27", "0.8": "1.31", "0.9": "1.34" },
  }),
  rule({
    addon: "kube-state-metrics",
    displayName: "kube-state-metrics",
    repository: /(?:^|\/)kube-state-metrics$/,
    source: `${KSM} (one minor of lag allowed)`,
    rows: rows(KSM, [
      ["1.19", "2.0.0", "v2.0.0 fully supported on 1.19-1.20"],
      ["1.20", "2.0.0", "v2.0.0 fully supported on 1.19-1.20"],
      ["1.21", "2.1.0", "v2.1 fully supported on 1.19-1.21"],
      ["1.22", "2.2.0", "v2.2 fully supported on 1.22"],
      ["1.23", "2.3.0", "v2.3 fully supported on 1.20-1.23"],
      ["1.24", "2.5.0", "v2.5 fully supported on 1.22-1.24"],
      ["1.25", "2.5.0", "client-go 1.24 (v2.5) or newer"],
      ["1.26", "2.7.0", "client-go 1.25 (v2.7) or newer"],
      ["1.27", "2.8.0", "client-go 1.26 (v2.8) or newer"],
      ["1.28", "2.10.0", "client-go 1.27 (v2.10) or newer"],
      ["1.29", "2.11.0", "client-go 1.28 (v2.11) or newer"],
      ["1.30", "2.12.0", "client-go 1.29 (v2.12) or newer"],
      ["1.31", "2.13.0", "client-go 1.30 (v2.13) or newer"],
      ["1.32", "2.14.0", "client-go 1.31 (v2.14) or newer"],
      ["1.33", "2.15.0", "client-go 1.32 (v2.15) or newer"],
      ["1.34", "2.17.0", "client-go 1.33 (v2.17) or newer"],
      ["1.35", "2.18.0", "client-go 1.34 (v2.18) or newer"],
      ["1.36", "2.19.0", "client-go 1.35 (v2.19) or newer"],
      ["1.37", "2.20.0", "client-go 1.36 (v2.20) or newer"],
    ]),
  }),
];

/** First and last minor a table covers, e.g. { first: "1.19", last: "1.37" }. */
export function tableSpan(table: Readonly<Record<string, unknown>>): { first: string; last: string } | undefined {
  const minors = Object.keys(table)
    .map((k) => k.split(".").map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (minors.length === 0) return undefined;
  const fmt = ([a, b]: [number, number]) => `${a}.${b}`;
  return { first: fmt(minors[0]), last: fmt(minors[minors.length - 1]) };
}

/** The oldest Kubernetes minor `version` supports, from `requiresKubernetes` (by MAJOR.MINOR). */
export function requiredKubernetes(r: AddonImageRule, version: semver.SemVer): string | undefined {
  return r.requiresKubernetes?.[`${version.major}.${version.minor}`];
}

export interface MicroK8sShipped {
  version: string;
  /** Said with a finding: what re-enabling the add-on changes beyond its version. */
  note?: string;
}

// What each MicroK8s track ships when an add-on is enabled (`microk8s enable <addon>` on that track):
// canonical/microk8s-core-addons, branch <track> tip as of the 2026-05-20 snapshot (addons/dns/coredns.yaml
// image, addons/ingress/enable TAG or Traefik CHART_VERSION, addons/metrics-server/metrics-server.yaml image,
// addons/dashboard/enable image). The tracks receive patch bumps, so older tracks now ship newer add-ons
// than they did at release. Tracks from 1.33 ship the dashboard as a Helm chart (chart version, not
// comparable), so it is not listed there. No 1.36 or newer track branch existed in that snapshot.
const MK8S = "canonical/microk8s-core-addons branch tips (2026-05-20)";
const MICROK8S_TRACKS: ReadonlyArray<{ track: string; addons: Readonly<Record<string, MicroK8sShipped>> }> = [
  { track: "1.24", addons: ship("1.9.0", "1.5.1", "0.5.2", "2.3.0") },
  { track: "1.25", addons: ship("1.9.3", "1.5.1", "0.5.2", "2.7.0") },
  { track: "1.26", addons: ship("1.9.3", "1.5.1", "0.5.2", "2.7.0") },
  { track: "1.27", addons: ship("1.10.0", "1.5.1", "0.5.2", "2.7.0") },
  { track: "1.28", addons: ship("1.10.1", "1.11.5", "0.6.3", "2.7.0") },
  { track: "1.29", addons: ship("1.10.1", "1.11.5", "0.6.3", "2.7.0") },
  { track: "1.30", addons: ship("1.10.1", "1.11.5", "0.6.3", "2.7.0") },
  { track: "1.31", addons: ship("1.10.1", "1.11.5", "0.6.3", "2.7.0") },
  { track: "1.32", addons: ship("1.10.1", "1.13.8", "0.6.3", "2.7.0") },
  { track: "1.33", addons: ship("1.12.1", "1.13.8", "0.7.2") },
  { track: "1.34", addons: ship("1.12.3", "1.13.8", "0.8.0") },
  {
    track: "1.35",
    addons: {
      ...ship("1.13.1", "3.6.2", "0.8.0"),
      ingress: {
        version: "3.6.2",
        note: "on the 1.35 track the ingress add-on is Traefik (chart 37.4.0, Traefik v3.6.2), no longer ingress-nginx: check Ingress objects that rely on nginx.ingress.kubernetes.io annotations before re-enabling",
      },
    },
  },
];

function ship(dns: string, ingress: string, metricsServer: string, dashboard?: string) {
  const out: Record<string, MicroK8sShipped> = {
    dns: { version: dns },
    ingress: { version: ingress },
    "metrics-server": { version: metricsServer },
  };
  if (dashboard) out.dashboard = { version: dashboard };
  return out;
}

export const MICROK8S_SOURCE = MK8S;

/** Track → add-on → version shipped (the shape the status page reads). */
export const MICROK8S_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.fromEntries(
  MICROK8S_TRACKS.map(({ track, addons }) => [
    track,
    Object.fromEntries(Object.entries(addons).map(([name, s]) => [name, s.version])),
  ]),
);

/** Track → add-on → what it ships, with notes. */
export const MICROK8S_ADDONS: Readonly<Record<string, Readonly<Record<string, MicroK8sShipped>>>> = Object.fromEntries(
  MICROK8S_TRACKS.map(({ track, addons }) => [track, addons]),
);

/**
 * The row for exactly `minor`, or undefined when the table does not cover it. No nearest-row
 * fallback: a minor the table does not list is unknown, and callers say so.
 */
export function forMinor<T>(
  table: Readonly<Record<string, T>>,
  minor: KubeVersion,
): { minor: string; value: T } | undefined {
  const key = `${minor.major}.${minor.minor}`;
  return Object.hasOwn(table, key) ? { minor: key, value: table[key] } : undefined;
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
