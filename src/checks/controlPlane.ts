// The control plane as kubeadm (and most self-managed installers) run it: static pods whose
// mirror pods sit in kube-system, labelled component=<name> and tier=control-plane. Their
// command lines are where removed flags and feature gates show before an upgrade.
import type { KubeObject } from "../kube/resources.ts";
import { podContainers } from "./ownership.ts";
import type { CheckContext } from "./types.ts";

export const CONTROL_PLANE_COMPONENTS = [
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "etcd",
] as const;
export type ControlPlaneComponent = (typeof CONTROL_PLANE_COMPONENTS)[number];

export interface ControlPlaneMember {
  pod: KubeObject;
  component: ControlPlaneComponent;
  /** The component container's command followed by its args. */
  argv: string[];
  image?: string;
}

export function componentOf(pod: KubeObject): ControlPlaneComponent | undefined {
  const label = pod?.metadata?.labels?.component;
  if (CONTROL_PLANE_COMPONENTS.includes(label as ControlPlaneComponent)) return label as ControlPlaneComponent;
  const name = pod?.metadata?.name ?? "";
  return CONTROL_PLANE_COMPONENTS.find((c) => name.startsWith(`${c}-`));
}

export function controlPlaneMembers(ctx: CheckContext): ControlPlaneMember[] {
  const out: ControlPlaneMember[] = [];
  for (const pod of ctx.objects("pods")) {
    if (pod?.metadata?.namespace !== "kube-system") continue;
    const component = componentOf(pod);
    if (!component) continue;
    const containers = podContainers(pod.spec).filter((x) => x.kind === "container");
    const hit = containers.find(({ c }) => c.name === component) ?? containers[0];
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);
    out.push({
      pod,
      component,
      argv: hit ? [...strings(hit.c.command), ...strings(hit.c.args)] : [],
      image: typeof hit?.c.image === "string" ? hit.c.image : undefined,
    });
  }
  return out;
}

/** `--name=value` and `--name value` flags of a command line (the last one wins, as pflag does). */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("-")) flags.set(a, argv[++i]);
    else flags.set(a, "true");
  }
  return flags;
}

/** `A=true,B=false` → Map; entries without "=" keep an empty value. */
export function parseFeatureGates(value: string | undefined): Map<string, string> {
  const gates = new Map<string, string>();
  for (const part of (value ?? "").split(",")) {
    const [k, v = ""] = part.split("=").map((s) => s.trim());
    if (k) gates.set(k, v);
  }
  return gates;
}

/** The nodes a group of mirror pods runs on, for messages: "kube-apiserver on cp-1, cp-2". */
export function membersText(members: readonly ControlPlaneMember[]): string {
  const nodes = members.map((m) => m.pod.spec?.nodeName ?? m.pod.metadata?.name ?? "?");
  return `${members[0].component} on ${nodes.join(", ")}`;
}
