// Read access to one cluster (one kubeconfig context) through @kubernetes/client-node's
// transport and authentication (tokens, client certs, exec plugins, in-cluster config).
// Lists return the API server's JSON as is: the generated model classes drop fields they do
// not know and turn timestamps into Dates, and checks must see objects exactly as stored.
//
// Connections are kept alive across requests. client-node makes a new undici Agent, so a new TCP
// (and TLS) connection, for every request whose kubeconfig names any TLS setting (a CA, a client
// certificate, insecure-skip-tls-verify): a preflight read of 100 pages paid 100 handshakes. Here
// the Agent is kept while the TLS material stays the same (tokens and headers are still fetched
// per request, so exec plugins and token files refresh as before); new material, such as a
// rotated client certificate from an exec plugin, gets a new Agent and the old one is closed.
import type { RequestOptions } from "node:https";
import { HttpMethod, IsomorphicFetchHttpLibrary, type KubeConfig, RequestContext } from "@kubernetes/client-node";
import { ClusterAccessError } from "../errors/clusterAccessError.ts";
import type { KubeObject, ResourceDef } from "./resources.ts";

export interface ClusterClientOptions {
  /** Per-request timeout. Every call to the API server has one. */
  timeoutMs?: number;
  /** Page size for lists; the API server's own default chunking is 500 for kubectl. */
  pageSize?: number;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion?: string;
}

export class ClusterClient {
  readonly name: string;
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly timeoutMs: number;
  readonly pageSize: number;
  /** The kept-alive Agent and the TLS material it was made for (undefined: undici's global one). */
  private transport?: { tls: string; dispatcher: Promise<ReturnType<RequestContext["getDispatcher"]>> };

