import type { KubeObject } from "../../kube/resources.ts";

/** One committed scenario file: src/sandbox/scenarios/<file>, written by generate.ts from `objects()`. */
export interface Scenario {
  /** The YAML file's name in src/sandbox/scenarios/; the scenario's module is the same name with .ts. */
  file: string;
  /** One line, written as a comment under the file's header. */
  description: string;
  /** Fresh objects at every call (builders return new objects; some scenarios adjust them in place). */
  objects: () => KubeObject[];
}
