// Watch streams: newline-delimited JSON events, replayed from the store's ring after the requested
// resourceVersion (410 Expired as an ERROR event when it is older than the ring), or starting with
// ADDED events for current objects when none is given, then live until timeoutSeconds or close.
import type { ServerResponse } from "node:http";
import type { KubeObject } from "../kube/resources.ts";
import type { ResourceInfo } from "./builtinResources.ts";
import type { WatchCutFilter } from "./faults.ts";
import { groupResource } from "./registry.ts";
import { failure } from "./status.ts";
import type { EventType, Store, StoredEntry, StoreEvent } from "./store.ts";

export interface WatchRequest {
  info: ResourceInfo;
  namespace?: string;
  match: (obj: KubeObject) => boolean;
  resourceVersion?: string;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
  /** Serialises one event's object (plain object JSON, or a one-row Table). */
  encode: (type: EventType | "BOOKMARK", entry: StoredEntry, first: boolean) => string;
}

interface OpenWatch {
  resource: string;
  namespace?: string;
}

export class WatchHub {
  private readonly store: Store;
  /** finish() of each open watch → what it watches and its response (to cut the socket). */
  private readonly open = new Map<(abrupt?: boolean) => void, OpenWatch>();

  constructor(store: Store) {
    this.store = store;
  }

  get openCount(): number {
    return this.open.size;
  }

  serve(res: ServerResponse, w: WatchRequest): void {
    const store = this.store;
    const gr = groupResource(w.info);
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    let first = true;
    const send = (type: EventType | "BOOKMARK", entry: StoredEntry) => {
      res.write(`{"type":"${type}","object":${w.encode(type, entry, first)}}\n`);
      first = false;
    };

    const rvParam = w.resourceVersion;
    let replay: StoreEvent[] = [];
    const fromScratch = rvParam === undefined || rvParam === "" || rvParam === "0" || w.sendInitialEvents === true;
    if (!fromScratch) {
      const rv = Number(rvParam);
      const events = Number.isInteger(rv) && rv >= 0 ? store.eventsSince(rv) : undefined;
      if (!events) {
        const message = Number.isInteger(rv)
          ? `too old resource version: ${rvParam} (${store.oldestRv})`
          : `invalid resource version: ${rvParam}`;
        const status = failure(
          Number.isInteger(rv) ? 410 : 400,
          message,
          Number.isInteger(rv) ? "Expired" : "BadRequest",
        );
        res.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
        return;
      }
      replay = events;
    }

    const inScope = (e: StoredEntry) => w.namespace === undefined || e.namespace === w.namespace;
    const deliver = (ev: StoreEvent) => {
      if (ev.gr !== gr || !inScope(ev.entry)) return;
      const now = ev.type !== "DELETED" && w.match(ev.entry.obj);
      const before = ev.prev !== undefined && w.match(ev.prev.obj);
      // Objects entering or leaving a selector appear as ADDED/DELETED, as on a real server.
      if (ev.type === "ADDED" && now) send("ADDED", ev.entry);
      else if (ev.type === "MODIFIED" && now) send(before ? "MODIFIED" : "ADDED", ev.entry);
      else if (ev.type === "MODIFIED" && before) send("DELETED", ev.entry);
      else if (ev.type === "DELETED" && before) send("DELETED", ev.entry);
    };

    if (fromScratch) {
      store.scan(w.info, w.namespace, undefined, (e) => {
        if (w.match(e.obj)) send("ADDED", e);
        return true;
      });
      if (w.sendInitialEvents) {
        const bookmark: StoredEntry = {
          key: "",
          namespace: "",
          name: "",
          rv: store.currentRv,
          obj: {
            apiVersion: w.info.group ? `${w.info.group}/${w.info.version}` : w.info.version,
            kind: w.info.kind,
            metadata: { resourceVersion: store.resourceVersion, annotations: { "k8s.io/initial-events-end": "true" } },
          },
          json: "",
        };
        bookmark.json = JSON.stringify(bookmark.obj);
        send("BOOKMARK", bookmark);
      }
    }
    for (const ev of replay) deliver(ev);

    const unsubscribe = store.subscribe(deliver);
    let timer: NodeJS.Timeout | undefined;
    const finish = (abrupt = false) => {
      if (!this.open.delete(finish)) return;
      unsubscribe();
      clearTimeout(timer);
      // Destroying the socket skips the terminating chunk, so the client cannot mistake it for a clean end.
      if (abrupt) res.socket?.destroy();
      else if (!res.writableEnded) res.end();
    };
    this.open.set(finish, { resource: w.info.plural, namespace: w.namespace });
    if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
      timer = setTimeout(() => finish(), w.timeoutSeconds * 1000);
      timer.unref();
    }
    res.on("close", () => finish());
  }

  /** Ends every open watch cleanly (the client sees the stream end). */
  closeAll(): void {
    for (const finish of [...this.open.keys()]) finish();
  }

  /**
   * Ends matching open watches abruptly: the socket is destroyed mid-stream, without the final
   * chunk, as when a load balancer or an API server restart drops the connection. The client sees
   * an error, not a clean end. Returns how many watches were cut.
   */
  cut(filter: WatchCutFilter = {}): number {
    let n = 0;
    for (const [finish, w] of [...this.open]) {
      if (filter.resource !== undefined && filter.resource !== w.resource) continue;
      if (filter.namespace !== undefined && filter.namespace !== w.namespace) continue;
      finish(true);
      n++;
    }
    return n;
  }
}
