// Fault injection for tests: latency, error statuses, dropped connections, requests never answered
// and rate limits on the requests a rule matches. Rules are checked in the order they were added;
// the first that fires wins (latency-only rules delay and let later rules and the real handler
// run). Rules only see new requests; cutWatches() acts on the watch streams that are already open.

export type RequestVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface FaultSpec {
  method?: string;
  /** A RegExp tested against the path (without query), or a string the path must equal or start with. */
  path?: RegExp | string;
  verb?: RequestVerb;
  resource?: string;
  namespace?: string;
  subresource?: string;
  /** Fire on every Nth matching request (the 3rd, 6th...); default every one. */
  every?: number;
  /** Stop firing after this many times. */
  times?: number;
  status?: number;
  message?: string;
  latencyMs?: number;
  /** Destroy the socket without answering. */
  drop?: true | boolean;
  /**
   * Accept the request and never answer (the socket stays open until the client gives up or the
   * sandbox closes): an API server that is up but hung.
   */
  hang?: true | boolean;
  /** Answer 429 (unless `status` says otherwise) with this Retry-After. */
  retryAfterSeconds?: number;
}

export interface FaultHandle {
  readonly spec: FaultSpec;
  /** How many requests matched (fired or not). */
  readonly matched: number;
  /** How many times the fault fired. */
  readonly fired: number;
  remove(): void;
}

export interface FaultRequest {
  method: string;
  path: string;
  verb?: RequestVerb;
  resource?: string;
  namespace?: string;
  subresource?: string;
}

export type FaultAction =
  | { kind: "none"; latencyMs: number }
  | { kind: "drop"; latencyMs: number }
  | { kind: "hang"; latencyMs: number }
  | { kind: "status"; latencyMs: number; status: number; message?: string; retryAfterSeconds?: number };

class Rule implements FaultHandle {
  readonly spec: FaultSpec;
  matched = 0;
  fired = 0;
  private readonly owner: FaultInjector;
  constructor(spec: FaultSpec, owner: FaultInjector) {
    this.spec = spec;
    this.owner = owner;
  }
  remove(): void {
    this.owner.removeRule(this);
  }
  matches(req: FaultRequest): boolean {
    const s = this.spec;
    if (s.method && s.method.toUpperCase() !== req.method) return false;
    if (s.verb && s.verb !== req.verb) return false;
    if (s.resource && s.resource !== req.resource) return false;
    if (s.namespace && s.namespace !== req.namespace) return false;
    if (s.subresource && s.subresource !== req.subresource) return false;
    if (s.path instanceof RegExp) {
      if (!s.path.test(req.path)) return false;
    } else if (typeof s.path === "string" && req.path !== s.path && !req.path.startsWith(s.path)) return false;
    return true;
  }
}

/** Which open watches cutWatches() ends; every field that is given must match. */
export interface WatchCutFilter {
  /** Plural resource name, e.g. "pods". */
  resource?: string;
  namespace?: string;
}

export class FaultInjector {
  private rules: Rule[] = [];
  private cutter?: (filter: WatchCutFilter) => number;

  /** The server hands over how to cut its open watches (the injector itself holds no sockets). */
  attachWatchCutter(cut: (filter: WatchCutFilter) => number): void {
    this.cutter = cut;
  }

  /**
   * Ends every matching watch stream that is open now, abruptly (the socket is destroyed without
   * the final chunk, as when a proxy or an API server restart drops it): the client sees an error,
   * not a clean end. Returns how many were cut. New watch requests are not affected.
   */
  cutWatches(filter: WatchCutFilter = {}): number {
    if (!this.cutter) throw new Error("faults.cutWatches: this injector is not attached to a sandbox server");
    return this.cutter(filter);
  }

  add(spec: FaultSpec): FaultHandle {
    if (spec.every !== undefined && (!Number.isInteger(spec.every) || spec.every < 1)) {
      throw new Error(`faults.add: every must be a positive integer, got ${spec.every}`);
    }
    if (spec.status !== undefined && (spec.status < 400 || spec.status > 599)) {
      throw new Error(`faults.add: status must be an HTTP error code (400-599), got ${spec.status}`);
    }
    const rule = new Rule(spec, this);
    this.rules.push(rule);
    return rule;
  }

  removeRule(rule: FaultHandle): void {
    this.rules = this.rules.filter((r) => r !== rule);
  }

  clear(): void {
    this.rules = [];
  }

  get active(): readonly FaultHandle[] {
    return this.rules;
  }

  /** Decides what happens to one request; counts matches as a side effect. */
  decide(req: FaultRequest): FaultAction {
    let latencyMs = 0;
    for (const rule of [...this.rules]) {
      if (!rule.matches(req)) continue;
      rule.matched++;
      const s = rule.spec;
      if (s.every && rule.matched % s.every !== 0) continue;
      if (s.times !== undefined && rule.fired >= s.times) continue;
      rule.fired++;
      latencyMs += s.latencyMs ?? 0;
      if (s.drop) return { kind: "drop", latencyMs };
      if (s.hang) return { kind: "hang", latencyMs };
      if (s.status !== undefined || s.retryAfterSeconds !== undefined) {
        return {
          kind: "status",
          latencyMs,
          status: s.status ?? 429,
          message: s.message,
          retryAfterSeconds: s.retryAfterSeconds,
        };
      }
    }
    return { kind: "none", latencyMs };
  }
}
