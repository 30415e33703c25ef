// Helm v3 release Secrets: cheap facts from labels, the full release only on demand.
// Secret data.release is base64 (the Secret encoding) of base64 of gzip of JSON (Helm's own
// encoding). Decoding is lazy and cached per Secret object because a cluster can hold hundreds
// of revisions and most checks only need the labels.
import { gunzipSync, gzipSync } from "node:zlib";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../kube/resources.ts";
import { compareText } from "../text/order.ts";

export const HELM_RELEASE_TYPE = "helm.sh/release.v1";
/** A release JSON larger than this is refused: a hostile Secret must not exhaust memory. */
export const MAX_RELEASE_BYTES = 32 * 1024 * 1024;

export const PENDING_STATUSES = ["pending-install", "pending-upgrade", "pending-rollback"] as const;

export interface HelmChartInfo {
  name: string;
  version: string;
  appVersion?: string;
  /** chart.metadata.kubeVersion, a semver constraint such as ">=1.22.0-0 <1.32.0-0". */
  kubeVersion?: string;
}

export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chart: HelmChartInfo;
  /** The rendered manifest: YAML documents separated by "---". */
  manifest: string;
}

export interface ReleaseLabels {
  name: string;
  namespace: string;
  status: string;
  /** Revision number from the `version` label. */
  revision: number;
}

/** Name, status and revision from the Secret's labels; undefined when they are missing or odd. */
export function releaseLabels(secret: KubeObject): ReleaseLabels | undefined {
  const labels = secret?.metadata?.labels;
  if (labels?.owner !== "helm") return undefined;
  const name = labels.name;
  const status = labels.status;
  const revision = Number(labels.version);
  if (typeof name !== "string" || name === "" || typeof status !== "string" || status === "") return undefined;
  if (!Number.isInteger(revision) || revision < 1) return undefined;
  return { name, namespace: secret.metadata?.namespace ?? "default", status, revision };
}

export interface ReleaseRevision {
  secret: KubeObject;
  labels: ReleaseLabels;
}

export interface ReleaseGroup {
  name: string;
  namespace: string;
  /** Every stored revision, oldest first. */
  revisions: ReleaseRevision[];
  newest: ReleaseRevision;
  /** The newest revision whose status is `deployed`, if any. */
  newestDeployed?: ReleaseRevision;
  /** Every revision with status `deployed` (Helm keeps one; more means a broken history). */
  deployed: ReleaseRevision[];
}

export interface GroupedReleases {
  groups: ReleaseGroup[];
  skipped: KubeObject[];
}

// Eight checks group the same snapshot list; the grouping is made once per list. Callers treat the
// result as read-only, as they treat the snapshot's lists.
const grouped = new WeakMap<readonly KubeObject[], GroupedReleases>();

/** Groups release Secrets by namespace/name. Secrets whose labels are unusable are returned in `skipped`. */
export function groupReleases(secrets: readonly KubeObject[]): GroupedReleases {
  let result = grouped.get(secrets);
  if (!result) {
    result = groupUncached(secrets);
    grouped.set(secrets, result);
  }
  return result;
}

function groupUncached(secrets: readonly KubeObject[]): GroupedReleases {
  const byKey = new Map<string, ReleaseRevision[]>();
  const skipped: KubeObject[] = [];
  for (const secret of secrets) {
    if (secret?.type !== undefined && secret.type !== HELM_RELEASE_TYPE) continue;
    const labels = releaseLabels(secret);
    if (!labels) {
      skipped.push(secret);
      continue;
    }
    const key = `${labels.namespace}/${labels.name}`;
    const list = byKey.get(key);
    if (list) list.push({ secret, labels });
    else byKey.set(key, [{ secret, labels }]);
  }
  const groups: ReleaseGroup[] = [];
  for (const revisions of byKey.values()) {
    revisions.sort((a, b) => a.labels.revision - b.labels.revision);
    const deployed = revisions.filter((r) => r.labels.status === "deployed");
    groups.push({
      name: revisions[0].labels.name,
      namespace: revisions[0].labels.namespace,
      revisions,
      newest: revisions[revisions.length - 1],
      newestDeployed: deployed[deployed.length - 1],
      deployed,
    });
  }
  groups.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name));
  return { groups, skipped };
}

export type DecodeResult = { ok: true; release: HelmRelease } | { ok: false; error: string };

const cache = new WeakMap<object, DecodeResult>();

/** Decodes the release, or explains why it cannot (cached per Secret object). */
export function decodeReleaseSecret(secret: KubeObject): DecodeResult {
  if (secret === null || typeof secret !== "object") return { ok: false, error: "not an object" };
  const hit = cache.get(secret);
  if (hit) return hit;
  const result = decodeUncached(secret);
  cache.set(secret, result);
  return result;
}

