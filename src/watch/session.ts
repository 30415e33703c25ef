// One cluster's watch: a ResourceStream per watched resource feeding the rules, alerts delivered
// in event order through the AlertSink, and resourceVersions persisted only once the alerts of the
// events before them are delivered, so a worker that takes over resumes exactly after the last
// handled event (and the dedupe key absorbs the few it may see twice).
import type { KubeConfig } from "@kubernetes/client-node";
import type { ClusterClient } from "../kube/clusterClient.ts";
import type { KubeObject } from "../kube/resources.ts";
import type { Logger } from "../log.ts";
import type { AlertSink } from "./alertSink.ts";
import { ResourceStream } from "./resourceStream.ts";
import { WATCH_RULES } from "./rules/index.ts";
import type { WatchStateStore } from "./stateStore.ts";
import {
  type AlertDraft,
  DEFAULT_RULE_OPTIONS,
  type ObjectEvent,
  type RuleContext,
  type RuleOptions,
  type WatchedKey,
  type WatchRule,
} from "./types.ts";
import { ALL_WATCHED, WATCHED_RESOURCES } from "./watchedResources.ts";

export interface WatchSessionOptions {
  cluster: string;
  client: ClusterClient;
  kubeConfig: KubeConfig;
  state: WatchStateStore;
  sink: AlertSink;
  rules?: readonly WatchRule[];
  ruleOptions?: Partial<RuleOptions>;
  resources?: readonly WatchedKey[];
  timeoutSeconds?: number;
  persistEveryMs?: number;
  tickMs?: number;
  logger?: Logger;
}

type Work = { drafts: AlertDraft[]; resource?: WatchedKey; rv?: string; listed?: boolean };

/** Keeps what rules compare with, without payloads they never read (Helm release data, managedFields). */
function slim(resource: WatchedKey, obj: KubeObject): KubeObject {
  const metadata = obj.metadata ? { ...obj.metadata } : undefined;
  if (metadata) {
    delete metadata.managedFields;
    if (metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]) {
      const { "kubectl.kubernetes.io/last-applied-configuration": _, ...rest } = metadata.annotations;
      metadata.annotations = rest;
    }
  }
  if (resource === "helmReleases") return { apiVersion: obj.apiVersion, kind: obj.kind, type: obj.type, metadata };
  if (resource === "crds") return { apiVersion: obj.apiVersion, kind: obj.kind, metadata };
  return { ...obj, metadata };
}

