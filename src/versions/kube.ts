// Kubernetes version arithmetic: targets, minors and skew. Only MAJOR.MINOR matters for most
// upgrade rules; semver does the parsing so "v1.31.4-eks-1234" and "1.32" both work.
import semver from "semver";

export interface KubeVersion {
  major: number;
  minor: number;
  patch?: number;
}

/**
 * Parses a version as users and servers write it: "1.32", "v1.32", "v1.32.0", "1.31.4-gke.100",
 * "v1.31.4+k3s1". Returns undefined when it is not a Kubernetes version.
 */
export function parseKubeVersion(input: string): KubeVersion | undefined {
  const trimmed = input.trim();
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(trimmed);
  if (!m) return undefined;
  const coerced = semver.coerce(trimmed);
  if (!coerced) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? undefined : Number(m[3]) };
}

export function formatMinor(v: KubeVersion): string {
  return `${v.major}.${v.minor}`;
}

export function formatFull(v: KubeVersion): string {
  return v.patch === undefined ? formatMinor(v) : `${v.major}.${v.minor}.${v.patch}`;
}

/** The minor after the server's, the default target of /upgrade-check. */
export function nextMinor(v: KubeVersion): KubeVersion {
  return { major: v.major, minor: v.minor + 1 };
}

/** How many minors b is ahead of a (negative when behind). Majors are all 1 in practice. */
export function minorDistance(a: KubeVersion, b: KubeVersion): number {
  return (b.major - a.major) * 1000 + (b.minor - a.minor);
}

/** a <= b comparing MAJOR.MINOR only. */
export function minorAtOrBefore(a: KubeVersion, b: KubeVersion): boolean {
  return minorDistance(a, b) >= 0;
}