/**
 * " (chart NAME-VERSION)" as `helm list` shows the chart, for a message about one revision; "" when
 * the release does not decode (the label facts still stand on their own).
 */
export function chartSuffix(secret: KubeObject): string {
  const chart = releaseFromSecret(secret)?.chart;
  return chart?.name && chart.version ? ` (chart ${chart.name}-${chart.version})` : "";
}

/** The decoded release, or undefined when the Secret is not a decodable Helm release. */
export function releaseFromSecret(secret: KubeObject): HelmRelease | undefined {
  const r = decodeReleaseSecret(secret);
  return r.ok ? r.release : undefined;
}

const BASE64 = /^[A-Za-z0-9+/=\s_-]+$/;

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function firstNonSpace(b: Buffer): number | undefined {
  for (const c of b) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  return undefined;
}

// Peels base64 layers (Secret encoding, then Helm's) until gzip or JSON appears; at most three,
// so neither a plain Secret read through client libraries (one layer already removed) nor a
// stored string with an extra layer trips it up.
function releaseBytes(raw: string): Buffer | string {
  let buf: Buffer = Buffer.from(raw, "utf8");
  for (let layer = 0; layer < 3; layer++) {
    if (isGzip(buf)) {
      try {
        return gunzipSync(buf, { maxOutputLength: MAX_RELEASE_BYTES });
      } catch (e) {
        const code = (e as { code?: string }).code;
        return code === "ERR_BUFFER_TOO_LARGE"
          ? `release is larger than ${MAX_RELEASE_BYTES} bytes once decompressed`
          : `gzip data is corrupt (${(e as Error).message})`;
      }
    }
    if (firstNonSpace(buf) === 0x7b /* { */) return buf;
    const text = buf.toString("latin1");
    if (!BASE64.test(text)) return "data.release is neither base64, gzip nor JSON";
    buf = Buffer.from(text, "base64");
  }
  return "data.release holds too many layers of base64";
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function decodeUncached(secret: KubeObject): DecodeResult {
  const raw = secret.data?.release;
  if (typeof raw !== "string" || raw === "") return { ok: false, error: "data.release is missing" };
  if (raw.length > MAX_RELEASE_BYTES) return { ok: false, error: "data.release is too large" };
  const bytes = releaseBytes(raw);
  if (typeof bytes === "string") return { ok: false, error: bytes };
  if (bytes.length > MAX_RELEASE_BYTES) return { ok: false, error: "release JSON is too large" };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    return { ok: false, error: `release is not JSON (${(e as Error).message})` };
  }
  if (json === null || typeof json !== "object") return { ok: false, error: "release JSON is not an object" };
  // biome-ignore lint/suspicious/noExplicitAny: Helm's JSON is read defensively field by field
  const j = json as any;
  const labels = releaseLabels(secret);
  const meta = j.chart?.metadata ?? {};
  const revision = Number(j.version ?? labels?.revision);
  const release: HelmRelease = {
    name: str(j.name) ?? labels?.name ?? "",
    namespace: str(j.namespace) ?? secret.metadata?.namespace ?? "default",
    revision: Number.isFinite(revision) ? revision : 0,
    status: str(j.info?.status) ?? labels?.status ?? "unknown",
    chart: {
      name: str(meta.name) ?? "",
      version: str(meta.version) ?? "",
      appVersion: str(meta.appVersion),
      kubeVersion: str(meta.kubeVersion),
    },
    manifest: typeof j.manifest === "string" ? j.manifest : "",
  };
  if (release.name === "") return { ok: false, error: "release JSON has no name" };
  return { ok: true, release };
}

/** The Helm JSON for a release, gzipped and base64'd twice: what a Secret's data.release holds. */
export function encodeRelease(release: HelmRelease): string {
  const json = {
    name: release.name,
    namespace: release.namespace,
    version: release.revision,
    info: { status: release.status, description: `fixture revision ${release.revision}` },
    chart: {
      metadata: {
        apiVersion: "v2",
        name: release.chart.name,
        version: release.chart.version,
        ...(release.chart.appVersion ? { appVersion: release.chart.appVersion } : {}),
        ...(release.chart.kubeVersion ? { kubeVersion: release.chart.kubeVersion } : {}),
      },
    },
    config: {},
    manifest: release.manifest,
  };
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(json), "utf8")).toString("base64");
  return Buffer.from(helmEncoded, "utf8").toString("base64");
}

