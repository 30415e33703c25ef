// CRD-01: CRDs and their controller must move in lockstep. Helm never upgrades CRDs shipped in a
// chart's crds/ folder, so a controller upgrade can leave old CRDs behind (or new CRDs beside an
// old controller), and the API server then rejects the controller's writes: Kargo 1.5.2's
// promotions stuck Pending on "Required value" (INCIDENTS case 4).
import { decodeReleaseSecret, groupReleases, type ReleaseGroup, splitChartString } from "../../helm/release.ts";
import type { KubeObject } from "../../kube/resources.ts";
import { objectRef } from "../../kube/resources.ts";
import { listSome } from "../../text/english.ts";
import { compareChartVersions, imageTag, parseChartVersion } from "../../versions/chartVersion.ts";
import { describeRef, podContainers } from "../ownership.ts";
import type { Check, FindingInput } from "../types.ts";

const VERSION = "app.kubernetes.io/version";
const CHART = "helm.sh/chart";
const PART_OF = "app.kubernetes.io/part-of";
const INSTANCE = "app.kubernetes.io/instance";
const MANAGED_BY = "app.kubernetes.io/managed-by";
const RELEASE_NAME = "meta.helm.sh/release-name";
const RELEASE_NAMESPACE = "meta.helm.sh/release-namespace";

function labelsOf(o: KubeObject): Record<string, string> {
  const l = o?.metadata?.labels;
  return l && typeof l === "object" ? l : {};
}
function annotationsOf(o: KubeObject): Record<string, string> {
  const a = o?.metadata?.annotations;
  return a && typeof a === "object" ? a : {};
}

function helmManaged(o: KubeObject): boolean {
  return labelsOf(o)[MANAGED_BY] === "Helm" || typeof annotationsOf(o)[RELEASE_NAME] === "string";
}

/** Same version, tolerating a leading "v" and "1.5" vs "1.5.0"; build metadata (+up…) counts. */
function sameVersion(a: string, b: string): boolean {
  if (parseChartVersion(a) && parseChartVersion(b)) return compareChartVersions(a, b) === 0;
  return a.replace(/^v/, "") === b.replace(/^v/, "");
}

interface Candidate {
  value: string;
  source: string;
}

interface ControllerVersions {
  controller: KubeObject;
  app: Candidate[];
  chart: Array<Candidate & { chartName: string }>;
}

function controllerVersions(d: KubeObject, releases: Map<string, ReleaseGroup>): ControllerVersions {
  const labels = labelsOf(d);
  const app: Candidate[] = [];
  const chart: ControllerVersions["chart"] = [];
  if (labels[VERSION]) app.push({ value: labels[VERSION], source: `label ${VERSION}` });
  if (labels[CHART]) {
    const c = splitChartString(labels[CHART]);
    if (c.version) chart.push({ value: c.version, chartName: c.name, source: `label ${CHART}` });
  }
  for (const { c } of podContainers(d?.spec?.template?.spec)) {
    const tag = typeof c.image === "string" ? imageTag(c.image) : undefined;
    if (!tag) continue;
    app.push({ value: tag, source: `image ${c.image}` });
    // "v1.5.2-distroless" is still 1.5.2 for lockstep purposes.
    const core = /^v?\d+\.\d+(?:\.\d+)?/.exec(tag)?.[0];
    if (core && core !== tag) app.push({ value: core, source: `image ${c.image}` });
  }
  const ann = annotationsOf(d);
  const releaseName = ann[RELEASE_NAME];
  if (releaseName) {
    const group = releases.get(`${ann[RELEASE_NAMESPACE] ?? d.metadata?.namespace}/${releaseName}`);
    const rev = group?.newestDeployed;
    const decoded = rev ? decodeReleaseSecret(rev.secret) : undefined;
    if (decoded?.ok) {
      const { chart: meta } = decoded.release;
      const where = `release ${releaseName} revision ${decoded.release.revision}`;
      if (meta.version) chart.push({ value: meta.version, chartName: meta.name, source: `${where} chart` });
      if (meta.appVersion) app.push({ value: meta.appVersion, source: `${where} appVersion` });
    }
  }
  return { controller: d, app, chart };
}

