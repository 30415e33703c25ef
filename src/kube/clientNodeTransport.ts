// GETs through @kubernetes/client-node's authentication and transport: every kubeconfig it
// understands (tokens, token files, client certificates, exec plugins, auth providers, proxies,
// in-cluster ServiceAccounts).
//
// Connections are kept alive across requests. client-node makes a new undici Agent, so a new TCP
// (and TLS) connection, for every request whose kubeconfig names any TLS setting (a CA, a client
// certificate, insecure-skip-tls-verify): a preflight read of 100 pages paid 100 handshakes. Here
// the Agent is kept while the TLS material stays the same (tokens and headers are still fetched
// per request, so exec plugins and token files refresh as before); new material, such as a
// rotated client certificate from an exec plugin, gets a new Agent.
import type { RequestOptions } from "node:https";
import { HttpMethod, IsomorphicFetchHttpLibrary, type KubeConfig, RequestContext } from "@kubernetes/client-node";
import type { ClusterTransport } from "./clusterClient.ts";

type Dispatcher = ReturnType<RequestContext["getDispatcher"]>;

export class ClientNodeTransport implements ClusterTransport {
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly http = new IsomorphicFetchHttpLibrary();
  /** The kept-alive Agent and the TLS material it was made for (undefined: undici's global one). */
  private transport?: { tls: string; dispatcher: Promise<Dispatcher> };

  constructor(name: string, kc: KubeConfig) {
    this.kc = kc;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig context ${name} has no cluster`);
    this.server = cluster.server.replace(/\/+$/, "");
  }

  async get(url: URL, headers: Record<string, string>, signal: AbortSignal) {
    const ctx = new RequestContext(url.origin + url.pathname, HttpMethod.GET);
    for (const [k, v] of url.searchParams) ctx.setQueryParam(k, v);
    for (const [k, v] of Object.entries(headers)) ctx.setHeaderParam(k, v);
    ctx.setSignal(signal);
    await this.authenticate(ctx);
    const response = await this.http.send(ctx).toPromise();
    return { status: response.httpStatusCode, body: await response.body.text() };
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

  async close(): Promise<void> {
    const dispatcher = await this.transport?.dispatcher.catch(() => undefined);
    this.transport = undefined;
    await dispatcher?.close();
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
