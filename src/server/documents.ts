import { TextDocument } from "vscode-languageserver-textdocument";
import type { TextDocumentContentChangeEvent } from "vscode-languageserver";
import { importsCnnStudio, isModelFileLocation, isTypeScriptDocument } from "../shared/modelFile";
import { uriToPath } from "./uris";

/**
 * The documents the client has open, by URI and by absolute path, with their latest text. Every
 * open TypeScript document is kept (a model file may import a helper that is open and unsaved);
 * only model files (importing "cnn-studio") are analysed.
 */

export interface OpenDocument {
  readonly uri: string;
  readonly path: string;
  readonly document: TextDocument;
  /** Whether the text imports "cnn-studio" (rechecked on every change). */
  isModelFile: boolean;
}

export class OpenDocuments {
  private readonly byUri = new Map<string, OpenDocument>();
  private readonly byPath = new Map<string, OpenDocument>();
  /**
   * A TypeScript document that imports "cnn-studio" where a model file can be: not a .d.ts, not in
   * node_modules. (A model file opened from outside the workspace is analysed: a user may open one.)
   */
  isModelFile(uri: string, languageId: string, text: string): boolean {
    return isTypeScriptDocument(uri, languageId) && isModelFileLocation(uri) && importsCnnStudio(text);
  }

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    const path = uriToPath(uri);
    const doc: OpenDocument = {
      uri,
      path,
      document: TextDocument.create(uri, languageId, version, text),
      isModelFile: this.isModelFile(uri, languageId, text),
    };
    this.byUri.set(uri, doc);
    this.byPath.set(path, doc);
    return doc;
  }

  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const doc = this.byUri.get(uri);
    if (!doc) return undefined;
    TextDocument.update(doc.document, [...changes], version);
    doc.isModelFile = this.isModelFile(uri, doc.document.languageId, doc.document.getText());
    return doc;
  }

  close(uri: string): OpenDocument | undefined {
    const doc = this.byUri.get(uri);
    if (!doc) return undefined;
    this.byUri.delete(uri);
    if (this.byPath.get(doc.path) === doc) this.byPath.delete(doc.path);
    return doc;
  }

  get(uri: string): OpenDocument | undefined {
    return this.byUri.get(uri);
  }

  getByPath(path: string): OpenDocument | undefined {
    return this.byPath.get(path);
  }

  all(): IterableIterator<OpenDocument> {
    return this.byUri.values();
  }
}
