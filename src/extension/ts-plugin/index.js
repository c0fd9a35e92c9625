// @ts-check
"use strict";
/**
 * CNN Studio's TypeScript server plugin (contributed through `typescriptServerPlugins`).
 *
 * Model files import from "cnn-studio", a module that exists only as declarations. In a workspace
 * without `node_modules/cnn-studio` or a `paths` mapping, TypeScript cannot resolve it, and every
 * model file would show "Cannot find module 'cnn-studio'" with no completions. This plugin lets the
 * TypeScript server resolve the module to the declaration file shipped with the extension, but
 * only where TypeScript's own resolution fails: a workspace's own copy always wins.
 *
 * Where the declarations are: `typings` from the plugin configuration when the extension sends
 * one, otherwise `types/cnn-studio.d.ts` of the nearest folder above this file that has it
 * (the extension's root, both in the VSIX, where the plugin lies in `node_modules/`, and in a
 * development checkout).
 *
 * Plain CommonJS without dependencies: the TypeScript server loads it with `require`.
 */
const fs = require("fs");
const path = require("path");

const MODULE_NAME = "cnn-studio";
const TYPINGS = path.join("types", "cnn-studio.d.ts");

/**
 * The bundled declarations, searched upwards from `start`; undefined when none is found.
 * @param {string} start
 * @returns {string | undefined}
 */
function findTypings(start) {
  let dir = start;
  try {
    dir = fs.realpathSync(start);
  } catch {
    // keep the path as given
  }
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, TYPINGS);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/**
 * @param {{ typescript: typeof import("typescript") }} modules
 */
function init(modules) {
  const ts = modules.typescript;
  /** @type {string | undefined} */
  let configured;
  const found = findTypings(__dirname);

  /** @returns {string | undefined} */
  function typingsFile() {
    return configured ?? found;
  }

  /** @returns {import("typescript").ResolvedModuleFull | undefined} */
  function fallback() {
    const file = typingsFile();
    if (!file) return undefined;
    return { resolvedFileName: file.replace(/\\/g, "/"), extension: ts.Extension.Dts, isExternalLibraryImport: true, resolvedUsingTsExtension: false };
  }

  /** @param {import("typescript").server.PluginCreateInfo} info */
  function create(info) {
    /** @type {any} */
    const host = info.languageServiceHost;
    const log = (/** @type {string} */ msg) => info.project.projectService.logger.info(`[cnn-studio-ts-plugin] ${msg}`);
    log(`declarations: ${typingsFile() ?? "(not found)"}`);

    // TypeScript 5.0+: module literals.
    if (typeof host.resolveModuleNameLiterals === "function") {
      const original = host.resolveModuleNameLiterals.bind(host);
      host.resolveModuleNameLiterals = (/** @type {readonly import("typescript").StringLiteralLike[]} */ literals, /** @type {unknown[]} */ ...rest) => {
        /** @type {import("typescript").ResolvedModuleWithFailedLookupLocations[]} */
        const results = original(literals, ...rest);
        return results.map((r, i) => {
          if (r.resolvedModule || literals[i]?.text !== MODULE_NAME) return r;
          const resolved = fallback();
          return resolved ? { ...r, resolvedModule: resolved } : r;
        });
      };
    }
    // Older TypeScript: module names.
    if (typeof host.resolveModuleNames === "function") {
      const original = host.resolveModuleNames.bind(host);
      host.resolveModuleNames = (/** @type {string[]} */ names, /** @type {unknown[]} */ ...rest) => {
        /** @type {(import("typescript").ResolvedModule | undefined)[]} */
        const results = original(names, ...rest);
        return results.map((r, i) => (r || names[i] !== MODULE_NAME ? r : fallback()));
      };
    }
    return info.languageService;
  }

  /** @param {unknown} config */
  function onConfigurationChanged(config) {
    const typings = config && typeof config === "object" ? /** @type {{ typings?: unknown }} */ (config).typings : undefined;
    configured = typeof typings === "string" && typings.length > 0 ? typings : undefined;
  }

  return { create, onConfigurationChanged };
}

module.exports = init;
