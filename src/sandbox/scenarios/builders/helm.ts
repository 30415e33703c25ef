// Helm releases as Helm 3 stores them: one Secret per revision.
import { helmReleaseSecret } from "../../../helm/release.ts";
import type { KubeObject } from "../../../kube/resources.ts";

/** One release's history: [chart, status, appVersion] per revision, oldest first. */
export function helm(name: string, namespace: string, revisions: Array<[string, string, string?]>): KubeObject[] {
  return revisions.map(([chart, status, appVersion], i) =>
    helmReleaseSecret({ name, namespace, revision: i + 1, status, chart, appVersion }),
  );
}
