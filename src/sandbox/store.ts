// The sandbox's etcd: one global resourceVersion counter, objects indexed by group-resource with
// keys kept sorted ("namespace/name") so paginated lists resume by binary search, each object's JSON
// kept beside it so a page costs only its own objects, and a bounded ring of recent events for
// watches (older resourceVersions are "compacted" and answer 410 Gone).
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../kube/resources.ts";
import type { ResourceInfo } from "./builtinResources.ts";
import { CRD_GROUP_RESOURCE, groupResource, ResourceRegistry } from "./registry.ts";

export interface StoredEntry {
  key: string;
  namespace: string;
  name: string;
  rv: number;
  obj: KubeObject;
  json: string;
}

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  rv: number;
  gr: string;
  entry: StoredEntry;
  /** The object before this write, for MODIFIED and DELETED. */
  prev?: StoredEntry;
}

export type StoreListener = (event: StoreEvent) => void;

class Collection {
  readonly entries = new Map<string, StoredEntry>();
  keys: string[] = [];
  sorted = true;

  sortedKeys(): string[] {
    if (!this.sorted) {
      this.keys.sort();
      this.sorted = true;
    }
    return this.keys;
  }

  insertKey(key: string): void {
    const keys = this.keys;
    if (!this.sorted || keys.length === 0 || keys[keys.length - 1] < key) {
      keys.push(key);
      return;
    }
    keys.splice(lowerBound(keys, key), 0, key);
  }

  removeKey(key: string): void {
    const keys = this.sortedKeys();
    const i = lowerBound(keys, key);
    if (keys[i] === key) keys.splice(i, 1);
  }
}

/** First index whose key is >= `key`. */
export function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

export class Store {
  readonly registry: ResourceRegistry;
  private readonly collections = new Map<string, Collection>();
  private readonly listeners = new Set<StoreListener>();
  private readonly ring: StoreEvent[];
  private ringStart = 0;
  private ringCount = 0;
  private rv = 0;
  /** Every event with a resourceVersion above this one is still in the ring. */
  private oldestWatchableRv = 0;

