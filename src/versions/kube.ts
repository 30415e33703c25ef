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
  let parsed = parsedVersions.get(input);
  if (parsed === undefined) {
    parsed = parseUncached(input) ?? null;
    // A cluster has a handful of distinct versions; the bound only keeps odd input from growing it.
    if (parsedVersions.size >= 1000) parsedVersions.clear();
    parsedVersions.set(input, parsed);
  }
  // A copy: callers may change what they get.
  return parsed === null ? undefined : { ...parsed };
}

// The release gates and skew checks parse the same few versions once per node and check (~4,700
// calls for the 20,000-object benchmark cluster); semver's coerce made that ~8 ms of every run.
const parsedVersions = new Map<string, KubeVersion | null>();

function parseUncached(input: string): KubeVersion | undefined {
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

/**
 * The newest Kubernetes minor Upshift's knowledge covers. Its tables come from k8s.io/api as of
 * July 2026 (commit 10b39a39, a 1.37 tree: src/versions/apiLifecycle.json), the 1.37 release
 * notes, and what that tree schedules for 1.38 (API removals) and the 1.38 notes announce
 * (containerd 1.x). Removals are tabled to 1.40 from the lifecycle data alone, but a release also
 * breaks things no table predicts (flags, gates, defaults), so beyond 1.38 the report warns.
 * Raise this only with the tables that cover the new minor.
 */
export const KNOWLEDGE_HORIZON: KubeVersion = { major: 1, minor: 38 };

/**
 * How far past the horizon a target may go and still be taken as a release: Kubernetes ships
 * three minors a year, so horizon + 3 is about a year past the newest release Upshift knows; a
 * minor beyond that does not exist yet ("1.99") and is refused as a typo rather than checked.
 */
export const TARGET_MINORS_PAST_HORIZON = 3;

export type TargetParse = { ok: true; value: KubeVersion } | { ok: false; error: string };

/**
 * Parses a target version a person typed: MAJOR.MINOR[.PATCH] with an optional leading "v", and
 * nothing else (no pre-release, build metadata, spaces or markup: "1.32-<!here>" is refused). A
 * version that is no Kubernetes release (major other than 1, a minor more than
 * TARGET_MINORS_PAST_HORIZON past the horizon) is refused too. Errors never echo the input:
 * callers say which field they came from.
 */
export function parseTargetVersion(input: string): TargetParse {
  const m = /^v?(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})(?:\.(0|[1-9]\d{0,3}))?$/.exec(input);
  if (!m)
    return {
      ok: false,
      error: "expected MAJOR.MINOR or MAJOR.MINOR.PATCH such as 1.32 or v1.32.3, with nothing after it",
    };
  const v: KubeVersion = {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? undefined : Number(m[3]),
  };
  if (v.major !== KNOWLEDGE_HORIZON.major)
    return { ok: false, error: `Kubernetes has no major version ${v.major}: releases are 1.x` };
  const newest = KNOWLEDGE_HORIZON.minor + TARGET_MINORS_PAST_HORIZON;
  if (v.minor > newest)
    return {
      ok: false,
      error: `${formatMinor(v)} is not a Kubernetes release: Upshift knows releases up to ${formatMinor(KNOWLEDGE_HORIZON)} and accepts targets up to 1.${newest}`,
    };
  return { ok: true, value: v };
}

/** The report's warning for a target past the horizon; undefined when Upshift knows the target's release. */
export function horizonWarning(target: KubeVersion): string | undefined {
  if (minorAtOrBefore(target, KNOWLEDGE_HORIZON)) return undefined;
  return `Upshift knows releases up to ${formatMinor(KNOWLEDGE_HORIZON)}; ${formatMinor(target)} is beyond: results may miss its changes.`;
}
