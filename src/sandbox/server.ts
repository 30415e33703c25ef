// The sandbox API server: node:http on 127.0.0.1 speaking the Kubernetes REST protocol closely
// enough that @kubernetes/client-node and kubectl cannot tell it from a cluster.
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { Socket } from "node:net";
import { dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../kube/resources.ts";
import { authenticate, authorize, type SandboxSecurity } from "./auth.ts";
import { groupVersionOf, type ResourceInfo, splitApiVersion } from "./builtinResources.ts";
import { ControllerManager } from "./controllers/manager.ts";
import { crdStatusAfterWrite } from "./crdStatus.ts";
import { applyDefaults } from "./defaults.ts";
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from "./discovery.ts";
import { FaultInjector, type RequestVerb } from "./faults.ts";
import { execPluginScript, type KubeconfigEntry, type KubeconfigOptions, kubeconfigFor } from "./kubeconfig.ts";
import { type NodeProxyConfig, nodeProxyAnswer } from "./nodeProxy.ts";
import { openApiV2, openApiV3Doc, openApiV3Root } from "./openapi.ts";
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from "./patch.ts";
import { decodeProtobufBody } from "./protobuf.ts";
import { type Matcher, parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.ts";
import { ServiceAllocator } from "./services.ts";
import {
  alreadyExists,
  conflict,
  conflictStatus,
  EXPIRED_CONTINUE_MESSAGE,
  failure,
  notFound,
  StatusError,
  statusError,
} from "./status.ts";
import { nowTimestamp, type Store, type StoredEntry } from "./store.ts";
import { type IncludeObject, renderTable } from "./table.ts";
import { WatchHub } from "./watch.ts";

export interface RequestRecord {
  verb: RequestVerb;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path: string;
  method: string;
  /** Set for /version, /api, /healthz... (RBAC nonResourceURLs); resource is "" then. */
  nonResource?: true;
  /** The query as sent (selectors, limit, continue), so tests can prove how a list was asked. */
  query?: URLSearchParams;
  /** The Accept header (metadata-only and Table requests are told apart by it). */
  accept?: string;
  /** The request body's media type, when it has one (tests prove which encoding a client sent). */
  contentType?: string;
}

export interface SandboxConfig {
  serverVersion: string;
  metrics: string;
  rolloutDelayMs: number;
  watchWindow: number;
  host: string;
  port: number;
  nodeProxy?: NodeProxyConfig;
  /** HTTPS with the sandbox's own CA and authentication, as a real cluster; absent: plain HTTP, no authentication. */
  security?: SandboxSecurity;
}

export const DEFAULT_METRICS = `# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",group="",resource="pods",scope="cluster",verb="LIST",version="v1"} 42
apiserver_request_total{code="200",component="apiserver",group="apps",resource="deployments",scope="namespace",verb="GET",version="v1"} 17
# HELP apiserver_storage_objects Number of stored objects at the time of last check split by kind.
# TYPE apiserver_storage_objects gauge
apiserver_storage_objects{resource="pods"} 12
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.7e+09
`;

interface ResourceRoute {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Thrown by the router for a path no resource answers; becomes 404 "could not find the requested resource". */
const NOT_FOUND_PATH = () => statusError(404, "the server could not find the requested resource", "NotFound");

const MAX_BODY_BYTES = 3 * 1024 * 1024;

const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/**
 * Whether a response may be JSON. Answers are always JSON; a client that accepts only protobuf
 * (or only something else) gets 406, as a real server does for a media type it cannot produce.
 */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept || accept.trim() === "") return true;
  return accept
    .toLowerCase()
    .split(",")
    .some((part) => {
      const type = part.split(";")[0].trim();
      return type === "*/*" || type === "application/*" || type.includes("json") || type.includes("yaml");
    });
}

export class SandboxServer {
  readonly store: Store;
  readonly faults = new FaultInjector();
  readonly requests: RequestRecord[] = [];
  /** TCP connections accepted since start: with `requests`, whether clients reuse connections. */
  connectionsAccepted = 0;
  readonly serverVersion: string;
  /** The node proxy's authorization and kubelet answers; tests may change them at any time. */
  readonly nodeProxy: NodeProxyConfig;
  /** Files of a fixture directory that were not fixtures, and why (the CLI says so on stderr). */
  skippedFixtures: Array<{ file: string; reason: string }> = [];
  url = "";
  port = 0;
  private readonly config: SandboxConfig;
  private readonly http: Server | HttpsServer;
  private readonly watches: WatchHub;
  private readonly controllers: ControllerManager;
  private readonly services: ServiceAllocator;
  private readonly sockets = new Set<Socket>();
  private closed = false;

  constructor(store: Store, config: SandboxConfig) {
    this.store = store;
    this.config = config;
    this.serverVersion = config.serverVersion;
    this.nodeProxy = config.nodeProxy ?? { allowed: false, kubeletMetrics: {} };
    this.watches = new WatchHub(store);
    this.faults.attachWatchCutter((filter) => this.watches.cut(filter));
    this.controllers = new ControllerManager(store, config.rolloutDelayMs);
    this.services = new ServiceAllocator(store);
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err) => this.sendError(res, err));
    };
    const sec = config.security;
    // requestCert without rejectUnauthorized: a client certificate is one way to authenticate,
    // not a condition of connecting (token and anonymous clients connect too).
    this.http = sec
      ? createHttpsServer(
          {
            cert: sec.pki.server.certPem,
            key: sec.pki.server.keyPem,
            ca: sec.pki.ca.certPem,
            requestCert: true,
            rejectUnauthorized: false,
          },
          onRequest,
        )
      : createServer(onRequest);
    // Watches are long-lived; node's default request timeouts would cut them.
    this.http.requestTimeout = 0;
    this.http.headersTimeout = 60_000;
    this.http.on("connection", (s: Socket) => {
      this.connectionsAccepted++;
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.config.port, this.config.host, () => {
        this.http.off("error", reject);
        resolve();
      });
    });
    const addr = this.http.address();
    if (!addr || typeof addr === "string") throw new Error("sandbox: server has no TCP address");
    this.port = addr.port;
    const host = this.config.host.includes(":") ? `[${this.config.host}]` : this.config.host;
    this.url = `${this.config.security ? "https" : "http"}://${host}:${this.port}`;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Ends every kept-alive connection that has no request in flight (as a restarting API server would). */
  closeIdleConnections(): void {
    this.http.closeIdleConnections();
  }

  /** The security an HTTPS sandbox runs with (CA, tokens, admin certificate); undefined for plain HTTP. */
  get security(): SandboxSecurity | undefined {
    return this.config.security;
  }

  /** A kubeconfig for this sandbox; an HTTPS one carries the CA and authenticates as `opts.auth` says (token by default). */
  kubeconfig(contextName = "sandbox", opts: KubeconfigOptions = {}): string {
    return kubeconfigFor([this.kubeconfigEntry(contextName, opts)]);
  }

  kubeconfigEntry(contextName = "sandbox", opts: KubeconfigOptions = {}): KubeconfigEntry {
    const sec = this.config.security;
    if (!sec) {
      if (opts.auth && opts.auth !== "token") throw new Error(`kubeconfig: auth "${opts.auth}" needs an HTTPS sandbox`);
      return { name: contextName, url: this.url };
    }
    const base = { name: contextName, url: this.url, caPem: sec.pki.ca.certPem };
    switch (opts.auth ?? "token") {
      case "client-cert":
        return { ...base, clientCertPem: sec.adminCert.certPem, clientKeyPem: sec.adminCert.keyPem };
      case "exec":
        if (!opts.execCommand) throw new Error('kubeconfig: auth "exec" needs execCommand (see writeExecPlugin)');
        return { ...base, exec: { command: opts.execCommand } };
      default:
        return { ...base, token: sec.adminToken };
    }
  }

  /** Writes the exec credential plugin (a shell script printing an ExecCredential) and returns its path. */
  writeExecPlugin(path: string): string {
    const sec = this.config.security;
    if (!sec) throw new Error("writeExecPlugin: a plain-HTTP sandbox has no credentials to hand out");
    writeFileSync(path, execPluginScript(sec.execToken), { mode: 0o700 });
    chmodSync(path, 0o700);
    return path;
  }

  /** Writes a kubeconfig; for auth "exec" the plugin goes beside it (`<name>.exec-credential.sh`). */
  writeKubeconfig(path: string, contextName = "sandbox", opts: KubeconfigOptions = {}): void {
    let o = opts;
    if (opts.auth === "exec" && !opts.execCommand) {
      const plugin = join(dirname(path), `${path.split("/").pop()}.exec-credential.sh`);
      o = { ...opts, execCommand: this.writeExecPlugin(plugin) };
    }
    writeFileSync(path, this.kubeconfig(contextName, o), { mode: 0o600 });
  }

  static kubeconfigFor(entries: KubeconfigEntry[], current?: string): string {
    return kubeconfigFor(entries, current);
  }

  /** Ends open watches, stops the controllers' timers and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.controllers.close();
    this.watches.closeAll();
    const done = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeIdleConnections();
    // Give just-ended watch responses a moment to flush before forcing sockets shut.
    await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets) s.destroy();
    await done;
  }

  // ---------------------------------------------------------------- dispatch

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = (req.method ?? "GET").toUpperCase();
    const q = url.searchParams;

    let route: ResourceRoute | undefined;
    let routeError: StatusError | undefined;
    let isWatchPath = false;
    const segments = path.split("/").filter((s) => s !== "");
    // /api/v1/nodes/{name}/proxy/{path...}: the node proxy subresource, forwarded to the kubelet.
    const isNodeProxy =
      segments[0] === "api" && segments[1] === "v1" && segments[2] === "nodes" && segments[4] === "proxy";
    if (isNodeProxy) return this.handleNodeProxy(res, path, segments, method);
    const isResourcePath =
      (segments[0] === "api" && segments.length >= 3) || (segments[0] === "apis" && segments.length >= 4);
    if (isResourcePath) {
      try {
        const r = this.route(segments);
        route = r.route;
        isWatchPath = r.watch;
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
        routeError = err;
      }
    }
    const watch = isWatchPath || q.get("watch") === "true" || q.get("watch") === "1";
    const verb = verbOf(method, route, watch);
    const record: RequestRecord = route
      ? {
          verb,
          group: route.info.group,
          version: route.info.version,
          resource: route.info.plural,
          ...(route.subresource ? { subresource: route.subresource } : {}),
          ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
          ...(route.name !== undefined ? { name: route.name } : {}),
          path,
          method,
          query: q,
          ...(req.headers.accept ? { accept: req.headers.accept } : {}),
        }
      : { verb, group: "", version: "", resource: "", path, method, nonResource: true };
    const contentType = req.headers["content-type"];
    if (contentType) record.contentType = contentType.split(";")[0].trim();
    this.requests.push(record);

    const security = this.config.security;
    if (security) {
      const user = authenticate(req, security.auth);
      authorize(user, { path, verb, info: route?.info, namespace: route?.namespace, name: route?.name });
    }

    const action = this.faults.decide({
      method,
      path,
      verb: route ? verb : undefined,
      resource: route?.info.plural,
      namespace: route?.namespace,
      subresource: route?.subresource,
    });
    if (action.latencyMs > 0) await new Promise((r) => setTimeout(r, action.latencyMs));
    if (action.kind === "drop") {
      req.socket.destroy();
      return;
    }
    // Never answered; close() destroys the socket with the rest.
    if (action.kind === "hang") return;
    if (action.kind === "status") {
      const headers: Record<string, string> = {};
      const details =
        action.retryAfterSeconds !== undefined ? { retryAfterSeconds: action.retryAfterSeconds } : undefined;
      if (action.retryAfterSeconds !== undefined) headers["Retry-After"] = String(action.retryAfterSeconds);
      const message =
        action.message ?? (action.status === 429 ? "Too many requests, please try again later." : "injected fault");
      throw new StatusError(failure(action.status, message, undefined, details), headers);
    }

    if (routeError) throw routeError;
    if (route && !acceptsJson(req.headers.accept)) {
      throw statusError(
        406,
        `the sandbox answers in application/json only (the request accepts "${req.headers.accept}")`,
        "NotAcceptable",
      );
    }
    if (route) return this.handleResource(req, res, route, method, q, watch);
    if (isResourcePath) throw NOT_FOUND_PATH();
    return this.handleNonResource(req, res, path, segments, method);
  }

  private async handleNodeProxy(res: ServerResponse, path: string, segments: string[], method: string) {
    const name = decodeURIComponent(segments[3]);
    this.requests.push({
      verb: method === "GET" ? "get" : (method.toLowerCase() as RequestVerb),
      group: "",
      version: "v1",
      resource: "nodes",
      subresource: "proxy",
      name,
      path,
      method,
    });
    const action = this.faults.decide({ method, path, verb: "get", resource: "nodes", subresource: "proxy" });
    if (action.latencyMs > 0) await new Promise((r) => setTimeout(r, action.latencyMs));
    if (action.kind === "drop") {
      res.socket?.destroy();
      return;
    }
    if (action.kind === "status") throw new StatusError(failure(action.status, action.message ?? "injected fault"));
    if (method !== "GET") {
      throw statusError(405, "the sandbox's node proxy only answers GET", "MethodNotAllowed");
    }
    const nodeInfo = this.store.registry.byKind("v1", "Node");
    const node = nodeInfo ? this.store.getEntry(nodeInfo, "", name)?.obj : undefined;
    const answer = nodeProxyAnswer(this.nodeProxy, node, name, segments.slice(5).join("/"));
    sendText(res, answer.code, answer.body, answer.contentType);
  }

  private handleNonResource(req: IncomingMessage, res: ServerResponse, path: string, seg: string[], method: string) {
    if (method !== "GET" && method !== "HEAD") {
      throw statusError(405, `the server does not allow this method on the requested resource`, "MethodNotAllowed");
    }
    const registry = this.store.registry;
    if (path === "/version") return sendJson(res, 200, versionInfo(this.serverVersion));
    if (path === "/healthz" || path === "/livez" || path === "/readyz" || /^\/(healthz|livez|readyz)\//.test(path)) {
      return sendText(res, 200, "ok", "text/plain; charset=utf-8");
    }
    if (path === "/metrics") return sendText(res, 200, this.config.metrics, "text/plain; version=0.0.4; charset=utf-8");
    if (path === "/api") return sendJson(res, 200, apiVersions(req.headers.host ?? `127.0.0.1:${this.port}`));
    if (path === "/apis") return sendJson(res, 200, apiGroupList(registry));
    if (seg[0] === "api" && seg.length === 2) {
      const doc = apiResourceList(registry, seg[1]);
      if (doc) return sendJson(res, 200, doc);
    }
    if (seg[0] === "apis" && seg.length === 2) {
      const doc = apiGroupDoc(registry, seg[1]);
      if (doc) return sendJson(res, 200, doc);
    }
    if (seg[0] === "apis" && seg.length === 3) {
      const doc = apiResourceList(registry, `${seg[1]}/${seg[2]}`);
      if (doc) return sendJson(res, 200, doc);
    }
    if (path === "/openapi/v2") {
      // client-go asks for v2 as protobuf only (a fallback when /openapi/v3 lacks a group version);
      // JSON would fail its parse with a baffling "invalid wire-format data", so say what is wrong.
      if (!acceptsJson(req.headers.accept)) {
        throw statusError(
          406,
          `the sandbox serves /openapi/v2 as application/json only (the request accepts "${req.headers.accept}"); /openapi/v3 lists every served group version`,
          "NotAcceptable",
        );
      }
      return sendJson(res, 200, openApiV2(registry, this.serverVersion));
    }
    if (path === "/openapi/v3") return sendJson(res, 200, openApiV3Root(registry));
    if (seg[0] === "openapi" && seg[1] === "v3" && seg.length >= 3) {
      const doc = openApiV3Doc(registry, seg.slice(2).join("/"));
      if (doc) return sendJson(res, 200, doc);
    }
    throw NOT_FOUND_PATH();
  }

  /** /api/v1/... or /apis/{group}/{version}/... to a resource, namespace, name and subresource. */
  private route(seg: string[]): { route: ResourceRoute; watch: boolean } {
    const core = seg[0] === "api";
    const group = core ? "" : seg[1];
    const version = core ? seg[1] : seg[2];
    let rest = seg.slice(core ? 2 : 3);
    let watch = false;
    if (rest[0] === "watch") {
      watch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    // "namespaces/{ns}/{resource}..." unless it is the Namespace object's own subresource.
    if (rest[0] === "namespaces" && rest.length >= 3 && rest[2] !== "status" && rest[2] !== "finalize") {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource, ...extra] = rest;
    const info = this.store.registry.byResource(group, version, plural);
    if (!info || extra.length > 0) throw NOT_FOUND_PATH();
    if (namespace !== undefined && !info.namespaced) throw NOT_FOUND_PATH();
    if (subresource !== undefined && !(subresource === "status" && info.statusSubresource)) throw NOT_FOUND_PATH();
    return { route: { info, namespace, name, subresource }, watch };
  }

  private async handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    method: string,
    q: URLSearchParams,
    watch: boolean,
  ): Promise<void> {
    const { info, name } = route;
    if (name === undefined) {
      if (method === "GET" && watch) return this.watchCollection(req, res, route, q);
      if (method === "GET") return this.list(req, res, route, q);
      if (method === "POST")
        return this.create(res, route, decodeObjectBody(await readBody(req), contentTypeOf(req)), q);
      if (method === "DELETE") return this.deleteCollection(res, route, q);
    } else {
      if (method === "GET" && watch) {
        return this.watchCollection(req, res, { ...route, name: undefined }, q, name);
      }
      if (method === "GET") return this.get(req, res, route);
      if (method === "PUT")
        return this.update(res, route, decodeObjectBody(await readBody(req), contentTypeOf(req)), q);
      if (method === "PATCH") return this.patch(req, res, route, await readBody(req), q);
      if (method === "DELETE") return this.delete(res, route, deleteOptionsOf(await readBody(req), req), q);
    }
    throw statusError(
      405,
      `the server does not allow this method on the requested resource (${method} ${info.plural})`,
      "MethodNotAllowed",
    );
  }

  // ---------------------------------------------------------------- reads

  private encodeEntry(info: ResourceInfo, entry: StoredEntry): string {
    const gv = groupVersionOf(info);
    return entry.obj.apiVersion === gv ? entry.json : JSON.stringify({ ...entry.obj, apiVersion: gv });
  }

  private matcherFor(route: ResourceRoute, q: URLSearchParams, nameFromPath?: string): Matcher {
    const custom = !this.isBuiltin(route.info);
    let labels: Matcher | undefined;
    let fields: Matcher | undefined;
    try {
      labels = parseLabelSelector(q.get("labelSelector") ?? "");
      const fieldSel = [q.get("fieldSelector") ?? "", nameFromPath ? `metadata.name=${nameFromPath}` : ""]
        .filter((s) => s !== "")
        .join(",");
      fields = parseFieldSelector(fieldSel, route.info.kind, custom);
    } catch (err) {
      if (err instanceof SelectorError) throw statusError(400, err.message, "BadRequest");
      throw err;
    }
    if (!labels && !fields) return () => true;
    return (o) => (!labels || labels(o)) && (!fields || fields(o));
  }

  private isBuiltin(info: ResourceInfo): boolean {
    return !info.group.includes(".") || info.group.endsWith(".k8s.io");
  }

  private list(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams) {
    const { info, namespace } = route;
    const match = this.matcherFor(route, q);
    const filtered = Boolean(q.get("labelSelector") || q.get("fieldSelector"));
    const limitParam = q.get("limit");
    const limit = limitParam ? Number(limitParam) : 0;
    if (!Number.isInteger(limit) || limit < 0)
      throw statusError(400, `limit: expected a non-negative integer, got "${limitParam}"`);

    let listRv = this.store.currentRv;
    let afterKey: string | undefined;
    const token = q.get("continue");
    if (token) {
      const decoded = decodeContinue(token);
      if (decoded.rv < this.store.oldestRv) throw statusError(410, EXPIRED_CONTINUE_MESSAGE, "Expired");
      listRv = decoded.rv;
      afterKey = decoded.start;
    }

    const page: StoredEntry[] = [];
    let more = false;
    this.store.scan(info, namespace, afterKey, (e) => {
      if (!match(e.obj)) return true;
      if (limit > 0 && page.length === limit) {
        more = true;
        return false;
      }
      page.push(e);
      return true;
    });

    const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
    if (more) {
      const last = page[page.length - 1].key;
      metadata.continue = encodeContinue(listRv, last);
      if (!filtered) metadata.remainingItemCount = this.store.countAfter(info, namespace, last);
    }

    const table = tableRequest(req);
    if (table) {
      const objs = page.map((e) => (table.include === "None" ? e.obj : JSON.parse(this.encodeEntry(info, e))));
      return sendJson(res, 200, renderTable(info, objs, table.include, table.apiVersion, metadata));
    }
    // Built by concatenation from each object's cached JSON: a page costs only its own objects.
    const gv = groupVersionOf(info);
    let body = `{"kind":"${info.kind}List","apiVersion":"${gv}","metadata":${JSON.stringify(metadata)},"items":[`;
    for (let i = 0; i < page.length; i++) body += (i ? "," : "") + this.encodeEntry(info, page[i]);
    body += "]}";
    sendText(res, 200, body, "application/json");
  }

  private get(req: IncomingMessage, res: ServerResponse, route: ResourceRoute) {
    const entry = this.mustGet(route);
    // Metadata-only (what client-go's metadata client asks for): the object's payload (a
    // Secret's data) never leaves the server.
    if (/as=PartialObjectMetadata;(g=meta\.k8s\.io;v=v1|v=v1;g=meta\.k8s\.io)(,|;|$)/.test(req.headers.accept ?? "")) {
      const { metadata } = JSON.parse(this.encodeEntry(route.info, entry)) as KubeObject;
      return sendJson(res, 200, { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata });
    }
    const table = tableRequest(req);
    if (table) {
      const obj = JSON.parse(this.encodeEntry(route.info, entry));
      return sendJson(
        res,
        200,
        renderTable(route.info, [obj], table.include, table.apiVersion, { resourceVersion: String(entry.rv) }),
      );
    }
    sendText(res, 200, this.encodeEntry(route.info, entry), "application/json");
  }

  private watchCollection(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    q: URLSearchParams,
    name?: string,
  ): void {
    const { info } = route;
    const match = this.matcherFor(route, q, name);
    const timeoutParam = q.get("timeoutSeconds");
    const timeoutSeconds = timeoutParam ? Number(timeoutParam) : undefined;
    if (timeoutSeconds !== undefined && (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)) {
      throw statusError(400, `timeoutSeconds: expected a non-negative number, got "${timeoutParam}"`);
    }
    const table = tableRequest(req);
    this.watches.serve(res, {
      info,
      namespace: route.namespace,
      match,
      resourceVersion: q.get("resourceVersion") ?? undefined,
      timeoutSeconds,
      sendInitialEvents: q.get("sendInitialEvents") === "true",
      allowBookmarks: q.get("allowWatchBookmarks") === "true",
      encode: (type, entry, first) => {
        if (!table || type === "BOOKMARK") return type === "BOOKMARK" ? entry.json : this.encodeEntry(info, entry);
        const obj = JSON.parse(this.encodeEntry(info, entry));
        return JSON.stringify(
          renderTable(info, [obj], table.include, table.apiVersion, { resourceVersion: String(entry.rv) }, first),
        );
      },
    });
  }

  private mustGet(route: ResourceRoute): StoredEntry {
    const entry = this.store.getEntry(route.info, route.namespace ?? "", route.name ?? "");
    if (!entry) throw notFound(route.info, route.name ?? "");
    return entry;
  }

  // ---------------------------------------------------------------- writes

  private checkBody(route: ResourceRoute, body: unknown): KubeObject {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw statusError(400, "the request body must be a Kubernetes object (a JSON or YAML mapping)");
    }
    const obj = body as KubeObject;
    const { info } = route;
    if (obj.kind !== undefined && obj.kind !== info.kind) {
      throw statusError(
        400,
        `the kind in the body (${obj.kind}) does not match the resource (${info.plural} is ${info.kind})`,
      );
    }
    if (obj.apiVersion !== undefined && splitApiVersion(obj.apiVersion).group !== info.group) {
      throw statusError(
        400,
        `the API version in the body (${obj.apiVersion}) does not match the resource's group "${info.group}"`,
      );
    }
    const bodyNs = obj.metadata?.namespace;
    if (info.namespaced && bodyNs && route.namespace !== undefined && bodyNs !== route.namespace) {
      throw statusError(400, "the namespace of the provided object does not match the namespace sent on the request");
    }
    if (route.name !== undefined && obj.metadata?.name && obj.metadata.name !== route.name) {
      throw statusError(
        400,
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${route.name})`,
      );
    }
    return obj;
  }

  private create(res: ServerResponse, route: ResourceRoute, body: unknown, q: URLSearchParams) {
    const { info } = route;
    if (info.namespaced && route.namespace === undefined) {
      throw statusError(404, "the server could not find the requested resource (create needs a namespace in the path)");
    }
    const obj = structuredClone(this.checkBody(route, body));
    const meta = { ...obj.metadata };
    if (!meta.name && typeof meta.generateName === "string" && meta.generateName) {
      meta.name = `${meta.generateName}${randomBytes(4).toString("hex").slice(0, 5)}`;
    }
    if (!meta.name) {
      throw statusError(
        422,
        `${info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
        "Invalid",
        {
          kind: info.kind,
          causes: [
            {
              reason: "FieldValueRequired",
              message: "Required value: name or generateName is required",
              field: "metadata.name",
            },
          ],
        },
      );
    }
    const namespace = info.namespaced ? (route.namespace as string) : "";
    if (info.namespaced) this.requireNamespace(namespace);
    if (this.store.getEntry(info, namespace, meta.name)) throw alreadyExists(info, meta.name);
    const created = this.prepareNew(info, obj, meta, namespace);
    if (q.get("dryRun") === "All") return sendJson(res, 201, created);
    const entry = this.store.write(info, created);
    this.controllers.onApiWrite(info, entry, undefined);
    sendText(res, 201, this.encodeEntry(info, entry), "application/json");
  }

  private prepareNew(
    info: ResourceInfo,
    obj: KubeObject,
    meta: KubeObject["metadata"] & object,
    namespace: string,
  ): KubeObject {
    const { resourceVersion: _rv, deletionTimestamp: _dt, ...rest } = meta;
    const out: KubeObject = {
      ...obj,
      apiVersion: groupVersionOf(info),
      kind: info.kind,
      metadata: { ...rest, uid: randomUUID(), creationTimestamp: nowTimestamp(), generation: 1 },
    };
    if (info.namespaced) out.metadata!.namespace = namespace;
    else delete out.metadata!.namespace;
    // A status sent on create is dropped where a status subresource owns it; the registry's
    // PrepareForCreate starts it over (kubernetes pkg/registry/*/strategy.go PrepareForCreate).
    if (info.statusSubresource) {
      delete out.status;
      const initial = INITIAL_STATUS[`${info.group}/${info.kind}`];
      if (initial) out.status = structuredClone(initial);
    }
    if (isService(info)) this.services.onCreate(out);
    if (isCrd(info)) out.status = crdStatusAfterWrite(out, undefined);
    applyDefaults(info, out);
    return out;
  }

  private requireNamespace(namespace: string): void {
    const nsInfo = this.store.registry.byKind("v1", "Namespace");
    if (nsInfo && !this.store.getEntry(nsInfo, "", namespace))
      throw notFound({ group: "", plural: "namespaces" }, namespace);
  }

  private update(res: ServerResponse, route: ResourceRoute, body: unknown, q: URLSearchParams): void {
    const existing = this.mustGet(route);
    const obj = this.checkBody(route, body);
    const rv = obj.metadata?.resourceVersion;
    if (rv && rv !== String(existing.rv)) throw conflict(route.info, existing.name);
    this.commit(res, route, existing, obj, q, 200);
  }

  /** Writes `next` over `existing` the way the real registry does, then answers with the stored object. */
  private commit(
    res: ServerResponse,
    route: ResourceRoute,
    existing: StoredEntry,
    next: KubeObject,
    q: URLSearchParams,
    code: number,
  ) {
    const { info } = route;
    const old = existing.obj;
    let merged: KubeObject;
    if (route.subresource === "status") {
      merged = { ...structuredClone(old), status: structuredClone(next.status) };
    } else {
      merged = structuredClone(next);
      if (info.statusSubresource) {
        if (old.status === undefined) delete merged.status;
        else merged.status = structuredClone(old.status);
      }
      merged.metadata = {
        ...merged.metadata,
        name: existing.name,
        uid: old.metadata?.uid,
        creationTimestamp: old.metadata?.creationTimestamp,
        generation: old.metadata?.generation,
      };
      if (info.namespaced) merged.metadata.namespace = existing.namespace;
      else delete merged.metadata.namespace;
      if (isService(info)) this.services.onUpdate(merged, old);
      if (isCrd(info)) merged.status = crdStatusAfterWrite(merged, old.status);
      applyDefaults(info, merged);
    }
    merged.apiVersion = old.apiVersion ?? groupVersionOf(info);
    merged.kind = info.kind;
    merged.metadata!.resourceVersion = String(existing.rv);
    if (specOf(merged) !== specOf(old)) {
      merged.metadata!.generation = (typeof old.metadata?.generation === "number" ? old.metadata.generation : 1) + 1;
    }
    // A write that changes nothing is not a write: no new resourceVersion, no watch event.
    if (JSON.stringify(merged) === existing.json || q.get("dryRun") === "All") {
      return sendJson(
        res,
        code,
        JSON.parse(this.encodeEntry(info, { ...existing, obj: merged, json: JSON.stringify(merged) })),
      );
    }
    const entry = this.store.write(info, merged);
    if (route.subresource !== "status") this.controllers.onApiWrite(info, entry, existing);
    sendText(res, code, this.encodeEntry(info, entry), "application/json");
  }

  private patch(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, raw: Buffer, q: URLSearchParams) {
    const contentType = contentTypeOf(req).split(";")[0].trim();
    const { info } = route;
    let patchBody: unknown;
    try {
      patchBody =
        contentType === "application/apply-patch+yaml"
          ? parseYaml(raw.toString("utf8"))
          : JSON.parse(raw.toString("utf8"));
    } catch (err) {
      throw statusError(
        400,
        `the patch body could not be decoded as ${contentType || "JSON"}: ${(err as Error).message}`,
      );
    }
    const existing = this.store.getEntry(info, route.namespace ?? "", route.name ?? "");

    if (contentType === "application/apply-patch+yaml") {
      if (!q.get("fieldManager")) {
        throw statusError(
          422,
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          "Invalid",
        );
      }
      const applied = this.checkBody(route, patchBody);
      if (!applied.apiVersion || !applied.kind) throw statusError(400, "an apply patch needs apiVersion and kind");
      if (!existing) {
        if (route.subresource === "status") throw notFound(info, route.name ?? "");
        return this.create(
          res,
          { ...route, name: undefined },
          { ...applied, metadata: { ...applied.metadata, name: route.name } },
          q,
        );
      }
      const rv = applied.metadata?.resourceVersion;
      if (rv && rv !== String(existing.rv)) throw conflict(info, existing.name);
      return this.commit(res, route, existing, strategicMergePatch(existing.obj, applied), q, 200);
    }

    if (!existing) throw notFound(info, route.name ?? "");
    let patched: KubeObject;
    try {
      if (contentType === "application/merge-patch+json") patched = mergePatch(existing.obj, patchBody);
      else if (contentType === "application/strategic-merge-patch+json") {
        if (!this.isBuiltin(info)) {
          throw statusError(
            415,
            `strategic merge patch is not supported for custom resources (${info.plural}.${info.group}); use a merge patch`,
            "UnsupportedMediaType",
          );
        }
        patched = strategicMergePatch(existing.obj, patchBody);
      } else if (contentType === "application/json-patch+json") patched = jsonPatch(existing.obj, patchBody);
      else {
        throw statusError(
          415,
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got "${contentType}")`,
          "UnsupportedMediaType",
        );
      }
    } catch (err) {
      if (err instanceof PatchError) throw statusError(422, err.message, "Invalid");
      throw err;
    }
    if (typeof patched !== "object" || patched === null || Array.isArray(patched)) {
      throw statusError(422, "the patch turned the object into something that is not an object", "Invalid");
    }
    const rv = patched.metadata?.resourceVersion;
    if (rv && rv !== String(existing.rv)) throw conflict(info, existing.name);
    this.checkBody(route, patched);
    this.commit(res, route, existing, patched, q, 200);
  }

  private delete(res: ServerResponse, route: ResourceRoute, options: DeleteOptions, q: URLSearchParams): void {
    if (route.subresource)
      throw statusError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
    const existing = this.mustGet(route);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== existing.obj.metadata?.uid) {
      throw conflictStatus(
        route.info,
        existing.name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.obj.metadata?.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(existing.rv)) {
      throw conflictStatus(
        route.info,
        existing.name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.rv}`,
      );
    }
    if (q.get("dryRun") === "All" || options.dryRun?.includes("All")) {
      sendText(res, 200, this.encodeEntry(route.info, existing), "application/json");
      return;
    }
    const deleted = this.store.delete(route.info, existing.namespace, existing.name);
    if (isService(route.info)) this.services.onDelete(existing.obj);
    if (deleted) this.controllers.onApiDelete(route.info, deleted);
    sendText(res, 200, this.encodeEntry(route.info, deleted ?? existing), "application/json");
  }

  private deleteCollection(res: ServerResponse, route: ResourceRoute, q: URLSearchParams): void {
    const { info, namespace } = route;
    const match = this.matcherFor(route, q);
    const victims: StoredEntry[] = [];
    this.store.scan(info, namespace, undefined, (e) => {
      if (match(e.obj)) victims.push(e);
      return true;
    });
    const items = victims.map((v) => {
      if (isService(info)) this.services.onDelete(v.obj);
      const deleted = this.store.delete(info, v.namespace, v.name);
      if (deleted) this.controllers.onApiDelete(info, deleted);
      return deleted ?? v;
    });
    const gv = groupVersionOf(info);
    const body = `{"kind":"${info.kind}List","apiVersion":"${gv}","metadata":{"resourceVersion":"${this.store.currentRv}"},"items":[${items
      .map((e) => this.encodeEntry(info, e))
      .join(",")}]}`;
    sendText(res, 200, body, "application/json");
  }

  // ---------------------------------------------------------------- responses

  private sendError(res: ServerResponse, err: unknown) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof StatusError) {
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      return sendJson(res, err.status.code, err.status);
    }
    sendJson(
      res,
      500,
      failure(500, `sandbox internal error: ${(err as Error)?.message ?? String(err)}`, "InternalError"),
    );
  }
}

