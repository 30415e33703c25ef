// The tests' real Helm and kubectl: the extraction lives in src/sandbox/realBinaries.ts, which the
// demo shares (it makes its Helm releases with real Helm where the binary is available).
export { helmBinary, kubectlBinary } from "../../src/sandbox/realBinaries.ts";
