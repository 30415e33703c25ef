// Read access to one cluster (one kubeconfig context). Lists return the API server's JSON as is:
// the generated model classes of client-node drop fields they do not know and turn timestamps
// into Dates, and checks must see objects exactly as stored. How a request reaches the server is a
// ClusterTransport: client-node's (every kubeconfig: exec plugins, auth providers, proxies,
// in-cluster) in clientNodeTransport.ts, or node:https for a kubeconfig of static credentials
// (httpsTransport.ts), which spares `upshift check` loading client-node's 900 modules.
import { CheckDeadlineError, type HungCall } from "../errors/checkDeadlineError.ts";
import { ClusterAccessError } from "../errors/clusterAccessError.ts";
import type { KubeObject, ResourceDef } from "./resources.ts";

export interface ClusterClientOptions {
  /** Per-request timeout. Every call to the API server has one. */
  timeoutMs?: number;
  /** Page size for lists; the API server's own default chunking is 500 for kubectl. */
  pageSize?: number;
}

/** A deadline over many requests (a whole check): when it fires, every call still waiting fails. */
export interface Deadline {
  signal: AbortSignal;
  /** For the message: how long the whole run was given. */
  ms: number;
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

/** One GET to the API server, authenticated; connections kept alive between requests. */
export interface ClusterTransport {
  /** The server URL without a trailing slash. */
  readonly server: string;
  get(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export class ClusterClient {
  readonly name: string;
  readonly server: string;
  private readonly transport: ClusterTransport;
  private readonly timeoutMs: number;
  readonly pageSize: number;
  private readonly deadline?: Deadline;
  /** Calls waiting for an answer now (names as in error messages), for the deadline's message. */
  private readonly waiting = new Set<{ attempted: string; since: number }>();
  private hungAtDeadline?: HungCall[];

  constructor(name: string, transport: ClusterTransport, opts: ClusterClientOptions & { deadline?: Deadline } = {}) {
    this.name = name;
    this.transport = transport;
    this.server = transport.server;
    this.deadline = opts.deadline;
    // Taken when the deadline fires, before the aborted calls leave `waiting`: every error then
    // names the same calls, whichever of them is reported.
    opts.deadline?.signal.addEventListener(
      "abort",
      () =>
        (this.hungAtDeadline = [...this.waiting].map((w) => ({
          attempted: w.attempted,
          waitedMs: Date.now() - w.since,
        }))),
      { once: true },
    );
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.pageSize = opts.pageSize ?? 500;
  }

  /** The same cluster, with every request also bounded by `deadline` (one per check run). */
  withDeadline(deadline: Deadline): ClusterClient {
    // Same transport (and its kept-alive connections); only the deadline is new.
    return new ClusterClient(this.name, this.transport, {
      timeoutMs: this.timeoutMs,
      pageSize: this.pageSize,
      deadline,
    });
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
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const perRequest = AbortSignal.timeout(this.timeoutMs);
    const signal = this.deadline ? AbortSignal.any([perRequest, this.deadline.signal]) : perRequest;
    let status: number;
    let body: string;
    const call = { attempted, since: Date.now() };
    this.waiting.add(call);
    try {
      // Already past (a retry or a taken-over job that began late): time ran out, nothing hung.
      if (this.deadline?.signal.aborted) throw this.deadlineError([]);
      ({ status, body } = await this.transport.get(url, { Accept: accept, "User-Agent": "upshift" }, signal));
    } catch (err) {
      if (err instanceof CheckDeadlineError) throw err;
      if (this.deadline?.signal.aborted)
        throw this.deadlineError(this.hungAtDeadline ?? [{ attempted, waitedMs: Date.now() - call.since }]);
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
    } finally {
      this.waiting.delete(call);
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

  private deadlineError(hung: HungCall[]): CheckDeadlineError {
    return new CheckDeadlineError({ cluster: this.name, deadlineMs: this.deadline?.ms ?? 0, hung });
  }

  /** Closes kept-alive connections (a long-running process dropping a cluster). */
  async close(): Promise<void> {
    await this.transport.close();
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
    let page = 1;
    do {
      // Past the first page the name says which page: a server that hangs on page 3 is told apart.
      const list = await this.getJson<{
        items?: KubeObject[];
        metadata?: { continue?: string; resourceVersion?: string };
      }>(
        path,
        {
          limit: String(this.pageSize),
          continue: token,
          labelSelector: [def.labelSelector, opts.labelSelector].filter(Boolean).join(",") || undefined,
          fieldSelector: [def.fieldSelector, opts.fieldSelector].filter(Boolean).join(",") || undefined,
        },
        page > 1 ? `${attempted}, page ${page}` : attempted,
      );
      page++;
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

  /**
   * Whether one object exists, asked for metadata only (PartialObjectMetadata, as client-go's
   * metadata client does: k8s.io/client-go/metadata): the API server answers without the
   * object's payload, so a Secret's data never reaches Upshift. 404 is false; a 403 throws.
   */
  async exists(def: ResourceDef, namespace: string, name: string): Promise<boolean> {
    const attempted = `get ${def.plural} ${namespace}/${name} (metadata only)`;
    try {
      await this.getText(
        resourcePath(def, namespace, name),
        {},
        attempted,
        "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json",
      );
      return true;
    } catch (err) {
      if (err instanceof ClusterAccessError && err.status === 404) return false;
      throw err;
    }
  }

  async listAll(def: ResourceDef, opts: ListOptions = {}): Promise<KubeObject[]> {
    const all: KubeObject[] = [];
    for await (const page of this.listPages(def, opts)) for (const o of page.items) all.push(o);
    return all;
  }
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
