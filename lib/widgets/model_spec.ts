/**
 * What fixes a widget's model: its module, name and version and its view's
 * (the `_model_*` / `_view_*` keys), and how state keys map to the camelCase
 * properties cells use.
 *
 * @module
 */
import { constant, nullableInt, type Trait } from "./traits.ts";

/** The MIME type JupyterLab, Notebook 7 and VS Code render widgets from. */
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";

/** A model's module, name and version, and its view's: fixed when made. */
export interface ModelSpec {
  modelName: string;
  modelModule: string;
  modelModuleVersion: string;
  viewName: string | null;
  viewModule: string;
  viewModuleVersion: string;
}

/** The @jupyter-widgets/controls 2.0 model and view of `name` ("IntSlider"). */
export function controls(name: string, view = `${name}View`): ModelSpec {
  return {
    modelName: `${name}Model`,
    modelModule: "@jupyter-widgets/controls",
    modelModuleVersion: "2.0.0",
    viewName: view,
    viewModule: "@jupyter-widgets/controls",
    viewModuleVersion: "2.0.0",
  };
}

/** The property name of a state key: `continuous_update` -> `continuousUpdate`. */
export function camelName(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The state key of a property name: `continuousUpdate` -> `continuous_update`. */
export function snakeName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The property name of a key a cell may set, or undefined for the fixed
 * `_model_*` keys and private ones (`_dom_classes` is public: `domClasses`).
 */
export function publicName(key: string): string | undefined {
  if (key === "_dom_classes") return "domClasses";
  return key.startsWith("_") ? undefined : camelName(key);
}

export function specTraits(spec: ModelSpec): Record<string, Trait> {
  return {
    _model_module: constant(spec.modelModule),
    _model_module_version: constant(spec.modelModuleVersion),
    _model_name: constant(spec.modelName),
    _view_module: constant(spec.viewModule),
    _view_module_version: constant(spec.viewModuleVersion),
    _view_name: spec.viewName === null
      ? { default: () => null, validate: () => null, readOnly: true }
      : constant(spec.viewName),
    _view_count: nullableInt(null),
  };
}