  constructor(name: string, kc: KubeConfig, opts: ClusterClientOptions = {}) {
    this.name = name;
    this.kc = kc;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig context ${name} has no cluster`);
    this.server = cluster.server.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.pageSize = opts.pageSize ?? 500;
  }

  /** GET a path and parse JSON. `attempted` names the action for error messages. */
  async getJson<T>(path: string, query: Record<string, string | undefined>, attempted: string): Promise<T> {
    const text = await this.getText(path, query, attempted, "application/json");
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ClusterAccessError({
        cluster: this.name,
        transient: false,
        attempted,
        detail: "response was not JSON",
      });
    }
  }

  async getText(
    path: string,
    query: Record<string, string | undefined>,
    attempted: string,
    accept = "*/*",
  ): Promise<string> {
    const ctx = new RequestContext(this.server + path, HttpMethod.GET);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) ctx.setQueryParam(k, v);
    ctx.setHeaderParam("Accept", accept);
    ctx.setHeaderParam("User-Agent", "upshift");
    ctx.setSignal(AbortSignal.timeout(this.timeoutMs));
    let status: number;
    let body: string;
    try {
      await this.authenticate(ctx);
      const response = await this.http.send(ctx).toPromise();
      status = response.httpStatusCode;
      body = await response.body.text();
    } catch (err) {
      const e = err as Error;
      const timedOut = e.name === "TimeoutError" || e.name === "AbortError";
      throw new ClusterAccessError({
        cluster: this.name,
        transient: true,
        attempted,
        detail: timedOut
          ? `no answer within ${this.timeoutMs} ms`
          : `${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ""}`,
      });
    }
    if (status >= 200 && status < 300) return body;
    let detail = body.slice(0, 300);
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) detail = parsed.message;
    } catch {
      // not a Status body; keep the raw text
    }
    const transient = status === 429 || status >= 500;
    throw new ClusterAccessError({ cluster: this.name, status, transient, attempted, detail });
  }

  /**
   * Sets the request's auth headers (fresh each time) and a kept-alive dispatcher: what
   * client-node's applySecurityAuthentication does, except that the dispatcher is made once per
   * TLS material, and requests started together wait for the same one.
   */
  private async authenticate(ctx: RequestContext): Promise<void> {
    const opts: RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const tls = tlsFingerprint(opts);
    if (this.transport?.tls !== tls) {
      // New TLS material (or the first request): client-node builds its dispatcher on a probe
      // request. The one it replaces is not closed: a request started beside this one may still
      // use it, and its idle connections end by themselves (undici's keep-alive timeout).
      const probe = new RequestContext(this.server, HttpMethod.GET);
      const transport: NonNullable<typeof this.transport> = {
        tls,
        dispatcher: this.kc.applySecurityAuthentication(probe).then(
          () => probe.getDispatcher(),
          (err: unknown) => {
            if (this.transport === transport) this.transport = undefined; // the next request tries again
            throw err;
          },
        ),
      };
      this.transport = transport;
    }
    const dispatcher = await this.transport.dispatcher;
    // The headers applySecurityAuthentication sets: Basic auth, then the authenticator's.
    if (opts.auth) ctx.setHeaderParam("Authorization", `Basic ${Buffer.from(opts.auth).toString("base64")}`);
    for (const [key, value] of Object.entries(opts.headers ?? {})) ctx.setHeaderParam(key, `${value}`);
    if (dispatcher) ctx.setDispatcher(dispatcher);
  }

  /** Closes kept-alive connections (a long-running process dropping a cluster). */
  async close(): Promise<void> {
    const dispatcher = await this.transport?.dispatcher.catch(() => undefined);
    this.transport = undefined;
    await dispatcher?.close();
  }

  /** The API server's version, e.g. "v1.31.4". */
  async serverVersion(): Promise<string> {
    const v = await this.getJson<{ gitVersion?: string }>("/version", {}, "read /version");
    if (!v.gitVersion)
      throw new ClusterAccessError({
        cluster: this.name,
        transient: false,
        attempted: "read /version",
        detail: "no gitVersion in response",
      });
    return v.gitVersion;
  }

  /** Lists a resource page by page (limit/continue), yielding each page as it arrives. */
  async *listPages(def: ResourceDef, opts: ListOptions = {}): AsyncGenerator<ListPage> {
    const path = resourcePath(def, opts.namespace);
    const where = def.namespaced ? (opts.namespace ? `in namespace ${opts.namespace}` : "(all namespaces)") : "";
    const attempted =
      `list ${def.plural}${def.apiVersion.includes("/") ? `.${def.apiVersion.split("/")[0]}` : ""} ${where}`.trim();
    let token: string | undefined;
    do {
      const list = await this.getJson<{
        items?: KubeObject[];
        metadata?: { continue?: string; resourceVersion?: string };
      }>(
        path,
        {
          limit: String(this.pageSize),
          continue: token,
          labelSelector: [def.labelSelector, opts.labelSelector].filter(Boolean).join(",") || undefined,
          fieldSelector: opts.fieldSelector,
        },
        attempted,
      );
      // List items omit apiVersion/kind; restore them (in place: no second copy of a big page)
      // so findings can name objects.
      const items = list.items ?? [];
      for (const o of items) {
        o.apiVersion ??= def.apiVersion;
        o.kind ??= def.kind;
      }
      yield { items, resourceVersion: list.metadata?.resourceVersion };
      token = list.metadata?.continue || undefined;
    } while (token);
  }

  async listAll(def: ResourceDef, opts: ListOptions = {}): Promise<KubeObject[]> {
    const all: KubeObject[] = [];
    for await (const page of this.listPages(def, opts)) for (const o of page.items) all.push(o);
    return all;
  }
}

/** What a TLS connection is made with; equal strings can share one. */
function tlsFingerprint(opts: RequestOptions): string {
  const b = (v: unknown) =>
    v === undefined || v === null ? null : Buffer.isBuffer(v) ? v.toString("base64") : JSON.stringify(v);
  return JSON.stringify([
    b(opts.ca),
    b(opts.cert),
    b(opts.key),
    b(opts.pfx),
    b(opts.passphrase),
    opts.rejectUnauthorized ?? null,
    opts.servername ?? null,
  ]);
}

export function resourcePath(
  def: Pick<ResourceDef, "apiVersion" | "plural" | "namespaced">,
  namespace?: string,
  name?: string,
): string {
  const base = def.apiVersion.includes("/") ? `/apis/${def.apiVersion}` : `/api/${def.apiVersion}`;
  const ns = def.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${def.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}