function objKey(o: KubeObject): string {
  return `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}

export class WatchSession {
  private readonly o: WatchSessionOptions;
  private readonly rules: readonly WatchRule[];
  private readonly ruleOptions: RuleOptions;
  private readonly streams = new Map<WatchedKey, ResourceStream>();
  /** Last seen object per resource; Events are not kept (nothing compares with an old Event). */
  private readonly cache = new Map<WatchedKey, Map<string, KubeObject>>();
  private timers = new Map<string, number>();
  private readonly committed: Partial<Record<WatchedKey, string>> = {};
  private queue: Work[] = [];
  private draining?: Promise<void>;
  private dirty = false;
  private persistTimer?: NodeJS.Timeout;
  private tickTimer?: NodeJS.Timeout;
  private readonly pendingWrites = new Set<Promise<unknown>>();
  readonly stats = { events: 0, alertsDrafted: 0, deliveryErrors: 0 };

  constructor(o: WatchSessionOptions) {
    this.o = o;
    this.rules = o.rules ?? WATCH_RULES;
    this.ruleOptions = { ...DEFAULT_RULE_OPTIONS, ...o.ruleOptions };
  }

  async start(): Promise<void> {
    const rvs = await this.o.state.loadResourceVersions();
    this.timers = await this.o.state.loadTimers();
    for (const key of this.o.resources ?? ALL_WATCHED) {
      if (rvs[key]) this.committed[key] = rvs[key];
      const stream = new ResourceStream(
        WATCHED_RESOURCES[key],
        this.o.client,
        this.o.kubeConfig,
        {
          onList: (items, rv, why) => this.onList(key, items, rv, why),
          onEvent: (type, obj, rv) => this.onEvent(key, { resource: key, type, obj }, rv),
        },
        { timeoutSeconds: this.o.timeoutSeconds, resourceVersion: rvs[key], logger: this.o.logger },
      );
      this.streams.set(key, stream);
      this.cache.set(key, new Map());
      stream.start();
    }
    this.persistTimer = setInterval(() => void this.persist(), this.o.persistEveryMs ?? 3_000);
    this.tickTimer = setInterval(() => this.tick(), this.o.tickMs ?? 1_000);
  }

  /** Resolves when every stream has an open watch (tests change the cluster after this). */
  async connected(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => s.connected()));
  }

  streamStats(): Record<string, ResourceStream["stats"]> {
    return Object.fromEntries([...this.streams].map(([k, s]) => [k, s.stats]));
  }

  async stop(): Promise<void> {
    clearInterval(this.persistTimer);
    clearInterval(this.tickTimer);
    await Promise.all([...this.streams.values()].map((s) => s.stop()));
    await this.idle();
    await this.o.sink.close();
    await this.persist();
  }

  /** Waits until every queued alert has been delivered. */
  async idle(): Promise<void> {
    while (this.draining || this.pendingWrites.size) {
      await this.draining;
      await Promise.all([...this.pendingWrites]);
    }
  }

  private context(): RuleContext {
    return {
      cluster: this.o.cluster,
      now: Date.now(),
      options: this.ruleOptions,
      timers: {
        get: (k) => this.timers.get(k),
        set: (k, at) => {
          this.timers.set(k, at);
          this.track(this.o.state.setTimer(k, at));
        },
        delete: (k) => {
          if (this.timers.delete(k)) this.track(this.o.state.deleteTimer(k));
        },
        entries: (prefix) => [...this.timers].filter(([k]) => k.startsWith(prefix)),
      },
      lookup: (resource) => this.cache.get(resource)?.values() ?? [],
    };
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err) => this.o.logger?.warn({ err }, "could not persist watch timer"));
    this.pendingWrites.add(q);
    void q.finally(() => this.pendingWrites.delete(q));
  }

  private evaluate(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    const out: AlertDraft[] = [];
    for (const rule of this.rules) {
      if (!rule.resources.includes(ev.resource)) continue;
      try {
        out.push(...rule.onEvent(ev, ctx));
      } catch (err) {
        // INCIDENTS 2: an odd object must never take the watch down; the rule just says nothing.
        this.o.logger?.warn({ rule: rule.id, object: objKey(ev.obj), err }, "rule could not evaluate an object");
      }
    }
    return out;
  }

  private remember(resource: WatchedKey, type: ObjectEvent["type"], obj: KubeObject): KubeObject | undefined {
    if (resource === "events") return undefined;
    const map = this.cache.get(resource)!;
    const key = objKey(obj);
    const prev = map.get(key);
    if (type === "DELETED") map.delete(key);
    else map.set(key, slim(resource, obj));
    return prev;
  }

  private onList(resource: WatchedKey, items: KubeObject[], rv: string, why: "initial" | "relist"): void {
    const ctx = this.context();
    const map = this.cache.get(resource)!;
    const drafts: AlertDraft[] = [];
    const seen = new Set<string>();
    // Every object is held before any is evaluated, so a rule that groups (pods of one workload)
    // sees the whole list, not the part before the object at hand.
    const listed = items.map((obj) => {
      seen.add(objKey(obj));
      return { obj, prev: this.remember(resource, "SYNC", obj) };
    });
    for (const { obj, prev } of listed) {
      const found = this.evaluate({ resource, type: "SYNC", obj, prev }, ctx);
      // The first list is the baseline: what is already wrong when the watch starts is reported
      // once, marked as such (a crash loop that began before the watch is still the upgrade's
      // problem), and timers (pending since...) start here. Only a fresh watch lists "initially":
      // a worker that takes a watch over resumes from the stored resourceVersions, so the baseline
      // is not posted again. After a 410 the list is compared with what we held.
      drafts.push(...(why === "initial" ? found.map((d) => ({ ...d, baseline: true })) : found));
    }
    if (why === "relist") {
      for (const [key, prev] of [...map]) {
        if (seen.has(key)) continue;
        map.delete(key);
        drafts.push(...this.evaluate({ resource, type: "DELETED", obj: prev, prev }, ctx));
      }
    }
    this.enqueue({ drafts, resource, rv, listed: true });
  }

  private onEvent(resource: WatchedKey, ev: ObjectEvent, rv: string): void {
    this.stats.events++;
    ev.prev = this.remember(resource, ev.type, ev.obj);
    const drafts = this.evaluate(ev, this.context());
    if (drafts.length === 0 && this.queue.length === 0 && !this.draining) {
      this.committed[resource] = rv;
      this.dirty = true;
      return;
    }
    this.enqueue({ drafts, resource, rv });
  }

  private tick(): void {
    const ctx = this.context();
    const drafts: AlertDraft[] = [];
    for (const rule of this.rules) {
      if (!rule.onTick) continue;
      try {
        drafts.push(...rule.onTick(ctx));
      } catch (err) {
        this.o.logger?.warn({ rule: rule.id, err }, "rule tick failed");
      }
    }
    if (drafts.length) this.enqueue({ drafts });
  }

  private enqueue(work: Work): void {
    this.stats.alertsDrafted += work.drafts.length;
    this.queue.push(work);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      let alerted = false;
      for (const work of batch) {
        for (const d of work.drafts) {
          try {
            const outcome = await this.o.sink.deliver(d);
            if (outcome !== "duplicate") alerted = true;
          } catch (err) {
            this.stats.deliveryErrors++;
            this.o.logger?.warn({ reason: d.reason, err }, "could not post an alert");
          }
        }
        if (work.resource && work.rv) {
          this.committed[work.resource] = work.rv;
          this.dirty = true;
          // Saved at once, not at the next periodic save: a worker killed before that would leave
          // no resume point, and the one taking over would list afresh and take whatever went
          // wrong in between (alerts included) as the baseline.
          if (work.listed) await this.persist();
        }
      }
      if (alerted) await this.persist();
    }
  }

  private async persist(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await this.o.state.saveResourceVersions({ ...this.committed });
    } catch (err) {
      this.dirty = true;
      this.o.logger?.warn({ err }, "could not persist resourceVersions");
    }
  }
}