/** What PrepareForCreate leaves in status for the kinds whose status it does not simply clear. */
const INITIAL_STATUS: Record<string, Record<string, unknown>> = {
  "/Pod": { phase: "Pending" },
  "/Namespace": { phase: "Active" },
  "/PersistentVolumeClaim": { phase: "Pending" },
  "/PersistentVolume": { phase: "Pending" },
};

function isCrd(info: ResourceInfo): boolean {
  return info.group === "apiextensions.k8s.io" && info.kind === "CustomResourceDefinition";
}

function isService(info: ResourceInfo): boolean {
  return info.group === "" && info.kind === "Service";
}

function verbOf(method: string, route: ResourceRoute | undefined, watch: boolean): RequestVerb {
  const collection = route?.name === undefined;
  switch (method) {
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return route && collection ? "deletecollection" : "delete";
    default:
      if (watch) return "watch";
      return route && collection ? "list" : "get";
  }
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

function tableRequest(req: IncomingMessage): { apiVersion: string; include: IncludeObject } | undefined {
  const accept = req.headers.accept ?? "";
  if (!accept.includes("as=Table")) return undefined;
  const wantsV1 = /as=Table;v=v1;g=meta\.k8s\.io|as=Table;g=meta\.k8s\.io;v=v1(,|;|$)/.test(accept);
  const url = new URL(req.url ?? "/", "http://sandbox");
  const param = url.searchParams.get("includeObject");
  const include: IncludeObject = param === "None" ? "None" : param === "Object" ? "Object" : "Metadata";
  return { apiVersion: wantsV1 ? "meta.k8s.io/v1" : "meta.k8s.io/v1beta1", include };
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64url");
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof parsed.rv === "number" && typeof parsed.start === "string") return parsed;
  } catch {
    // fall through to the BadRequest below
  }
  throw statusError(400, "continue key is not valid: expected a token returned by a previous list", "BadRequest");
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw statusError(413, "request entity too large", "RequestEntityTooLarge");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

