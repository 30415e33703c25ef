// Schema checks shared by the kustomize and Helm chart tests: every rendered object against the
// official Kubernetes OpenAPI schema, and hand-written field names against Kubernetes 1.32's.
import type { KubeObject } from "../../src/kube/resources.ts";

// kubernetes-models: one class per apiVersion/kind, each validating against the official
// Kubernetes OpenAPI schema (types, required fields, enums) offline.
export async function validateObject(o: KubeObject): Promise<void> {
  const [group, version] = o.apiVersion!.includes("/") ? o.apiVersion!.split("/") : ["", o.apiVersion!];
  const modulePath = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  const mod = (await import(modulePath)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = mod[o.kind!];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

// The schema check above accepts unknown fields (the models allow additional properties), and a
// real API server drops or rejects them. The objects written by hand here are held to the
// Kubernetes 1.32 field names, so a typo such as readOnlyRootFileSystem fails this test.
export const KNOWN_FIELDS = {
  podSpec:
    "activeDeadlineSeconds affinity automountServiceAccountToken containers dnsConfig dnsPolicy enableServiceLinks ephemeralContainers hostAliases hostIPC hostNetwork hostPID hostUsers hostname imagePullSecrets initContainers nodeName nodeSelector os overhead preemptionPolicy priority priorityClassName readinessGates resourceClaims resources restartPolicy runtimeClassName schedulerName schedulingGates securityContext serviceAccount serviceAccountName setHostnameAsFQDN shareProcessNamespace subdomain terminationGracePeriodSeconds tolerations topologySpreadConstraints volumes",
  podSecurityContext:
    "appArmorProfile fsGroup fsGroupChangePolicy runAsGroup runAsNonRoot runAsUser seLinuxChangePolicy seLinuxOptions seccompProfile supplementalGroups supplementalGroupsPolicy sysctls windowsOptions",
  container:
    "args command env envFrom image imagePullPolicy lifecycle livenessProbe name ports readinessProbe resizePolicy resources restartPolicy securityContext startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty volumeDevices volumeMounts workingDir",
  probe:
    "exec failureThreshold grpc httpGet initialDelaySeconds periodSeconds successThreshold tcpSocket terminationGracePeriodSeconds timeoutSeconds",
  securityContext:
    "allowPrivilegeEscalation appArmorProfile capabilities privileged procMount readOnlyRootFilesystem runAsGroup runAsNonRoot runAsUser seLinuxOptions seccompProfile windowsOptions",
};

export function unknownFields(obj: object | undefined, known: string, where: string): string[] {
  const allowed = new Set(known.split(" "));
  return Object.keys(obj ?? {})
    .filter((k) => !allowed.has(k))
    .map((k) => `${where}.${k}`);
}

interface ContainerFields {
  name: string;
  securityContext?: object;
  startupProbe?: object;
  livenessProbe?: object;
  readinessProbe?: object;
}

/** Unknown field names in the pod specs of every Deployment, StatefulSet and DaemonSet. */
export function unknownPodFields(objects: KubeObject[]): string[] {
  const unknown: string[] = [];
  for (const o of objects.filter((x) => ["Deployment", "StatefulSet", "DaemonSet"].includes(x.kind!))) {
    const owner = `${o.kind}/${o.metadata!.name}`;
    const spec = o.spec.template.spec;
    unknown.push(...unknownFields(spec, KNOWN_FIELDS.podSpec, owner));
    unknown.push(...unknownFields(spec.securityContext, KNOWN_FIELDS.podSecurityContext, `${owner}.securityContext`));
    for (const c of spec.containers as ContainerFields[]) {
      const where = `${owner}.${c.name}`;
      unknown.push(...unknownFields(c, KNOWN_FIELDS.container, where));
      unknown.push(...unknownFields(c.securityContext, KNOWN_FIELDS.securityContext, `${where}.securityContext`));
      for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"] as const) {
        unknown.push(...unknownFields(c[probe], KNOWN_FIELDS.probe, `${where}.${probe}`));
      }
    }
  }
  return unknown;
}
