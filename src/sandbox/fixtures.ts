// Fixture files: multi-document YAML of ordinary Kubernetes objects (any kind, status included),
// `kind: List` documents flattened, plus an optional SandboxSettings document read as settings.
// A file that is one JSON document (a `kind: List` of 150,000 objects, say) is read with
// JSON.parse: YAML 1.2 is a superset of JSON, so the objects are the same, and it loads in a
// second where the YAML parser takes half a minute. YAML is read one document at a time, so the
// parser's syntax tree of a big file is never held whole (it costs many times the objects).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Composer, Parser, parseAllDocuments } from "yaml";
import type { KubeObject } from "../kube/resources.ts";
import type { NodeProxyConfig } from "./nodeProxy.ts";

export interface SandboxSettings {
  serverVersion?: string;
  metrics?: string;
  rolloutDelayMs?: number;
  /** The node proxy: whether `get nodes/proxy` is allowed, and each kubelet's /metrics text. */
  nodeProxy?: Partial<NodeProxyConfig>;
}

export interface Fixture {
  objects: KubeObject[];
  settings: SandboxSettings;
  /** Files of a directory that were not fixtures (an upshift.yaml beside them), and why. */
  skipped?: Array<{ file: string; reason: string }>;
}

export const SETTINGS_API_VERSION = "sandbox.upshift.dev/v1";
export const SETTINGS_KIND = "SandboxSettings";

/** Files to load: a file as given, or a directory's .yaml/.yml files (`inDirectory` true). */
function fixtureFiles(path: string): Array<{ file: string; inDirectory: boolean }> {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`fixture ${path}: no such file or directory`);
  }
  if (!st.isDirectory()) return [{ file: path, inDirectory: false }];
  return readdirSync(path, { withFileTypes: true })
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => ({ file: join(path, d.name), inDirectory: true }))
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** One document of a fixture file: its value, or the YAML error that stopped it. */
interface FixtureDocument {
  value?: unknown;
  error?: string;
}

/** The documents of a file, each turned into plain values as soon as it is parsed. */
function readDocuments(text: string): FixtureDocument[] {
  const json = jsonDocument(text);
  if (json) return [json];
  const docs: FixtureDocument[] = [];
  const composer = new Composer();
  for (const doc of composer.compose(new Parser().parse(text))) {
    if (doc.errors.length > 0) {
      // The rare bad file is parsed again whole for the error with its line and context.
      const pretty = parseAllDocuments(text)[docs.length];
      const errors = pretty && "errors" in pretty ? pretty.errors : doc.errors;
      docs.push({ error: (errors[0] ?? doc.errors[0]).message });
      continue;
    }
    docs.push({ value: doc.toJS({ maxAliasCount: 1000 }) });
  }
  return docs;
}

/** A file holding exactly one JSON object (or array), parsed as JSON; undefined for anything else. */
function jsonDocument(text: string): FixtureDocument | undefined {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined; // flow-style YAML, or broken: the YAML parser reads it or says where it breaks
  }
}

/**
 * Why a YAML file in a fixture directory is not a fixture (undefined when it is one): a
 * document that is not a Kubernetes object, such as the upshift.yaml policy kept beside the
 * scenarios. Such files are skipped with that reason; a broken object in a real fixture still fails.
 */
export function notAFixture(text: string): string | undefined {
  return notFixtureDocuments(readDocuments(text));
}

function notFixtureDocuments(docs: FixtureDocument[]): string | undefined {
  for (const [i, { value, error }] of docs.entries()) {
    if (error !== undefined) return undefined; // parseFixture reports the YAML error itself
    if (value === null || value === undefined) continue;
    const v = value as { apiVersion?: unknown; kind?: unknown };
    const isObject = typeof value === "object" && !Array.isArray(value);
    if (!isObject || typeof v.apiVersion !== "string" || typeof v.kind !== "string")
      return `document ${i + 1} is not a Kubernetes object (no apiVersion and kind)`;
  }
  return undefined;
}

