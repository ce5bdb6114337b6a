/**
 * The node catalogue as the extension knows it without a kernel.
 *
 * `catalog.json` is generated from the Python catalogue (`python -m flow_nb.notebook.mime`); a Python
 * test fails when it is stale, so the two cannot drift apart.
 */
import data from './catalog.json';

/** A condition a node type can meet, with the short names a `%%flow` cell may use for it. */
export interface ICondition {
  id: number | string;
  system_name: string;
  display_name: string;
  aliases: string[];
}

/** One node type: its family (the colour), its main text, conditions and cell options. */
export interface INodeType {
  key: string;
  id: number;
  display_name: string;
  family: string;
  main_field: string | null;
  /** False where the main text is not a Jinja2 template (custom code is Python). */
  templated: boolean;
  default_condition: string | null;
  conditions: ICondition[];
  /** Option flag -> whether it takes a value. */
  options: Record<string, boolean>;
}

export interface ICatalog {
  types: INodeType[];
  error: { id: number | string; system_name: string; display_name: string };
  general_options: Record<string, boolean>;
  family_colours: Record<string, string>;
}

export const CATALOG: ICatalog = data as unknown as ICatalog;

/** The prefix of a classification's per-label conditions (`label:billing`). */
export const LABEL_PREFIX = 'label:';

/** Colour of a node whose type this extension does not know (a third-party type). */
export const UNKNOWN_COLOUR = '#6c757d';

const byKey = new Map<string, INodeType>();
const byId = new Map<string, INodeType>();
for (const type of CATALOG.types) {
  byKey.set(type.key, type);
  byKey.set(type.display_name.toLowerCase(), type);
  byId.set(String(type.id), type);
}

/** A node type by key, display name or numeric id, as `get_type` finds it in Python. */
export function findType(name: string | number | undefined | null): INodeType | undefined {
  if (name === undefined || name === null) {
    return undefined;
  }
  const wanted = String(name).trim().toLowerCase();
  return byKey.get(wanted) ?? byId.get(wanted);
}

/** The fill colour of a node of this type (by its family). */
export function colourOf(type: string | number | undefined | null): string {
  const found = findType(type);
  return (found && CATALOG.family_colours[found.family]) ?? UNKNOWN_COLOUR;
}

/** Every name a condition answers to, lower-cased: system name, short names, id. */
export function conditionNames(condition: {
  id: number | string;
  system_name: string;
  aliases?: string[];
}): string[] {
  return [
    condition.system_name.toLowerCase(),
    ...(condition.aliases ?? []).map(a => a.toLowerCase()),
    String(condition.id).toLowerCase()
  ];
}

/** The short name a graph labels a condition with (its first alias, as the Python SVG does). */
export function conditionLabel(systemName: string): string {
  for (const type of CATALOG.types) {
    for (const condition of type.conditions) {
      if (condition.system_name === systemName) {
        return condition.aliases[0] ?? systemName;
      }
    }
  }
  return systemName;
}
