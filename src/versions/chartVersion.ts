// Chart and app versions as Helm charts really write them. Rancher-style charts carry the
// upstream version in semver build metadata ("106.0.0+up0.12.0-rc.3"), which plain semver
// ignores: that is how a release candidate was judged "at or above" the GA chart and an upgrade
// step was skipped (INCIDENTS case 3). Here the `+upX.Y.Z` part is a version of its own.
import semver, { type SemVer } from "semver";

export interface ChartVersion {
  /** The input as given. */
  raw: string;
  /** The main version, normalised to full semver (no build metadata). */
  main: SemVer;
  /** The version inside `+up…`, when present and parseable. */
  upstream?: SemVer;
  /** Build metadata other than `+up…` (ignored for ordering, as semver does). */
  build?: string;
}

// Tolerates what charts and tags write in practice: "v1.2", "1.2.3-rc1", "1.2.3.4" is not accepted.
const LOOSE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.+-]*))?$/;

function parseLooseSemver(s: string): { version: SemVer; build?: string } | undefined {
  const m = LOOSE.exec(s.trim());
  if (!m) return undefined;
  const core = `${m[1]}.${m[2] ?? "0"}.${m[3] ?? "0"}${m[4] ? `-${m[4]}` : ""}`;
  const version = semver.parse(core);
  if (!version) return undefined;
  return { version, build: m[5] };
}

/** Parses "X", "X+upY", "vX+upY"; undefined when the main version is not a version at all. */
export function parseChartVersion(input: string): ChartVersion | undefined {
  if (typeof input !== "string") return undefined;
  const parsed = parseLooseSemver(input);
  if (!parsed) return undefined;
  const result: ChartVersion = { raw: input, main: parsed.version };
  const build = parsed.build;
  if (build !== undefined && build !== "") {
    const up = /^up(.+)$/.exec(build);
    const upstream = up ? parseLooseSemver(up[1]) : undefined;
    if (upstream) result.upstream = upstream.version;
    else result.build = build;
  }
  return result;
}

/** The `+up…` upstream version as written (e.g. "0.12.0-rc.3"), or undefined. */
export function upstreamVersion(input: string): string | undefined {
  const v = parseChartVersion(input);
  return v?.upstream?.version;
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * Orders two chart versions: main version first (semver, pre-releases before releases), then the
 * `+up` upstream version with the same rules. A version without `+up` sorts before the same main
 * version with one (a total order; otherwise equality would not be transitive). Unparseable
 * versions sort before every parseable one and among themselves by string.
 */
export function compareChartVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = parseChartVersion(a);
  const pb = parseChartVersion(b);
  if (!pa || !pb) {
    if (pa) return 1;
    if (pb) return -1;
    return sign(a < b ? -1 : a > b ? 1 : 0);
  }
  const main = semver.compare(pa.main, pb.main);
  if (main !== 0) return sign(main);
  if (pa.upstream && pb.upstream) return sign(semver.compare(pa.upstream, pb.upstream));
  if (pa.upstream) return 1;
  if (pb.upstream) return -1;
  return 0;
}

/** True when the main version or the `+up` upstream version carries a pre-release part. */
export function isPreRelease(input: string): boolean {
  const v = parseChartVersion(input);
  if (!v) return false;
  return v.main.prerelease.length > 0 || (v.upstream?.prerelease.length ?? 0) > 0;
}

// Pre-release words as tags use them; "1.25.3-alpine", "7.2-bookworm", "1.2.3-debian-12-r4" are
// distribution suffixes, not pre-releases, so only these words count, and only as a whole word
// ("-preview" or "-development" do not match "pre"/"dev").
const PRERELEASE_WORD = /^(alpha|beta|rc|pre|dev|snapshot|nightly)(?=$|[-._+]|\d)/i;
const TAG_VERSION = /^v?\d+(?:\.\d+){0,3}/;

/**
 * Whether an image tag names a pre-release build: a numeric version whose suffix starts with a
 * pre-release word ("v1.2.3-rc.1", "1.0.0-beta", "2.0.0rc1", "1.4.0-up0.12.0-rc.3").
 * "latest", digests and distro suffixes are not pre-releases.
 */
export function isPreReleaseTag(tag: string): boolean {
  if (typeof tag !== "string") return false;
  const m = TAG_VERSION.exec(tag);
  if (!m) return false;
  let rest = tag.slice(m[0].length);
  // Rancher images mirror chart build metadata in the tag as "-upX.Y.Z[-rc.N]" (tags cannot hold "+").
  const up = /^[-+_]up(v?\d+(?:\.\d+){0,3})/.exec(rest);
  if (up) rest = rest.slice(up[0].length);
  if (rest === "") return false;
  rest = rest.replace(/^[-._+]/, "");
  return PRERELEASE_WORD.test(rest);
}

/** The tag of an image reference: "repo/name:tag@sha256:…" → "tag"; undefined for digest-only or untagged. */
export function imageTag(image: string): string | undefined {
  if (typeof image !== "string") return undefined;
  const noDigest = image.split("@")[0];
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  if (colon <= lastSlash) return undefined;
  const tag = noDigest.slice(colon + 1);
  return tag === "" ? undefined : tag;
}
