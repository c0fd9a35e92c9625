import type { ModelAnalysis } from "../shared/analysis";
import type { AnalysisParams, AnalysisResult, GraphEdge, ModelGraph } from "../shared/lsp";
import type { OpenDocuments } from "./documents";
import type { AnalysisSession } from "./session";
import type { Snapshot } from "./snapshot";
import { uriToPath } from "./uris";

/**
 * `cnnStudio/analysis`: the whole analysis of a document for the sidebar and the panels — the
 * open buffer's latest text (analysed now if an edit is pending), or the file on disk.
 */
export function analysisResult(session: AnalysisSession, docs: OpenDocuments, params: AnalysisParams): AnalysisResult {
  const uri = params.textDocument.uri;
  const file = uriToPath(uri);
  const open = docs.get(uri);
  const empty: AnalysisResult = { uri, file, version: open ? open.document.version : null, isModelFile: false, models: [], diagnostics: [], dependencies: [] };
  let snapshot: Snapshot | undefined;
  if (open) {
    if (!open.isModelFile) return empty;
    snapshot = session.snapshot(file);
  } else {
    const text = session.readFile(file);
    if (text === undefined || !docs.isModelFile(uri, "typescript", text)) return empty;
    snapshot = session.analyseClosed(file);
  }
  if (!snapshot) return empty;
  return {
    uri,
    file,
    version: snapshot.version,
    isModelFile: true,
    models: snapshot.analysis.models.map(withEdges),
    diagnostics: snapshot.analysis.diagnostics,
    dependencies: snapshot.analysis.dependencies,
  };
}

export function withEdges(model: ModelAnalysis): ModelGraph {
  const edges: GraphEdge[] = [];
  for (const node of model.graph) {
    for (const from of node.inputs) {
      const source = model.graph[from];
      if (source) edges.push({ from, to: node.id, shape: source.output });
    }
  }
  return { ...model, edges };
}
