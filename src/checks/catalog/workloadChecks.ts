// The workload half of the preflight catalogue (pods, nodes, budgets, add-ons, configuration),
// in id order. The integrator concatenates it with releaseAndVersionChecks.
import type { Check } from "../types.ts";
import { add01 } from "./add-01-stale-addons.ts";
import { cfg01 } from "./cfg-01-config-schema.ts";
import { node01 } from "./node-01-nodes-not-ready.ts";
import { pdb01 } from "./pdb-01-pdb-blocks-drain.ts";
import { pdb02 } from "./pdb-02-overlapping-pdbs.ts";
import { pod01 } from "./pod-01-crashing-containers.ts";
import { prb01 } from "./prb-01-liveness-before-start.ts";
import { ref01 } from "./ref-01-missing-config-refs.ts";
import { wl01 } from "./wl-01-no-spread.ts";

export const workloadChecks: Check[] = [add01, cfg01, node01, pdb01, pdb02, pod01, prb01, ref01, wl01];
