// VER-01: a pre-release is running: a chart or app version of a Helm release, or a container
// image tag. Upgrade paths are tested from stable releases; from a release candidate, version
// logic can judge the RC "already at" the release and skip a step (INCIDENTS case 3, where the
// RC hid in `+up0.12.0-rc.3` build metadata that plain semver ignores).
import { decodeReleaseSecret, groupReleases, type ReleaseRevision } from "../../helm/release.ts";
import { type KubeObject, objectRef, type ResourceKey } from "../../kube/resources.ts";
import { listSome } from "../../text/english.ts";
import { imageTag, isPreRelease, isPreReleaseTag } from "../../versions/chartVersion.ts";
import { createOwnerResolver, describeRef, findWorkload, podContainers, refKey } from "../ownership.ts";
import type { Check, FindingInput, ObjectRef } from "../types.ts";

const WORKLOADS = ["deployments", "statefulsets", "daemonsets"] as const satisfies readonly ResourceKey[];

/** "registry:5000/team/app:v1-rc.1@sha256:…" → "registry:5000/team/app". */
function imageRepository(image: string, tag: string): string {
  return image.split("@")[0].slice(0, -(tag.length + 1));
}

function templateImages(workload: KubeObject): Set<string> {
  const images = new Set<string>();
  for (const { c } of podContainers(workload?.spec?.template?.spec))
    if (typeof c.image === "string") images.add(c.image);
  return images;
}

function releaseFindings(ctx: Parameters<Check["evaluate"]>[0]): FindingInput[] {
  const findings: FindingInput[] = [];
  for (const group of groupReleases(ctx.objects("helmReleases")).groups) {
    // The newest revision is what was last attempted; the newest deployed one is what runs.
    const revisions: ReleaseRevision[] = [group.newest];
    if (group.newestDeployed && group.newestDeployed !== group.newest) revisions.push(group.newestDeployed);
    const seen = new Set<string>();
    for (const rev of revisions) {
      const decoded = decodeReleaseSecret(rev.secret);
      if (!decoded.ok) continue; // API-01 reports undecodable releases once.
      const { chart } = decoded.release;
      const hits: string[] = [];
      if (chart.version && isPreRelease(chart.version)) hits.push(`chart.version=${chart.version}`);
      if (chart.appVersion && isPreRelease(chart.appVersion)) hits.push(`chart.appVersion=${chart.appVersion}`);
      if (hits.length === 0) continue;
      const key = hits.join(" ");
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        object: objectRef(rev.secret),
        message: `Helm release ${group.namespace}/${group.name} revision ${rev.labels.revision} (${rev.labels.status}) uses pre-release chart ${chart.name}-${chart.version}${chart.appVersion ? ` (app ${chart.appVersion})` : ""}; upgrade paths are tested from stable releases and version checks may treat it as already current.`,
        evidence: `${hits.join(", ")} (revision ${rev.labels.revision}, status ${rev.labels.status})`,
        remediation: `Move ${group.name} to a stable chart release (\`helm upgrade ${group.name} <repo>/${chart.name} --version <stable> -n ${group.namespace}\` with the current values) before upgrading the cluster.`,
      });
    }
  }
  return findings;
}

/** Where one pre-release image runs: a workload's template, or pods no template explains. */
interface ImagePlace {
  object: ObjectRef;
  /** "Deployment apps/web (container c0)" */
  where: string;
  evidence: string;
}

// One pre-release image is one problem, however many workloads and pods run it: the fix is the
// same pin in each place. The finding is anchored at the first place (a workload before pods).
function imageFindings(ctx: Parameters<Check["evaluate"]>[0]): FindingInput[] {
  const byImage = new Map<string, { tag: string; places: ImagePlace[] }>();
  const add = (image: string, tag: string, place: ImagePlace) => {
    const entry = byImage.get(image);
    if (entry) entry.places.push(place);
    else byImage.set(image, { tag, places: [place] });
  };
  const workloadLists = WORKLOADS.map((k) => ctx.objects(k));
  for (const list of workloadLists) {
    for (const w of list) {
      for (const { kind, c } of podContainers(w?.spec?.template?.spec)) {
        const tag = typeof c.image === "string" ? imageTag(c.image) : undefined;
        if (!tag || !isPreReleaseTag(tag)) continue;
        const ref = objectRef(w);
        add(c.image, tag, {
          object: ref,
          where: `${describeRef(ref)} (${kind} ${c.name ?? "(unnamed)"})`,
          evidence: `spec.template.spec.${kind}s[${c.name ?? "?"}].image=${c.image}`,
        });
      }
    }
  }
  // Pods count once per owning workload and image, and not at all when the owning workload's
  // template already carries the image (the place above covers it).
  const resolve = createOwnerResolver(ctx.objects("replicasets"));
  const reported = new Set<string>();
  // 10,000 pods run a few hundred distinct images: judge each image once.
  const preReleaseTag = new Map<string, string | undefined>();
  const tagIfPreRelease = (image: string): string | undefined => {
    if (!preReleaseTag.has(image)) {
      const tag = imageTag(image);
      preReleaseTag.set(image, tag && isPreReleaseTag(tag) ? tag : undefined);
    }
    return preReleaseTag.get(image);
  };
  for (const pod of ctx.objects("pods")) {
    for (const { kind, c } of podContainers(pod?.spec)) {
      const tag = typeof c.image === "string" ? tagIfPreRelease(c.image) : undefined;
      if (!tag) continue;
      const owner = resolve(pod);
      const workload = findWorkload(owner, workloadLists);
      if (workload && templateImages(workload).has(c.image)) continue;
      const key = `${refKey(owner)}|${c.image}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const isSelf = owner.kind === "Pod";
      add(c.image, tag, {
        object: isSelf ? objectRef(pod) : owner,
        where: `${isSelf ? describeRef(owner) : `pods of ${describeRef(owner)}`} (${kind} ${c.name ?? "(unnamed)"})`,
        evidence: `pod ${pod.metadata?.name ?? "(unnamed)"} spec.${kind}s[${c.name ?? "?"}].image=${c.image}`,
      });
    }
  }
  const findings: FindingInput[] = [];
  for (const [image, { tag, places }] of byImage) {
    const owners = [...new Set(places.map((p) => describeRef(p.object)))];
    findings.push({
      object: places[0].object,
      message: `Pre-release image ${image} runs in ${listSome(places.map((p) => p.where))}.`,
      evidence: listSome(
        places.map((p) => p.evidence),
        3,
      ),
      remediation: `Pin ${listSome(owners)} to a stable release of ${imageRepository(image, tag)} before upgrading the cluster.`,
    });
  }
  return findings;
}

export const ver01PrereleaseInUse: Check = {
  id: "VER-01",
  severity: "high",
  title: "Pre-release chart, app or image version in use",
  remediation:
    "Move pre-release charts and images to a stable release before upgrading the cluster; supported upgrade paths start from stable releases.",
  reads: ["helmReleases", "pods", "replicasets", ...WORKLOADS],
  evaluate(ctx) {
    return [...releaseFindings(ctx), ...imageFindings(ctx)];
  },
};
