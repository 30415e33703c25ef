// One resource's list+watch loop through @kubernetes/client-node's Watch. It resumes from the last
// resourceVersion after a dropped stream, re-lists after 410 Gone, asks the server to end each
// watch after timeoutSeconds (and client-node aborts a stream silent for 30 s), so a half-open
// connection costs at most one timeout before the watch is re-established.
import { type KubeConfig, Watch } from "@kubernetes/client-node";
import { type ClusterClient, resourcePath } from "../kube/clusterClient.ts";
import type { KubeObject, ResourceDef } from "../kube/resources.ts";
import type { Logger } from "../log.ts";

export type StreamEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StreamHandlers {
  /** A full list: the first one ("initial") or after 410 Gone ("relist"). */
  onList(items: KubeObject[], resourceVersion: string, why: "initial" | "relist"): void;
  onEvent(type: StreamEventType, obj: KubeObject, resourceVersion: string): void;
}

export interface ResourceStreamOptions {
  /** Server-side watch timeout; the stream is re-opened from the last resourceVersion after it. */
  timeoutSeconds?: number;
  /** Resume point (after a takeover); undefined lists first. */
  resourceVersion?: string;
  maxBackoffMs?: number;
  logger?: Logger;
}

export class ResourceStream {
  readonly def: ResourceDef;
  private readonly client: ClusterClient;
  private readonly watch: Watch;
  private readonly handlers: StreamHandlers;
  private readonly timeoutSeconds: number;
  private readonly maxBackoffMs: number;
  private readonly log?: Logger;
  private rv?: string;
  private stopped = false;
  private controller?: AbortController;
  private loop?: Promise<void>;
  private wake?: () => void;
  private connectedOnce!: Promise<void>;
  private markConnected!: () => void;
  /** Counters for tests and the bench. */
  readonly stats = { lists: 0, relists: 0, watches: 0, errors: 0, events: 0 };

  constructor(
    def: ResourceDef,
    client: ClusterClient,
    kc: KubeConfig,
    handlers: StreamHandlers,
    opts: ResourceStreamOptions = {},
  ) {
    this.def = def;
    this.client = client;
    this.watch = new Watch(kc);
    this.handlers = handlers;
    this.timeoutSeconds = opts.timeoutSeconds ?? 25;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.log = opts.logger;
    this.rv = opts.resourceVersion || undefined;
    this.connectedOnce = new Promise((r) => {
      this.markConnected = r;
    });
  }

  get resourceVersion(): string | undefined {
    return this.rv;
  }

  /** Resolves once the first watch request has been answered (the stream is live). */
  connected(): Promise<void> {
    return this.connectedOnce;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = 500;
    let listedBefore = false;
    while (!this.stopped) {
      try {
        if (!this.rv) {
          const why = listedBefore || this.stats.watches > 0 ? "relist" : "initial";
          const { items, rv } = await this.list();
          if (this.stopped) return;
          listedBefore = true;
          this.rv = rv;
          this.handlers.onList(items, rv, why);
        }
        const outcome = await this.watchOnce(this.rv);
        if (outcome === "gone") {
          this.log?.info({ resource: this.def.plural, rv: this.rv }, "resourceVersion too old (410 Gone): re-listing");
          this.rv = undefined;
          this.stats.relists++;
        }
        backoff = 500;
      } catch (err) {
        if (this.stopped) return;
        this.stats.errors++;
        this.log?.warn({ resource: this.def.plural, err, retryInMs: backoff }, "watch interrupted");
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  private async list(): Promise<{ items: KubeObject[]; rv: string }> {
    this.stats.lists++;
    const items: KubeObject[] = [];
    let rv = "";
    for await (const page of this.client.listPages(this.def)) {
      for (const o of page.items) items.push(o);
      // The first page's resourceVersion is the snapshot the whole paginated list is consistent with.
      if (!rv && page.resourceVersion) rv = page.resourceVersion;
    }
    if (!rv) throw new Error(`list ${this.def.plural}: the API server sent no resourceVersion`);
    return { items, rv };
  }

  /** One watch request; resolves "gone" on 410, "ended" when the stream ends, throws on errors. */
  private watchOnce(rv: string): Promise<"gone" | "ended"> {
    return new Promise((resolve, reject) => {
      let gone = false;
      let failure: Error | undefined;
      let failedEarly = false;
      this.stats.watches++;
      const onEvent = (type: string, obj: KubeObject) => {
        if (type === "ERROR") {
          const code = (obj as { code?: number }).code;
          if (code === 410) gone = true;
          else failure = new Error(`watch error ${code ?? "?"}: ${(obj as { message?: string }).message ?? ""}`);
          return;
        }
        const next = obj?.metadata?.resourceVersion;
        if (type === "BOOKMARK") {
          if (next) this.rv = next;
          return;
        }
        if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") return;
        if (obj && typeof obj === "object") {
          obj.apiVersion ??= this.def.apiVersion;
          obj.kind ??= this.def.kind;
        }
        if (next) this.rv = next;
        this.stats.events++;
        this.handlers.onEvent(type, obj, this.rv ?? "");
      };
      const done = (err: unknown) => {
        this.controller = undefined;
        if (err) failedEarly = true;
        if (gone || (err as { statusCode?: number } | null)?.statusCode === 410) return resolve("gone");
        if (this.stopped) return resolve("ended");
        if (failure) return reject(failure);
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        resolve("ended");
      };
      this.watch
        .watch(
          resourcePath(this.def),
          {
            resourceVersion: rv,
            timeoutSeconds: this.timeoutSeconds,
            allowWatchBookmarks: true,
            labelSelector: this.def.labelSelector,
            // Helm release Secrets: the type too, so no other Secret is ever streamed.
            ...(this.def.fieldSelector ? { fieldSelector: this.def.fieldSelector } : {}),
          },
          onEvent,
          done,
        )
        .then((controller) => {
          if (!failedEarly) this.markConnected();
          if (this.stopped) controller.abort();
          else this.controller = controller;
        }, reject);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
