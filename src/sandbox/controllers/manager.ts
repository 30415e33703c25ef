// The sandbox's controller-manager: the Deployment, ReplicaSet, StatefulSet, DaemonSet and Job
// controllers, a kubelet that makes their pods (and pods created through the API on their own)
// Ready after `readyDelayMs`, and the garbage
// collector's cascade on delete. Level-triggered like the real ones: a work queue of objects whose
// controllers read the store as it is now and write only what differs, through Store.write, so
// every change is a watch event. Only what the API creates or changes after start is reconciled
// (and what the controllers themselves create): fixture snapshots, whose pods are already there,
// are left exactly as loaded.
import type { ResourceInfo } from "../builtinResources.ts";
import type { Store, StoredEntry } from "../store.ts";
import { type ControllerContext, controllerOf, isOwnedBy, neverReady, startPod, type WorkloadKind } from "./common.ts";
import { reconcileDaemonSet } from "./daemonset.ts";
import { type RolloutClock, reconcileDeployment } from "./deployment.ts";
import { reconcileJob } from "./job.ts";
import { reconcileReplicaSet } from "./replicaset.ts";
import { reconcileStatefulSet } from "./statefulset.ts";

const WORKLOADS: Record<string, WorkloadKind> = {
  "apps/Deployment": "Deployment",
  "apps/ReplicaSet": "ReplicaSet",
  "apps/StatefulSet": "StatefulSet",
  "apps/DaemonSet": "DaemonSet",
  "batch/Job": "Job",
};

const API_VERSIONS: Record<WorkloadKind | "Pod" | "Node", string> = {
  Deployment: "apps/v1",
  ReplicaSet: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  Pod: "v1",
  Node: "v1",
};

/** Owned kinds the garbage collector follows from each owner kind. */
const DEPENDENTS: Record<WorkloadKind, Array<WorkloadKind | "Pod">> = {
  Deployment: ["ReplicaSet"],
  ReplicaSet: ["Pod"],
  StatefulSet: ["Pod"],
  DaemonSet: ["Pod"],
  Job: ["Pod"],
};

export class ControllerManager {
  private readonly store: Store;
  private readonly ctx: ControllerContext;
  private readonly queue = new Map<string, { kind: WorkloadKind; namespace: string; name: string }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly clock: RolloutClock = new Map();
  /** "Kind/namespace/name" of objects the controllers look after (see the file comment). */
  private readonly managed = new Set<string>();
  private scheduled = false;
  private closed = false;

  constructor(store: Store, readyDelayMs: number) {
    this.store = store;
    const infos = new Map<string, ResourceInfo>();
    this.ctx = {
      store,
      readyDelayMs,
      enqueue: (kind, namespace, name) => this.enqueue(kind, namespace, name),
      later: (id, ms, fn) => this.later(id, ms, fn),
      info: (kind) => {
        let info = infos.get(kind);
        if (!info) {
          info = store.registry.byKind(API_VERSIONS[kind], kind);
          if (!info) throw new Error(`sandbox controllers: the registry has no ${kind}`);
          infos.set(kind, info);
        }
        return info;
      },
    };
  }

  /** Called after every API write of a main resource (not /status). */
  onApiWrite(info: ResourceInfo, entry: StoredEntry, previous: StoredEntry | undefined): void {
    if (info.group === "" && info.kind === "Pod") {
      // A pod created through the API on its own (kubectl run, a Helm test hook): the kubelet runs it.
      if (!previous && !controllerOf(entry.obj)) {
        startPod(this.ctx, entry.namespace, entry.name, neverReady(entry.obj));
      }
      return;
    }
    const kind = WORKLOADS[`${info.group}/${info.kind}`];
    if (!kind) return;
    if (previous && previous.obj.metadata?.generation === entry.obj.metadata?.generation) return;
    this.enqueue(kind, entry.namespace, entry.name);
  }

  /** Called after an API delete: dependents go too (background cascade), and an owner replaces a deleted pod. */
  onApiDelete(info: ResourceInfo, entry: StoredEntry): void {
    const kind = WORKLOADS[`${info.group}/${info.kind}`];
    if (kind) {
      this.cascade(kind, entry.namespace, entry.name);
      return;
    }
    if (info.group === "" && info.kind === "Pod") {
      const owner = controllerOf(entry.obj);
      const ownerKind = owner && WORKLOADS[`${owner.kind === "Job" ? "batch" : "apps"}/${owner.kind}`];
      if (ownerKind && this.managed.has(`${ownerKind}/${entry.namespace}/${owner.name}`)) {
        this.enqueue(ownerKind, entry.namespace, owner.name);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue.clear();
  }

  private cascade(kind: WorkloadKind, namespace: string, name: string): void {
    this.managed.delete(`${kind}/${namespace}/${name}`);
    for (const dependentKind of DEPENDENTS[kind]) {
      const info = this.ctx.info(dependentKind);
      const victims: string[] = [];
      this.store.scan(info, namespace, undefined, (e) => {
        if (isOwnedBy(e.obj, kind, name)) victims.push(e.name);
        return true;
      });
      for (const v of victims) {
        this.store.delete(info, namespace, v);
        if (dependentKind !== "Pod") this.cascade(dependentKind, namespace, v);
      }
    }
  }

  private enqueue(kind: WorkloadKind, namespace: string, name: string): void {
    if (this.closed) return;
    const key = `${kind}/${namespace}/${name}`;
    this.managed.add(key);
    this.queue.set(key, { kind, namespace, name });
    if (this.scheduled) return;
    this.scheduled = true;
    // After the API response that caused the work has been written, as a controller acts on the watch event.
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    // Bounded: a controller that keeps re-queuing itself is a bug, not a reason to hang the server.
    for (let rounds = 0; this.queue.size > 0 && rounds < 1000 && !this.closed; rounds++) {
      const [key, item] = this.queue.entries().next().value as [
        string,
        { kind: WorkloadKind; namespace: string; name: string },
      ];
      this.queue.delete(key);
      this.reconcile(item.kind, item.namespace, item.name);
    }
  }

  private reconcile(kind: WorkloadKind, namespace: string, name: string): void {
    switch (kind) {
      case "Deployment":
        reconcileDeployment(this.ctx, namespace, name, this.clock);
        return;
      case "ReplicaSet":
        reconcileReplicaSet(this.ctx, namespace, name);
        return;
      case "StatefulSet":
        reconcileStatefulSet(this.ctx, namespace, name);
        return;
      case "DaemonSet":
        reconcileDaemonSet(this.ctx, namespace, name);
        return;
      case "Job":
        reconcileJob(this.ctx, namespace, name);
        return;
    }
  }

  private later(id: string, ms: number, fn: () => void): void {
    if (this.closed) return;
    clearTimeout(this.timers.get(id));
    const timer = setTimeout(() => {
      this.timers.delete(id);
      if (!this.closed) fn();
    }, ms);
    timer.unref();
    this.timers.set(id, timer);
  }
}
