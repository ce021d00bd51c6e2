/**
 * The loaded part of a directory tree, and the rows a virtualised list shows for it.
 *
 * Directories are loaded one at a time (and large ones page by page) as the user expands them; this
 * module merges those pages, flattens the expanded part into rows, and answers keyboard navigation. It
 * is plain data in, plain data out, so Vitest can check it without a DOM.
 */
import type { TreeDirectory, TreeElement, TreePage } from "../api/types";
import type { DirKey, Hierarchy } from "./selection";

export interface DirInfo extends TreeDirectory {
  id: number;
  parent: DirKey;
}

/** A loaded element with the id of the directory it is in (the server gives its path only). */
export type LoadedElement = TreeElement & { dirId: DirKey | undefined };

export interface ChildList {
  dirs: number[];
  elements: number[];
  /** Total number of entries the server has for this directory (as it reported). */
  count: number;
  /** How many elements have been loaded (the next page's offset). */
  loaded: number;
  complete: boolean;
}

export interface TreeData {
  dirs: Readonly<Record<string, DirInfo>>;
  elements: Readonly<Record<string, LoadedElement>>;
  children: Readonly<Record<string, ChildList>>;
}

export const emptyTree = (): TreeData => ({ dirs: {}, elements: {}, children: {} });

export const dirKeyString = (dir: DirKey): string => (dir === null ? "root" : String(dir));

/**
 * Merges one page of a directory's children (as `GET tree/?parent=` answers) into the tree.
 *
 * The server lists a directory's sub-directories in full with the first page and pages the elements;
 * `count` may count elements only or directories and elements together — both are handled.
 */
export type PageOfChildren = Pick<TreePage, "directories" | "elements" | "count" | "offset" | "limit">;

export function mergePage(tree: TreeData, parent: DirKey, page: PageOfChildren): TreeData {
  const key = dirKeyString(parent);
  const prev = page.offset === 0 ? undefined : tree.children[key];
  const dirs = { ...tree.dirs };
  const elements = { ...tree.elements };
  const dirIds = prev ? [...prev.dirs] : [];
  const seenDirs = new Set(dirIds);
  for (const d of page.directories) {
    if (d.id === null) continue;
    dirs[String(d.id)] = { ...d, id: d.id, parent };
    if (!seenDirs.has(d.id)) {
      seenDirs.add(d.id);
      dirIds.push(d.id);
    }
  }
  const elementIds = prev ? [...prev.elements] : [];
  const seenElements = new Set(elementIds);
  for (const e of page.elements) {
    elements[String(e.id)] = { ...e, dirId: parent };
    if (!seenElements.has(e.id)) {
      seenElements.add(e.id);
      elementIds.push(e.id);
    }
  }
  const loaded = page.offset + page.elements.length;
  const complete =
    page.elements.length === 0 ||
    page.elements.length < page.limit ||
    loaded >= page.count;
  return {
    dirs,
    elements,
    children: { ...tree.children, [key]: { dirs: dirIds, elements: elementIds, count: page.count, loaded, complete } },
  };
}

/**
 * Adds elements found by a search (anywhere in the tree). Their directory is known by path only: it is
 * matched against the loaded directories, and stays unknown (treated as top-level) otherwise.
 */
export function addFoundElements(tree: TreeData, found: TreeElement[]): TreeData {
  if (!found.length) return tree;
  const byPath = new Map<string, number>();
  for (const d of Object.values(tree.dirs)) byPath.set(d.path.replace(/\/+$/, "") || "/", d.id);
  const elements = { ...tree.elements };
  for (const e of found) {
    const path = (e.directory || "/").replace(/\/+$/, "") || "/";
    const known = tree.elements[String(e.id)]?.dirId;
    elements[String(e.id)] = { ...e, dirId: known !== undefined ? known : path === "/" ? null : byPath.get(path) };
  }
  return { ...tree, elements };
}

/** Forgets what was loaded under a directory (to reload it after a change). */
export function invalidateDir(tree: TreeData, dir: DirKey): TreeData {
  const children = { ...tree.children };
  delete children[dirKeyString(dir)];
  return { ...tree, children };
}

/** Adapts the loaded tree to what the selection needs. */
export function hierarchyOf(tree: TreeData): Hierarchy {
  return {
    dirParent: (id) => tree.dirs[String(id)]?.parent,
    elementDir: (id) => tree.elements[String(id)]?.dirId,
    children: (dir) => tree.children[dirKeyString(dir)],
  };
}

export type Row =
  | { kind: "dir"; key: string; id: DirKey; depth: number; parent: DirKey | undefined; expanded: boolean; expandable: boolean }
  | { kind: "element"; key: string; id: number; depth: number; parent: DirKey }
  | { kind: "more"; key: string; parent: DirKey; depth: number }
  | { kind: "loading"; key: string; parent: DirKey; depth: number }
  | { kind: "empty"; key: string; parent: DirKey; depth: number };

/**
 * The rows for the expanded part of the tree, root first. `expanded` holds directory keys
 * (dirKeyString); the root row is always shown.
 */