function readSettings(doc: KubeObject, where: string): SandboxSettings {
  const spec = doc.spec ?? {};
  if (typeof spec !== "object" || Array.isArray(spec))
    throw new Error(`${where}: SandboxSettings spec must be a mapping`);
  const out: SandboxSettings = {};
  if (spec.serverVersion !== undefined) {
    if (typeof spec.serverVersion !== "string" || !/^v\d+\.\d+\.\d+/.test(spec.serverVersion)) {
      throw new Error(
        `${where}: spec.serverVersion must look like "v1.31.4", got ${JSON.stringify(spec.serverVersion)}`,
      );
    }
    out.serverVersion = spec.serverVersion;
  }
  if (spec.metrics !== undefined) {
    if (typeof spec.metrics !== "string") throw new Error(`${where}: spec.metrics must be a string (Prometheus text)`);
    out.metrics = spec.metrics;
  }
  if (spec.rolloutDelayMs !== undefined) {
    if (typeof spec.rolloutDelayMs !== "number" || spec.rolloutDelayMs < 0) {
      throw new Error(`${where}: spec.rolloutDelayMs must be a non-negative number`);
    }
    out.rolloutDelayMs = spec.rolloutDelayMs;
  }
  if (spec.nodeProxy !== undefined) {
    const np = spec.nodeProxy;
    if (!np || typeof np !== "object" || Array.isArray(np))
      throw new Error(`${where}: spec.nodeProxy must be a mapping (allowed, kubeletMetrics)`);
    if (np.allowed !== undefined && typeof np.allowed !== "boolean")
      throw new Error(`${where}: spec.nodeProxy.allowed must be true or false`);
    const metrics = np.kubeletMetrics ?? {};
    if (
      typeof metrics !== "object" ||
      Array.isArray(metrics) ||
      Object.values(metrics).some((v) => typeof v !== "string")
    )
      throw new Error(`${where}: spec.nodeProxy.kubeletMetrics must map node names to Prometheus text`);
    out.nodeProxy = { allowed: np.allowed ?? false, kubeletMetrics: metrics as Record<string, string> };
  }
  return out;
}

/** Parses YAML (or JSON) text; `source` names it in error messages. */
export function parseFixture(text: string, source = "fixture"): Fixture {
  return fixtureOf(readDocuments(text), source);
}

function fixtureOf(docs: FixtureDocument[], source: string): Fixture {
  const objects: KubeObject[] = [];
  let settings: SandboxSettings = {};
  docs.forEach(({ value, error }, i) => {
    const where = `${source} document ${i + 1}`;
    if (error !== undefined) throw new Error(`${where}: invalid YAML: ${error}`);
    if (value === null || value === undefined) return;
    if (typeof value !== "object" || Array.isArray(value))
      throw new Error(`${where}: expected a Kubernetes object (mapping)`);
    const doc = value as KubeObject;
    const items: unknown[] = doc.kind === "List" && Array.isArray(doc.items) ? doc.items : [doc];
    for (const item of items) {
      const o = item as KubeObject;
      if (typeof o?.apiVersion !== "string" || typeof o.kind !== "string") {
        throw new Error(`${where}: object needs string apiVersion and kind`);
      }
      if (o.apiVersion === SETTINGS_API_VERSION && o.kind === SETTINGS_KIND) {
        settings = { ...settings, ...readSettings(o, where) };
        continue;
      }
      if (typeof o.metadata?.name !== "string" || o.metadata.name === "") {
        throw new Error(`${where}: ${o.kind} needs metadata.name`);
      }
      objects.push(o);
    }
  });
  return { objects, settings };
}

/** Loads one file, a directory of .yaml/.yml files (sorted by name), or several of those. */
export function loadFixture(pathOrPaths: string | string[]): Fixture {
  const paths = Array.isArray(pathOrPaths) ? pathOrPaths : [pathOrPaths];
  const objects: KubeObject[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  let settings: SandboxSettings = {};
  for (const { file, inDirectory } of paths.flatMap(fixtureFiles)) {
    const docs = readDocuments(readFileSync(file, "utf8"));
    const reason = inDirectory ? notFixtureDocuments(docs) : undefined;
    if (reason) {
      skipped.push({ file, reason });
      continue;
    }
    const f = fixtureOf(docs, file);
    // One push per object: spreading 150,000 arguments overflows the call stack.
    for (const o of f.objects) objects.push(o);
    settings = { ...settings, ...f.settings };
  }
  return { objects, settings, ...(skipped.length ? { skipped } : {}) };
}
