// What the real Service registry fills in on create and keeps on update: a clusterIP (and
// clusterIPs, ipFamilies, ipFamilyPolicy) from the service CIDR, and a nodePort for every port of a
// NodePort or LoadBalancer Service. Clients depend on it: Helm's --wait holds a Service unready
// while spec.clusterIP is empty. The addresses are data only; nothing here ever connects to them.
//
// SOURCES:
//   kubeadm's default service subnet 10.96.0.0/12 (kubeadm config API, networking.serviceSubnet) and
//   kube-apiserver --service-node-port-range default 30000-32767 (kube-apiserver command reference);
//   concepts/services-networking/service: headless Services (clusterIP: None), ExternalName gets no IP;
//   an update that omits clusterIP/clusterIPs/nodePort keeps the allocated ones (the Service REST
//   storage's patchAllocatedValues in kubernetes pkg/registry/core/service/storage; name from memory,
//   the behaviour is what `kubectl apply`/Helm rely on when a manifest leaves clusterIP out).
import type { KubeObject } from "../kube/resources.ts";
import { statusError } from "./status.ts";
import type { Store } from "./store.ts";

/** 10.96.0.0/12: the first address, .1, is the `kubernetes` Service's; allocation starts after it. */
const CIDR_BASE = (10 << 24) | (96 << 16);
const CIDR_SIZE = 1 << 20;
export const SERVICE_CIDR = "10.96.0.0/12";
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