function matches(crd: KubeObject, d: KubeObject): boolean {
  const cl = labelsOf(crd);
  const dl = labelsOf(d);
  if (cl[PART_OF] && cl[PART_OF] === dl[PART_OF]) return true;
  if (cl[INSTANCE] && cl[INSTANCE] === dl[INSTANCE]) return true;
  const ca = annotationsOf(crd);
  const da = annotationsOf(d);
  return !!ca[RELEASE_NAME] && ca[RELEASE_NAME] === da[RELEASE_NAME] && ca[RELEASE_NAMESPACE] === da[RELEASE_NAMESPACE];
}

export const crd01CrdControllerMismatch: Check = {
  id: "CRD-01",
  severity: "high",
  title: "CRD version differs from its controller, or CRD is not upgraded with it",
  remediation:
    "Apply the CRDs that ship with the controller's chart version (`helm show crds <chart> --version <v> | kubectl apply --server-side -f -`) before or together with the controller upgrade; Helm never upgrades CRDs in a chart's crds/ folder.",
  reads: ["crds", "deployments", "helmReleases"],
  evaluate(ctx) {
    const deployments = ctx.objects("deployments");
    const releases = new Map(
      groupReleases(ctx.objects("helmReleases")).groups.map((g) => [`${g.namespace}/${g.name}`, g]),
    );
    const versionsCache = new Map<KubeObject, ControllerVersions>();
    const versionsOf = (d: KubeObject) => {
      let v = versionsCache.get(d);
      if (!v) {
        v = controllerVersions(d, releases);
        versionsCache.set(d, v);
      }
      return v;
    };
    // One controller whose CRDs lag behind is one problem (one `kubectl apply` fixes it), however
    // many CRDs it owns: CRDs with the same controller and the same version gap are one finding,
    // anchored at the controller, listing the CRDs.
    interface Gap {
      controller: KubeObject;
      crds: string[];
      /** `crds` names them ("CRD x" or "3 CRDs (x, y and z)"); `many` picks the verb's number. */
      message: (crds: string, many: boolean) => string;
      evidence: string;
      remediation: (crds: string) => string;
    }
    const gaps = new Map<string, Gap>();
    const addGap = (key: string, gap: Omit<Gap, "crds">, crdName: string) => {
      const existing = gaps.get(key);
      if (existing) existing.crds.push(crdName);
      else gaps.set(key, { ...gap, crds: [crdName] });
    };
    for (const crd of ctx.objects("crds")) {
      const labels = labelsOf(crd);
      if (!labels[PART_OF] && !labels[INSTANCE] && !annotationsOf(crd)[RELEASE_NAME]) continue;
      const controllers = deployments.filter((d) => matches(crd, d));
      if (controllers.length === 0) continue;
      const ref = objectRef(crd, { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" });
      const versions = controllers.map(versionsOf);
      const controllerName = describeRef(objectRef(controllers[0], { apiVersion: "apps/v1", kind: "Deployment" }));

      const crdApp = labels[VERSION];
      // Declared versions (labels, release appVersion) win over image tags: sidecars and odd tag
      // schemes make tags a weaker signal, used only when nothing is declared.
      const declared = versions.flatMap((v) => v.app.filter((c) => !c.source.startsWith("image ")));
      const appCandidates = declared.length > 0 ? declared : versions.flatMap((v) => v.app);
      let mismatch: { key: string; evidence: string; message: (crds: string, many: boolean) => string } | undefined;
      if (crdApp && appCandidates.length > 0 && !appCandidates.some((c) => sameVersion(crdApp, c.value))) {
        const first = appCandidates[0];
        mismatch = {
          key: `app|${crdApp}|${first.value}`,
          evidence: `label ${VERSION}=${crdApp}; controller ${first.source} → ${first.value}`,
          message: (crds, many) =>
            `${crds} ${many ? "are" : "is"} labelled version ${crdApp} but ${controllerName}, ${many ? "their" : "its"} controller, runs ${first.value}`,
        };
      }
      const crdChart = labels[CHART] ? splitChartString(labels[CHART]) : undefined;
      if (!mismatch && crdChart?.version) {
        const sameChart = versions.flatMap((v) => v.chart).filter((c) => c.chartName === crdChart.name);
        if (sameChart.length > 0 && !sameChart.some((c) => sameVersion(crdChart.version, c.value))) {
          mismatch = {
            key: `chart|${labels[CHART]}|${sameChart[0].value}`,
            evidence: `label ${CHART}=${labels[CHART]}; controller ${sameChart[0].source} → ${sameChart[0].value}`,
            message: (crds, many) =>
              `${crds} ${many ? "come" : "comes"} from chart ${labels[CHART]} but ${controllerName}, ${many ? "their" : "its"} controller, runs chart version ${sameChart[0].value}`,
          };
        }
      }
      const helmController = controllers.find(helmManaged);
      const unmanaged = !helmManaged(crd) && helmController !== undefined;
      if (mismatch) {
        const { message } = mismatch;
        addGap(
          `${controllerName}|${mismatch.key}|${unmanaged}`,
          {
            controller: controllers[0],
            message: (crds, many) =>
              `${message(crds, many)}; the API server may reject the controller's writes until they match${unmanaged ? ` (${many ? "the CRDs are" : "the CRD is"} not managed by Helm, so \`helm upgrade\` will not fix ${many ? "them" : "it"})` : ""}.`,
            evidence: mismatch.evidence,
            remediation: (crds) =>
              `Apply ${crds} from the same release as ${controllerName} (server-side apply), then restart the controller.`,
          },
          ref.name,
        );
      } else if (unmanaged) {
        const release =
          annotationsOf(helmController)[RELEASE_NAME] ?? labelsOf(helmController)[INSTANCE] ?? "its release";
        const helmName = describeRef(objectRef(helmController, { apiVersion: "apps/v1", kind: "Deployment" }));
        addGap(
          `${helmName}|unmanaged|${release}`,
          {
            controller: helmController,
            message: (crds, many) =>
              `${crds} ${many ? "have" : "has"} no Helm ownership while ${many ? "their" : "its"} controller ${helmName} is managed by Helm release ${release}: ${many ? "they were" : "it was"} installed from the chart's crds/ folder and \`helm upgrade\` will never update ${many ? "them" : "it"}.`,
            evidence: `CRD without label ${MANAGED_BY}=Helm or annotation ${RELEASE_NAME}; controller label ${MANAGED_BY}=${labelsOf(helmController)[MANAGED_BY] ?? "(none)"}, annotation ${RELEASE_NAME}=${annotationsOf(helmController)[RELEASE_NAME] ?? "(none)"}`,
            remediation: () =>
              `On every upgrade of ${release}, apply its CRDs first: \`helm show crds <chart> --version <new version> | kubectl apply --server-side -f -\`.`,
          },
          ref.name,
        );
      }
    }
    const findings: FindingInput[] = [];
    for (const gap of gaps.values()) {
      const crds = gap.crds.sort();
      const list = listSome(crds, 10);
      const subject = crds.length === 1 ? `CRD ${list}` : `${crds.length} CRDs (${list})`;
      findings.push({
        object: objectRef(gap.controller, { apiVersion: "apps/v1", kind: "Deployment" }),
        message: gap.message(subject, crds.length > 1),
        evidence: gap.evidence,
        remediation: gap.remediation(crds.length === 1 ? `the CRD ${list}` : `the CRDs ${list}`),
      });
    }
    return findings;
  },
};