/** The optional DeleteOptions body of a DELETE (JSON, or protobuf from client-go's typed clients). */
function deleteOptionsOf(raw: Buffer, req: IncomingMessage): DeleteOptions {
  if (raw.length === 0) return {};
  const body = decodeObjectBody(raw, contentTypeOf(req));
  if (typeof body !== "object" || body === null || Array.isArray(body)) return {};
  const kind = (body as { kind?: unknown }).kind;
  if (kind !== undefined && kind !== "DeleteOptions") {
    throw statusError(400, `a DELETE body must be DeleteOptions, got ${String(kind)}`, "BadRequest");
  }
  return body as DeleteOptions;
}

function contentTypeOf(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").toLowerCase();
}

function sendText(res: ServerResponse, code: number, body: string, contentType: string): void {
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  sendText(res, code, JSON.stringify(body), "application/json");
}

/** Parses a body read by readBody for create/update/delete: JSON, YAML or Kubernetes protobuf, as the client says. */
export function decodeObjectBody(raw: Buffer, contentType: string): unknown {
  if (contentType.includes(PROTOBUF_MEDIA_TYPE)) return decodeProtobufBody(raw).object;
  const text = raw.toString("utf8");
  try {
    return contentType.includes("yaml") ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw statusError(400, `the request body could not be decoded: ${(err as Error).message}`);
  }
}