function ipToString(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function ipToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function invalid(name: string, field: string, value: unknown, why: string) {
  return statusError(
    422,
    `Service "${name}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${why}`,
    "Invalid",
    { kind: "Service", name, causes: [{ reason: "FieldValueInvalid", message: `Invalid value: ${why}`, field }] },
  );
}

type Port = { nodePort?: unknown; [k: string]: unknown };

export class ServiceAllocator {
  private readonly store: Store;
  private ips: Set<number> | undefined;
  private ports: Set<number> | undefined;
  private nextIp = 2;
  private nextPort = NODE_PORT_MIN;

  constructor(store: Store) {
    this.store = store;
  }

  /** Fills in the allocated fields of a Service being created. */
  onCreate(obj: KubeObject): void {
    obj.spec ??= {};
    const spec = obj.spec;
    const name = obj.metadata?.name ?? "";
    const type = typeof spec.type === "string" && spec.type ? spec.type : "ClusterIP";
    spec.type = type;
    if (type !== "ExternalName") {
      const requested = typeof spec.clusterIP === "string" && spec.clusterIP ? spec.clusterIP : undefined;
      if (requested === "None") {
        spec.clusterIPs = ["None"];
      } else {
        spec.clusterIP = requested ? this.claimIp(name, requested) : this.allocateIp(name);
        spec.clusterIPs = [spec.clusterIP];
      }
      spec.ipFamilies ??= ["IPv4"];
      spec.ipFamilyPolicy ??= "SingleStack";
      spec.sessionAffinity ??= "None";
      spec.internalTrafficPolicy ??= "Cluster";
    }
    if (type === "NodePort" || type === "LoadBalancer") {
      spec.externalTrafficPolicy ??= "Cluster";
      const ports: Port[] = Array.isArray(spec.ports) ? spec.ports : [];
      ports.forEach((p, i) => {
        p.nodePort =
          p.nodePort !== undefined && p.nodePort !== 0 ? this.claimPort(name, i, p.nodePort) : this.allocatePort(name);
      });
    }
    obj.status ??= { loadBalancer: {} };
  }

  /** Keeps what the old object had allocated when the new one leaves it out. */
  onUpdate(next: KubeObject, old: KubeObject): void {
    next.spec ??= {};
    const spec = next.spec;
    const was = old.spec ?? {};
    if ((spec.clusterIP === undefined || spec.clusterIP === "") && typeof was.clusterIP === "string") {
      spec.clusterIP = was.clusterIP;
    }
    if (spec.clusterIPs === undefined && Array.isArray(was.clusterIPs) && spec.clusterIP === was.clusterIP) {
      spec.clusterIPs = structuredClone(was.clusterIPs);
    }
    if (typeof was.clusterIP === "string" && was.clusterIP !== "" && spec.clusterIP !== was.clusterIP) {
      throw invalid(next.metadata?.name ?? "", "spec.clusterIPs[0]", spec.clusterIP, "field is immutable");
    }
    for (const key of ["ipFamilies", "ipFamilyPolicy", "sessionAffinity", "internalTrafficPolicy"]) {
      if (spec[key] === undefined && was[key] !== undefined) spec[key] = structuredClone(was[key]);
    }
    const type = typeof spec.type === "string" && spec.type ? spec.type : "ClusterIP";
    spec.type = type;
    if (type === "NodePort" || type === "LoadBalancer") {
      const oldPorts: Port[] = Array.isArray(was.ports) ? was.ports : [];
      const ports: Port[] = Array.isArray(spec.ports) ? spec.ports : [];
      const name = next.metadata?.name ?? "";
      ports.forEach((p, i) => {
        if (p.nodePort !== undefined && p.nodePort !== 0) {
          if (!oldPorts.some((o) => o.nodePort === p.nodePort)) p.nodePort = this.claimPort(name, i, p.nodePort);
          return;
        }
        // Same port and protocol as before: keep its node port (the real registry matches them so).
        const same = oldPorts.find((o) => o.port === p.port && (o.protocol ?? "TCP") === (p.protocol ?? "TCP"));
        p.nodePort = typeof same?.nodePort === "number" ? same.nodePort : this.allocatePort(name);
      });
      spec.externalTrafficPolicy ??= was.externalTrafficPolicy ?? "Cluster";
    }
  }

  /** Frees what a deleted Service held. */
  onDelete(old: KubeObject): void {
    if (!this.ips || !this.ports) return;
    const ip = typeof old.spec?.clusterIP === "string" ? ipToNumber(old.spec.clusterIP) : undefined;
    if (ip !== undefined) this.ips.delete(ip);
    for (const p of Array.isArray(old.spec?.ports) ? (old.spec.ports as Port[]) : []) {
      if (typeof p.nodePort === "number") this.ports.delete(p.nodePort);
    }
  }

  /** Built on first use from the Services already stored (seeded ones included), then kept by hand. */
  private load(): { ips: Set<number>; ports: Set<number> } {
    if (this.ips && this.ports) return { ips: this.ips, ports: this.ports };
    const ips = new Set<number>([CIDR_BASE + 1]);
    const ports = new Set<number>();
    const info = this.store.registry.byKind("v1", "Service");
    if (info) {
      this.store.scan(info, undefined, undefined, (e) => {
        const ip = typeof e.obj.spec?.clusterIP === "string" ? ipToNumber(e.obj.spec.clusterIP) : undefined;
        if (ip !== undefined) ips.add(ip);
        for (const p of Array.isArray(e.obj.spec?.ports) ? (e.obj.spec.ports as Port[]) : []) {
          if (typeof p.nodePort === "number") ports.add(p.nodePort);
        }
        return true;
      });
    }
    this.ips = ips;
    this.ports = ports;
    return { ips, ports };
  }

  private allocateIp(name: string): string {
    const { ips } = this.load();
    for (let tries = 0; tries < CIDR_SIZE; tries++) {
      const offset = this.nextIp;
      this.nextIp = offset + 1 >= CIDR_SIZE - 1 ? 2 : offset + 1;
      if (!ips.has(CIDR_BASE + offset)) {
        ips.add(CIDR_BASE + offset);
        return ipToString(CIDR_BASE + offset);
      }
    }
    throw statusError(500, `Internal error occurred: failed to allocate a serviceIP for ${name}: range is full`);
  }

  private claimIp(name: string, requested: string): string {
    const { ips } = this.load();
    const n = ipToNumber(requested);
    if (n === undefined || n < CIDR_BASE || n >= CIDR_BASE + CIDR_SIZE) {
      throw invalid(
        name,
        "spec.clusterIPs",
        [requested],
        `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`,
      );
    }
    if (ips.has(n)) {
      throw invalid(
        name,
        "spec.clusterIPs",
        [requested],
        `failed to allocate IP ${requested}: provided IP is already allocated`,
      );
    }
    ips.add(n);
    return requested;
  }

  private allocatePort(name: string): number {
    const { ports } = this.load();
    const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    for (let tries = 0; tries < span; tries++) {
      const port = this.nextPort;
      this.nextPort = port >= NODE_PORT_MAX ? NODE_PORT_MIN : port + 1;
      if (!ports.has(port)) {
        ports.add(port);
        return port;
      }
    }
    throw statusError(500, `Internal error occurred: failed to allocate a nodePort for ${name}: range is full`);
  }

  private claimPort(name: string, index: number, value: unknown): number {
    const { ports } = this.load();
    const field = `spec.ports[${index}].nodePort`;
    if (typeof value !== "number" || !Number.isInteger(value) || value < NODE_PORT_MIN || value > NODE_PORT_MAX) {
      throw invalid(
        name,
        field,
        value,
        `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
      );
    }
    if (ports.has(value)) throw invalid(name, field, value, "provided port is already allocated");
    ports.add(value);
    return value;
  }
}
