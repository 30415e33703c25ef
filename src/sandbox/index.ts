// Public entry of the sandbox API server: start one from objects and/or fixture files.
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../kube/resources.ts";
import { createSecurity } from "./auth.ts";
import { groupVersionOf, type ResourceInfo } from "./builtinResources.ts";
import { type Fixture, loadFixture, type SandboxSettings } from "./fixtures.ts";
import type { NodeProxyConfig } from "./nodeProxy.ts";
import { DEFAULT_METRICS, SandboxServer } from "./server.ts";
import { nowTimestamp, Store } from "./store.ts";

export type { SandboxSecurity, SandboxUser } from "./auth.ts";
export { ROLLOUT_ANNOTATION } from "./controllers/common.ts";
export type { FaultHandle, FaultSpec, RequestVerb } from "./faults.ts";
export type { Fixture, SandboxSettings } from "./fixtures.ts";
export { loadFixture, parseFixture } from "./fixtures.ts";
export {
  execPluginScript,
  KUBECONFIG_AUTH_MODES,
  type KubeconfigAuth,
  type KubeconfigEntry,
  type KubeconfigOptions,
  kubeconfigFor,
  SANDBOX_TOKEN,
} from "./kubeconfig.ts";
export { type NodeProxyConfig, SANDBOX_USER } from "./nodeProxy.ts";
export type { RequestRecord } from "./server.ts";
export { SandboxServer } from "./server.ts";
export type { Store } from "./store.ts";

export const DEFAULT_SERVER_VERSION = "v1.31.4";

export interface StartSandboxOptions {
  objects?: KubeObject[];
  /** A YAML file, a directory of .yaml/.yml files, or several of those. */
  fixture?: string | string[];
  /**
   * A fixture already loaded with loadFixture (instead of `fixture`): its objects are stored as
   * they are, not copied, so the caller must not use them afterwards. `upshift sandbox` reads its
   * fixture once, to tell a bad fixture (exit 2) from a server that cannot start (exit 1).
   */
  loadedFixture?: Fixture;
  /** Overrides the fixture's SandboxSettings.serverVersion; default v1.31.4. */
  serverVersion?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** How many recent events watches can resume from (default 10,000). */
  watchWindow?: number;
  metrics?: string;
  rolloutDelayMs?: number;
  /** Node proxy authorization and kubelet /metrics by node (default: nodes/proxy forbidden). */
  nodeProxy?: Partial<NodeProxyConfig>;
  /**
   * HTTPS with a CA made at start, bearer tokens, client certificates and exec plugins, as a real
   * cluster (`anonymous: false` answers 401 to requests without credentials, as
   * --anonymous-auth=false). Off by default for tests; `upshift sandbox` turns it on.
   */
  tls?: boolean | { anonymous?: boolean };
}

const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export async function startSandbox(opts: StartSandboxOptions = {}): Promise<SandboxServer> {
  if (opts.fixture !== undefined && opts.loadedFixture !== undefined)
    throw new Error("startSandbox: give fixture or loadedFixture, not both");
  const fixture = opts.loadedFixture ?? (opts.fixture !== undefined ? loadFixture(opts.fixture) : undefined);
  const settings: SandboxSettings = fixture?.settings ?? {};
  const skipped = fixture?.skipped ?? [];
  // Fixture objects were parsed for this sandbox alone and are stored as they are; the caller's
  // objects are copied, so a test can go on using its own. (One push each: spreading 150,000
  // arguments overflows the call stack.)
  const objects: KubeObject[] = fixture?.objects ?? [];
  for (const o of opts.objects ?? []) objects.push(structuredClone(o));
  const serverVersion = opts.serverVersion ?? settings.serverVersion ?? DEFAULT_SERVER_VERSION;
  if (!/^v\d+\.\d+\.\d+/.test(serverVersion)) {
    throw new Error(`serverVersion: expected a version like "v1.31.4", got "${serverVersion}"`);
  }
  const store = new Store(opts.watchWindow ?? 10_000);
  seed(store, objects);
  const server = new SandboxServer(store, {
    serverVersion,
    metrics: opts.metrics ?? settings.metrics ?? DEFAULT_METRICS,
    rolloutDelayMs: opts.rolloutDelayMs ?? settings.rolloutDelayMs ?? 0,
    watchWindow: opts.watchWindow ?? 10_000,
    host: opts.host ?? "127.0.0.1",
    port: opts.port ?? 0,
    nodeProxy: {
      allowed: opts.nodeProxy?.allowed ?? settings.nodeProxy?.allowed ?? false,
      kubeletMetrics: { ...settings.nodeProxy?.kubeletMetrics, ...opts.nodeProxy?.kubeletMetrics },
    },
    security: opts.tls
      ? createSecurity({
          hosts: [opts.host ?? "127.0.0.1"],
          anonymous: typeof opts.tls === "object" ? opts.tls.anonymous : undefined,
        })
      : undefined,
  });
  server.skippedFixtures = skipped;
  await server.listen();
  return server;
}

/**
 * Loads objects without watch events (they predate every watch), CRDs first so their custom
 * resources resolve, and adds the Namespaces a real cluster would necessarily hold. The objects
 * become the store's own (completed in place, not copied).
 */
function seed(store: Store, objects: KubeObject[]): void {
  const isCrd = (o: KubeObject) => o.kind === "CustomResourceDefinition";
  const crds = objects.filter(isCrd);
  const ordered = [...crds, ...objects.filter((o) => !isCrd(o))];
  const namespaces = new Set(SYSTEM_NAMESPACES);
  const declared = new Set<string>();
  const created = nowTimestamp();
  // The resource of each apiVersion and kind, looked up once: every CRD written makes the registry
  // rebuild its index at the next look-up, which for thousands of CRDs is quadratic. Forgotten
  // once the CRDs are in, so custom resources resolve against all of them.
  let infoByKind = new Map<string, ResourceInfo>();
  for (const [i, obj] of ordered.entries()) {
    if (i === crds.length) infoByKind = new Map();
    const kindKey = `${obj.apiVersion}\0${obj.kind}`;
    let info = infoByKind.get(kindKey);
    if (!info) {
      info = store.registry.forObject(obj);
      infoByKind.set(kindKey, info);
    }
    const meta = { ...obj.metadata };
    if (info.namespaced) {
      meta.namespace ??= "default";
      namespaces.add(meta.namespace);
    } else delete meta.namespace;
    if (info.group === "" && info.kind === "Namespace" && meta.name) declared.add(meta.name);
    meta.uid ??= randomUUID();
    meta.creationTimestamp ??= created;
    obj.metadata = meta;
    obj.apiVersion ??= groupVersionOf(info);
    store.write(info, obj, { silent: true });
  }
  const nsInfo = store.registry.byKind("v1", "Namespace");
  if (nsInfo) {
    for (const name of namespaces) {
      if (declared.has(name)) continue;
      store.write(
        nsInfo,
        {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: {
            name,
            uid: randomUUID(),
            creationTimestamp: nowTimestamp(),
            labels: { "kubernetes.io/metadata.name": name },
          },
          spec: { finalizers: ["kubernetes"] },
          status: { phase: "Active" },
        },
        { silent: true },
      );
    }
  }
  store.markSeeded();
}