  constructor(watchWindow = 10_000) {
    if (!Number.isInteger(watchWindow) || watchWindow < 1) {
      throw new Error(`watchWindow: expected a positive integer, got ${watchWindow}`);
    }
    this.ring = new Array(watchWindow);
    this.registry = new ResourceRegistry(() => this.rawList(CRD_GROUP_RESOURCE));
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  get currentRv(): number {
    return this.rv;
  }

  /** Oldest resourceVersion a watch or a continue token may start from. */
  get oldestRv(): number {
    return this.oldestWatchableRv;
  }

  // ---- the API tests use (apiVersion/kind addressed, copies in and out, emits watch events) ----

  /** Creates or replaces the object as a direct write to storage (no admission, no rollout). */
  upsert(obj: KubeObject): KubeObject {
    const copy = structuredClone(obj);
    const info = this.registry.forObject(copy);
    const namespace = info.namespaced ? (copy.metadata?.namespace ?? "default") : "";
    const name = copy.metadata?.name;
    if (!name) throw new Error(`upsert ${copy.kind}: metadata.name is required`);
    const previous = this.getEntry(info, namespace, name);
    copy.metadata = { ...copy.metadata, name };
    if (info.namespaced) copy.metadata.namespace = namespace;
    else delete copy.metadata.namespace;
    copy.metadata.uid ??= previous?.obj.metadata?.uid ?? randomUUID();
    copy.metadata.creationTimestamp ??= previous?.obj.metadata?.creationTimestamp ?? nowTimestamp();
    return JSON.parse(this.write(info, copy).json);
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const info = this.registry.byKind(apiVersion, kind);
    if (!info) return undefined;
    const entry = this.delete(info, info.namespaced ? (namespace ?? "default") : "", name);
    return entry ? JSON.parse(entry.json) : undefined;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const info = this.registry.byKind(apiVersion, kind);
    if (!info) return undefined;
    const entry = this.getEntry(info, info.namespaced ? (namespace ?? "default") : "", name);
    return entry ? JSON.parse(entry.json) : undefined;
  }

  /** All objects of a kind, sorted by namespace then name; `namespace` narrows to one namespace. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const info = this.registry.byKind(apiVersion, kind);
    if (!info) return [];
    const out: KubeObject[] = [];
    this.scan(info, info.namespaced ? namespace : undefined, undefined, (e) => {
      out.push(JSON.parse(e.json));
      return true;
    });
    return out;
  }

  // ---- storage primitives the HTTP server uses ----

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getEntry(info: ResourceInfo, namespace: string, name: string): StoredEntry | undefined {
    return this.collections.get(groupResource(info))?.entries.get(objectKey(namespace, name));
  }

  /** How many keys in scope sort after `afterKey` (list metadata.remainingItemCount). */
  countAfter(info: ResourceInfo, namespace: string | undefined, afterKey: string): number {
    const c = this.collections.get(groupResource(info));
    if (!c) return 0;
    const keys = c.sortedKeys();
    const end = namespace === undefined ? keys.length : lowerBound(keys, `${namespace}0`);
    let i = lowerBound(keys, afterKey);
    if (keys[i] === afterKey) i++;
    return Math.max(0, end - i);
  }

  count(info: ResourceInfo, namespace?: string): number {
    const c = this.collections.get(groupResource(info));
    if (!c) return 0;
    if (namespace === undefined) return c.entries.size;
    const keys = c.sortedKeys();
    const prefix = `${namespace}/`;
    return lowerBound(keys, `${namespace}0`) - lowerBound(keys, prefix);
  }

  /**
   * Visits entries in key order, within one namespace when given, strictly after `afterKey`;
   * stops when `visit` returns false.
   */
  scan(
    info: ResourceInfo,
    namespace: string | undefined,
    afterKey: string | undefined,
    visit: (e: StoredEntry) => boolean,
  ) {
    const c = this.collections.get(groupResource(info));
    if (!c) return;
    const keys = c.sortedKeys();
    // "0" sorts right after "/", so [ns/, ns0) is exactly the namespace's keys.
    const prefix = namespace === undefined ? "" : `${namespace}/`;
    let i = lowerBound(keys, prefix);
    if (afterKey !== undefined && afterKey >= prefix) {
      i = lowerBound(keys, afterKey);
      if (keys[i] === afterKey) i++;
    }
    for (; i < keys.length; i++) {
      const key = keys[i];
      if (prefix && !key.startsWith(prefix)) return;
      const entry = c.entries.get(key);
      if (entry && !visit(entry)) return;
    }
  }

  /** Stores `obj` (metadata already complete except resourceVersion) and emits ADDED or MODIFIED. */
  write(info: ResourceInfo, obj: KubeObject, opts: { silent?: boolean } = {}): StoredEntry {
    const gr = groupResource(info);
    let c = this.collections.get(gr);
    if (!c) {
      c = new Collection();
      this.collections.set(gr, c);
    }
    const namespace = info.namespaced ? (obj.metadata?.namespace ?? "") : "";
    const name = obj.metadata?.name ?? "";
    const key = objectKey(namespace, name);
    this.rv++;
    obj.metadata = { ...obj.metadata, resourceVersion: String(this.rv) };
    const entry: StoredEntry = { key, namespace, name, rv: this.rv, obj, json: JSON.stringify(obj) };
    const prev = c.entries.get(key);
    const existed = prev !== undefined;
    c.entries.set(key, entry);
    if (!existed) {
      if (opts.silent) {
        c.keys.push(key);
        c.sorted = false;
      } else c.insertKey(key);
    }
    if (gr === CRD_GROUP_RESOURCE) this.registry.invalidate();
    if (!opts.silent) this.emit({ type: existed ? "MODIFIED" : "ADDED", rv: this.rv, gr, entry, prev });
    return entry;
  }

  delete(info: ResourceInfo, namespace: string, name: string): StoredEntry | undefined {
    const gr = groupResource(info);
    const c = this.collections.get(gr);
    const key = objectKey(namespace, name);
    const old = c?.entries.get(key);
    if (!c || !old) return undefined;
    c.entries.delete(key);
    c.removeKey(key);
    this.rv++;
    // Like etcd, the DELETED event carries the deletion's resourceVersion.
    const obj = { ...old.obj, metadata: { ...old.obj.metadata, resourceVersion: String(this.rv) } };
    const entry: StoredEntry = { key, namespace, name, rv: this.rv, obj, json: JSON.stringify(obj) };
    if (gr === CRD_GROUP_RESOURCE) this.registry.invalidate();
    this.emit({ type: "DELETED", rv: this.rv, gr, entry, prev: old });
    return entry;
  }

  /** Ends seeding: objects written silently so far are not replayable, later watches start here. */
  markSeeded(): void {
    this.oldestWatchableRv = this.rv;
  }

  /** Events after `rv` in order, or undefined when some of them were already dropped (410 Gone). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestWatchableRv) return undefined;
    const out: StoreEvent[] = [];
    const cap = this.ring.length;
    for (let i = this.ringCount - 1; i >= 0; i--) {
      const ev = this.ring[(this.ringStart + i) % cap];
      if (ev.rv <= rv) break;
      out.push(ev);
    }
    return out.reverse();
  }

  private emit(event: StoreEvent): void {
    const cap = this.ring.length;
    if (this.ringCount === cap) {
      this.oldestWatchableRv = this.ring[this.ringStart].rv;
      this.ring[this.ringStart] = event;
      this.ringStart = (this.ringStart + 1) % cap;
    } else {
      this.ring[(this.ringStart + this.ringCount) % cap] = event;
      this.ringCount++;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing watcher must not break the write that triggered it.
      }
    }
  }

  private rawList(gr: string): KubeObject[] {
    const c = this.collections.get(gr);
    return c ? [...c.entries.values()].map((e) => e.obj) : [];
  }
}