export function flattenTree(tree: TreeData, expanded: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const walk = (dir: DirKey, depth: number, parent: DirKey | undefined) => {
    const key = dirKeyString(dir);
    const info = dir === null ? undefined : tree.dirs[key];
    const isExpanded = expanded.has(key);
    const list = tree.children[key];
    const expandable = dir === null || (info?.hasChildren ?? true) || (list !== undefined && list.dirs.length + list.elements.length > 0);
    rows.push({ kind: "dir", key: `d:${key}`, id: dir, depth, parent, expanded: isExpanded, expandable });
    if (!isExpanded) return;
    if (!list) {
      rows.push({ kind: "loading", key: `loading:${key}`, parent: dir, depth: depth + 1 });
      return;
    }
    for (const d of list.dirs) walk(d, depth + 1, dir);
    for (const e of list.elements) rows.push({ kind: "element", key: `e:${e}`, id: e, depth: depth + 1, parent: dir });
    if (!list.complete) rows.push({ kind: "more", key: `more:${key}`, parent: dir, depth: depth + 1 });
    else if (list.dirs.length + list.elements.length === 0) rows.push({ kind: "empty", key: `empty:${key}`, parent: dir, depth: depth + 1 });
  };
  walk(null, 0, undefined);
  return rows;
}

/** Rows for a search: every match as a flat list under the root. */
export function searchRows(ids: number[]): Row[] {
  return [
    { kind: "dir", key: "d:root", id: null, depth: 0, parent: undefined, expanded: true, expandable: true },
    ...ids.map((id): Row => ({ kind: "element", key: `e:${id}`, id, depth: 1, parent: null })),
  ];
}

export const isFocusable = (row: Row) => row.kind === "dir" || row.kind === "element";

export type KeyAction =
  | { type: "focus"; index: number }
  | { type: "expand"; row: Row & { kind: "dir" } }
  | { type: "collapse"; row: Row & { kind: "dir" } }
  | { type: "open"; row: Row & { kind: "element" } }
  | { type: "toggleCheck"; row: Row }
  | { type: "menu"; row: Row };

function step(rows: Row[], from: number, delta: 1 | -1): number {
  let i = from + delta;
  while (i >= 0 && i < rows.length) {
    if (isFocusable(rows[i])) return i;
    i += delta;
  }
  return from;
}

/** The label a row is found by when typing its first letters. */
export type RowLabel = (row: Row) => string;

/**
 * What a key press on the focused row does, per the WAI-ARIA tree pattern: arrows move and
 * expand/collapse, Home/End jump, Enter opens an element (or toggles a directory), Space toggles the
 * check box, Shift+F10 / ContextMenu opens the row's menu, and a printable character moves to the next
 * row starting with it.
 */
export function treeKeyAction(
  rows: Row[],
  focus: number,
  key: string,
  opts: { checkboxes: boolean; label?: RowLabel; shift?: boolean } = { checkboxes: false },
): KeyAction | null {
  if (rows.length === 0) return null;
  const index = Math.min(Math.max(focus, 0), rows.length - 1);
  const row = rows[index];
  switch (key) {
    case "ArrowDown":
      return { type: "focus", index: step(rows, index, 1) };
    case "ArrowUp":
      return { type: "focus", index: step(rows, index, -1) };
    case "Home":
      return { type: "focus", index: isFocusable(rows[0]) ? 0 : step(rows, 0, 1) };
    case "End": {
      const last = rows.length - 1;
      return { type: "focus", index: isFocusable(rows[last]) ? last : step(rows, last, -1) };
    }
    case "ArrowRight":
      if (row.kind !== "dir") return null;
      if (!row.expanded && row.expandable) return { type: "expand", row };
      if (row.expanded && index + 1 < rows.length && isFocusable(rows[index + 1]) && rows[index + 1].depth > row.depth)
        return { type: "focus", index: index + 1 };
      return null;
    case "ArrowLeft": {
      if (row.kind === "dir" && row.expanded && row.id !== null) return { type: "collapse", row };
      for (let i = index - 1; i >= 0; i--) {
        if (rows[i].kind === "dir" && rows[i].depth < row.depth) return { type: "focus", index: i };
      }
      return null;
    }
    case "Enter":
      if (row.kind === "element") return { type: "open", row };
      if (row.kind === "dir") return row.expanded ? (row.id === null ? null : { type: "collapse", row }) : { type: "expand", row };
      return null;
    case " ":
    case "Spacebar":
      return opts.checkboxes && isFocusable(row) ? { type: "toggleCheck", row } : null;
    case "ContextMenu":
      return { type: "menu", row };
    case "F10":
      return opts.shift ? { type: "menu", row } : null;
    default:
      if (key.length === 1 && opts.label && key.trim()) {
        const ch = key.toLowerCase();
        for (let n = 1; n <= rows.length; n++) {
          const i = (index + n) % rows.length;
          if (isFocusable(rows[i]) && opts.label(rows[i]).toLowerCase().startsWith(ch)) return { type: "focus", index: i };
        }
      }
      return null;
  }
}

/** A tree element's marking: red when never submitted, yellow when submitted but not scheduled. */
export function elementMark(e: Pick<TreeElement, "submitted" | "scheduled">, category: string): "unsubmitted" | "unscheduled" | null {
  if (!e.submitted) return "unsubmitted";
  if (category === "job" && !e.scheduled) return "unscheduled";
  return null;
}

/** The lock label shown beside an element ("Locked by you" / "Locked by <user>"), or null. */
export function lockLabel(e: Pick<TreeElement, "lockHolder" | "lockedByMe">): string | null {
  if (e.lockedByMe) return "Locked by you";
  if (e.lockHolder) return `Locked by ${e.lockHolder}`;
  return null;
}
