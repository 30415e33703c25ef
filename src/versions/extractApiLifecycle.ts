// Extracts the facts src/versions/deprecations.ts is checked against from a git clone of
// github.com/kubernetes/api (the published k8s.io/api module): for every alpha and beta
// group/version/kind (and GA ones, for the minor their types appeared), the minors whose release tag holds its types, and the prerelease-lifecycle
// functions (APILifecycleIntroduced/Deprecated/Removed/Replacement) that
// zz_generated.prerelease-lifecycle.go gives it. The API server stops serving a kind at its
// APILifecycleRemoved minor (k8s.io/apiserver pkg/server/deleted_kinds.go); a version whose code
// was deleted stops being served with the release that deleted it, which the tags show.
// The output is committed as apiLifecycle.json so the test runs without the clone.
//   Regenerate: node src/versions/extractApiLifecycle.ts /work/.mirror/kubernetes+api/repo > src/versions/apiLifecycle.json
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface LifecycleKind {
  group: string;
  version: string;
  kind: string;
  /** First and last Kubernetes minor whose k8s.io/api release holds the type (the last is the snapshot's for live types). */
  firstInTree: string;
  lastInTree: string;
  introduced?: string;
  deprecated?: string;
  removed?: string;
  /** "group/version/Kind", as the lifecycle tag names it. */
  replacement?: string;
}

export interface LifecycleData {
  source: string;
  commit: string;
  /** Minor the snapshot's HEAD is developing (its newest tag is a pre-release of it). */
  headMinor: string;
  tags: string[];
  kinds: LifecycleKind[];
}

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    stdio: ["ignore", "pipe", "ignore"],
  });
}

/** Newest final tag of each minor from v0.16 on (k8s.io/api v0.M.x is Kubernetes 1.M.x). */
function releaseTags(repo: string): Array<{ tag: string; minor: number }> {
  const newest = new Map<number, { tag: string; patch: number }>();
  for (const tag of git(repo, "tag").split("\n")) {
    const m = /^v0\.(\d+)\.(\d+)$/.exec(tag);
    if (!m) continue;
    const minor = Number(m[1]);
    const patch = Number(m[2]);
    if (minor < 16) continue;
    if ((newest.get(minor)?.patch ?? -1) < patch) newest.set(minor, { tag, patch });
  }
  return [...newest.entries()].sort(([a], [b]) => a - b).map(([minor, { tag }]) => ({ tag, minor }));
}

function kindsAt(
  repo: string,
  ref: string,
): Map<string, { group: string; version: string; kind: string; dir: string }> {
  const out = new Map<string, { group: string; version: string; kind: string; dir: string }>();
  const files = git(repo, "ls-tree", "-r", "--name-only", ref)
    .split("\n")
    .filter((f) => /^[a-z0-9]+\/v\d+((alpha|beta)\d+)?\/register\.go$/.test(f));
  for (const file of files) {
    const dir = file.replace(/\/register\.go$/, "");
    const version = dir.split("/")[1];
    const text = git(repo, "show", `${ref}:${file}`);
    const group = /GroupName\s*=\s*"([^"]*)"/.exec(text)?.[1] ?? "";
    const blocks = [...text.matchAll(/AddKnownTypes\(\s*SchemeGroupVersion,([\s\S]*?)\n\s*\)/g)].map((m) => m[1]);
    for (const block of blocks) {
      for (const [, kind] of block.matchAll(/&(\w+)\{\}/g)) {
        if (kind.endsWith("List") || kind.endsWith("Options")) continue;
        out.set(`${group}/${version}/${kind}`, { group, version, kind, dir });
      }
    }
  }
  return out;
}

function lifecycleAt(repo: string, ref: string, dir: string): Map<string, Partial<LifecycleKind>> {
  const out = new Map<string, Partial<LifecycleKind>>();
  let text: string;
  try {
    text = git(repo, "show", `${ref}:${dir}/zz_generated.prerelease-lifecycle.go`);
  } catch {
    return out;
  }
  for (const [, kind, what, body] of text.matchAll(
    /func \(in \*(\w+)\) APILifecycle(\w+)\(\)[^{]*\{\s*return ([^\n]+)\n/g,
  )) {
    const entry = out.get(kind) ?? {};
    if (what === "Replacement") {
      const r = /Group: "([^"]*)", Version: "([^"]*)", Kind: "([^"]*)"/.exec(body);
      if (r) entry.replacement = `${r[1]}/${r[2]}/${r[3]}`;
    } else {
      const r = /(\d+), (\d+)/.exec(body);
      if (r && (what === "Introduced" || what === "Deprecated" || what === "Removed"))
        entry[what.toLowerCase() as "introduced" | "deprecated" | "removed"] = `${r[1]}.${r[2]}`;
    }
    out.set(kind, entry);
  }
  return out;
}

export function extract(repo: string): LifecycleData {
  const tags = releaseTags(repo);
  const headMinor = tags[tags.length - 1].minor + 1;
  const refs = [...tags.map((t) => ({ ref: t.tag, minor: t.minor })), { ref: "HEAD", minor: headMinor }];
  const found = new Map<string, LifecycleKind>();
  for (const { ref, minor } of refs) {
    const kinds = kindsAt(repo, ref);
    const lifecycles = new Map<string, Map<string, Partial<LifecycleKind>>>();
    for (const [key, k] of kinds) {
      if (!lifecycles.has(k.dir)) lifecycles.set(k.dir, lifecycleAt(repo, ref, k.dir));
      const lc = lifecycles.get(k.dir)?.get(k.kind) ?? {};
      const prev = found.get(key);
      // The newest release holding the type has the final word on its lifecycle.
      found.set(key, {
        group: k.group,
        version: k.version,
        kind: k.kind,
        firstInTree: prev?.firstInTree ?? `1.${minor}`,
        lastInTree: `1.${minor}`,
        ...(Object.keys(lc).length ? lc : prev ? pickLifecycle(prev) : {}),
      });
    }
  }
  const kinds = [...found.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.version.localeCompare(b.version) || a.kind.localeCompare(b.kind),
  );
  return {
    source: "https://github.com/kubernetes/api",
    commit: git(repo, "rev-parse", "HEAD").trim(),
    headMinor: `1.${headMinor}`,
    tags: refs.map((r) => r.ref),
    kinds,
  };
}

function pickLifecycle(k: LifecycleKind): Partial<LifecycleKind> {
  const { introduced, deprecated, removed, replacement } = k;
  return Object.fromEntries(
    Object.entries({ introduced, deprecated, removed, replacement }).filter(([, v]) => v !== undefined),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const repo = process.argv[2];
  if (!repo) {
    console.error("usage: node src/versions/extractApiLifecycle.ts PATH_TO_KUBERNETES_API_CLONE");
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(extract(repo), null, 1)}\n`);
}
