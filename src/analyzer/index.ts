/** CNN Studio's static analyzer: pure TypeScript, no `vscode` import, usable from the CLI. */
export { Analyzer, diskHost, MODULE_NAME, type AnalyzerHost, type AnalyzerOptions } from "./analyze";
export { LAYER_KINDS } from "./layers/index";
export { guardAgainstScannerHang } from "./parseGuard";
export { formatShape } from "./shape";
export type * from "../shared/analysis";