export interface HelmReleaseSecretInput {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  /** {name, version}, or Helm's "name-version" string such as "fleet-106.0.0+up0.12.0". */
  chart: string | { name: string; version: string };
  appVersion?: string;
  kubeVersion?: string;
  manifest?: string;
}

/** Splits Helm's "name-version" chart string at the dash before the version. */
export function splitChartString(chart: string): { name: string; version: string } {
  const m = /^(.+?)-(v?\d+(?:\.\d+)*(?:[-+].*)?)$/.exec(chart);
  return m ? { name: m[1], version: m[2] } : { name: chart, version: "" };
}

/** A complete Helm release Secret (as the API server returns it) for fixtures and scenarios. */
export function helmReleaseSecret(input: HelmReleaseSecretInput): KubeObject {
  const chart = typeof input.chart === "string" ? splitChartString(input.chart) : input.chart;
  const release: HelmRelease = {
    name: input.name,
    namespace: input.namespace,
    revision: input.revision,
    status: input.status,
    chart: { name: chart.name, version: chart.version, appVersion: input.appVersion, kubeVersion: input.kubeVersion },
    manifest: input.manifest ?? "",
  };
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `sh.helm.release.v1.${input.name}.v${input.revision}`,
      namespace: input.namespace,
      labels: { name: input.name, owner: "helm", status: input.status, version: String(input.revision) },
    },
    type: HELM_RELEASE_TYPE,
    data: { release: encodeRelease(release) },
  };
}

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * The objects of a rendered manifest. Documents that do not parse, are empty (only "# Source:"
 * comments) or lack apiVersion/kind are skipped rather than failing the whole release.
 * Helm renders block YAML with apiVersion/kind/metadata at column 0, so a line scan finds them
 * about 50x faster than a full YAML parse; documents it cannot read fall back to the parser.
 */
export function manifestObjects(manifest: string): ManifestObject[] {
  if (typeof manifest !== "string" || manifest.trim() === "") return [];
  const out: ManifestObject[] = [];
  for (const doc of manifest.split(/^---[ \t]*(?:#.*)?$/m)) {
    if (!/^[^#\s]/m.test(doc)) continue; // only comments and blank lines
    const fast = scanDocument(doc);
    if (fast) {
      out.push(fast);
      continue;
    }
    const parsed = parseDocument(doc);
    if (parsed) out.push(parsed);
  }
  return out;
}

function scalar(raw: string): string | undefined {
  let v = raw.replace(/\s+#.*$/, "").trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
  // Anything needing real YAML semantics (anchors, flow collections, block scalars) goes to the parser.
  if (v === "" || /^[&*[{|>!]/.test(v)) return undefined;
  return v;
}

function scanDocument(doc: string): ManifestObject | undefined {
  let apiVersion: string | undefined;
  let kind: string | undefined;
  let name: string | undefined;
  let namespace: string | undefined;
  let inMetadata = false;
  let metaIndent = -1;
  for (const line of doc.split("\n")) {
    if (line.trim() === "" || /^\s*#/.test(line)) continue;
    if (line.startsWith("{") || line.startsWith("- ")) return undefined;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      inMetadata = false;
      const m = /^([A-Za-z]+):(.*)$/.exec(line);
      if (!m) continue;
      if (m[1] === "apiVersion") apiVersion = scalar(m[2]);
      else if (m[1] === "kind") kind = scalar(m[2]);
      else if (m[1] === "metadata") {
        if (m[2].trim() !== "" && !m[2].trim().startsWith("#")) return undefined; // flow-style metadata
        inMetadata = true;
        metaIndent = -1;
      }
      continue;
    }
    if (!inMetadata) continue;
    if (metaIndent < 0) metaIndent = indent;
    if (indent !== metaIndent) continue;
    const m = /^\s+(name|namespace):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === "name") name = scalar(m[2]);
    else namespace = scalar(m[2]);
  }
  if (!apiVersion || !kind || !name) return undefined;
  return { apiVersion, kind, name, namespace };
}

function parseDocument(doc: string): ManifestObject | undefined {
  let value: unknown;
  try {
    const docs = parseAllDocuments(doc);
    if (!Array.isArray(docs) || docs.length !== 1 || docs[0].errors.length > 0) return undefined;
    value = docs[0].toJS();
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const meta = (v.metadata ?? {}) as Record<string, unknown>;
  if (typeof v.apiVersion !== "string" || typeof v.kind !== "string") return undefined;
  return {
    apiVersion: v.apiVersion,
    kind: v.kind,
    name: typeof meta.name === "string" ? meta.name : "(unnamed)",
    namespace: typeof meta.namespace === "string" ? meta.namespace : undefined,
  };
}
