/**
 * Check-box selection in a lazily loaded directory tree.
 *
 * A selection is a set of explicit decisions: the root's select-all box, and "included"/"excluded" marks on
 * directories and elements (jobs or scripts). Anything without a mark of its own takes the decision of its
 * nearest marked ancestor, so ticking a directory selects every descendant, loaded or not, and the
 * selection can be sent to the server as `directoryIds` + `jobIds` without listing unloaded children.
 *
 * Marks are kept minimal: a mark equal to what its parent would give is dropped, and ticking a directory
 * drops the marks below it. When every loaded child of a fully loaded directory ends up in the same state,
 * the directory takes that state itself (so three ticked jobs that are a whole directory become that
 * directory).
 */

import type { BatchSelection } from "../api/types";

/** A directory id, or null for the root. */
export type DirKey = number | null;

export interface Selection {
  root: boolean;
  dirs: Readonly<Record<string, boolean>>;
  elements: Readonly<Record<string, boolean>>;
}

/** What the selection needs to know of the tree (only loaded nodes can carry marks). */
export interface Hierarchy {
  /** Parent of a directory; null for a top-level directory; undefined when unknown (treated as top-level). */
  dirParent(id: number): DirKey | undefined;
  /** Directory of an element; null at the root; undefined when unknown. */
  elementDir(id: number): DirKey | undefined;
  /** The loaded children of a directory and whether that list is complete; undefined when never loaded. */
  children(dir: DirKey): { dirs: number[]; elements: number[]; complete: boolean } | undefined;
}

export type CheckState = boolean | "mixed";

export const emptySelection = (): Selection => ({ root: false, dirs: {}, elements: {} });

export function hasAnyChecked(sel: Selection): boolean {
  return sel.root || Object.values(sel.dirs).some(Boolean) || Object.values(sel.elements).some(Boolean);
}

/** The directories from `dir` up to the root, `dir` first, the root (null) last. */
export function dirChain(h: Hierarchy, dir: DirKey): DirKey[] {
  const chain: DirKey[] = [];
  const seen = new Set<number>();
  let current: DirKey = dir;
  while (current !== null) {
    if (seen.has(current)) break; // a cycle in bad data must not hang the page
    seen.add(current);
    chain.push(current);
    const parent: DirKey | undefined = h.dirParent(current);
    current = parent === undefined ? null : parent;
  }
  chain.push(null);
  return chain;
}

function dirMark(sel: Selection, dir: DirKey): boolean | undefined {
  return dir === null ? sel.root : sel.dirs[String(dir)];
}

/** A directory's own state, ignoring its descendants' marks: its mark or its nearest marked ancestor's. */
export function dirBase(sel: Selection, h: Hierarchy, dir: DirKey): boolean {
  for (const d of dirChain(h, dir)) {
    const mark = dirMark(sel, d);
    if (mark !== undefined) return mark;
  }
  return sel.root;
}

export function isElementChecked(sel: Selection, h: Hierarchy, id: number): boolean {
  const own = sel.elements[String(id)];
  if (own !== undefined) return own;
  const dir = h.elementDir(id);
  return dirBase(sel, h, dir === undefined ? null : dir);
}

const rootKey = "root";
const keyOf = (dir: DirKey) => (dir === null ? rootKey : String(dir));

/**
 * The directories (and root) that are partly selected: a directory is mixed when some mark below it
 * disagrees with its own state.
 */
export function mixedDirs(sel: Selection, h: Hierarchy): Set<string> {
  const mixed = new Set<string>();
  const baseCache = new Map<string, boolean>();
  const base = (d: DirKey) => {
    const k = keyOf(d);
    let v = baseCache.get(k);
    if (v === undefined) {
      v = dirBase(sel, h, d);
      baseCache.set(k, v);
    }
    return v;
  };
  const visit = (value: boolean, above: DirKey[]) => {
    for (const a of above) {
      if (base(a) !== value) mixed.add(keyOf(a));
    }
  };
  for (const [id, value] of Object.entries(sel.dirs)) {
    const chain = dirChain(h, Number(id));
    visit(value, chain.slice(1));
  }
  for (const [id, value] of Object.entries(sel.elements)) {
    const dir = h.elementDir(Number(id));
    visit(value, dirChain(h, dir === undefined ? null : dir));
  }
  return mixed;
}

export function isMixed(mixed: Set<string>, dir: DirKey): boolean {
  return mixed.has(keyOf(dir));
}

export function dirCheckState(sel: Selection, h: Hierarchy, mixed: Set<string>, dir: DirKey): CheckState {
  return isMixed(mixed, dir) ? "mixed" : dirBase(sel, h, dir);
}

function isUnder(chain: DirKey[], dir: DirKey): boolean {
  return chain.includes(dir);
}

function withoutMarksUnder(sel: Selection, h: Hierarchy, dir: DirKey): Selection {
  if (dir === null) return { root: sel.root, dirs: {}, elements: {} };
  const dirs: Record<string, boolean> = {};
  for (const [id, v] of Object.entries(sel.dirs)) {
    if (!isUnder(dirChain(h, Number(id)).slice(1), dir)) dirs[id] = v;
  }
  const elements: Record<string, boolean> = {};
  for (const [id, v] of Object.entries(sel.elements)) {
    const d = h.elementDir(Number(id));
    if (!isUnder(dirChain(h, d === undefined ? null : d), dir)) elements[id] = v;
  }
  return { root: sel.root, dirs, elements };
}

function parentOfDir(h: Hierarchy, dir: number): DirKey {
  const p = h.dirParent(dir);
  return p === undefined ? null : p;
}

function setDirMark(sel: Selection, h: Hierarchy, dir: DirKey, value: boolean): Selection {
  const cleared = withoutMarksUnder(sel, h, dir);
  if (dir === null) return { ...cleared, root: value };
  const inherited = dirBase(cleared, h, parentOfDir(h, dir));
  const dirs = { ...cleared.dirs };
  if (inherited === value) delete dirs[String(dir)];
  else dirs[String(dir)] = value;
  return { ...cleared, dirs };
}

function setElementMark(sel: Selection, h: Hierarchy, id: number, value: boolean): Selection {
  const d = h.elementDir(id);
  const inherited = dirBase(sel, h, d === undefined ? null : d);
  const elements = { ...sel.elements };
  if (inherited === value) delete elements[String(id)];
  else elements[String(id)] = value;
  return { ...sel, elements };
}

/** When every child of a fully loaded directory agrees, the directory takes their state; then upwards. */
function compactUp(sel: Selection, h: Hierarchy, start: DirKey): Selection {
  let current: DirKey | undefined = start;
  let result = sel;
  const seen = new Set<string>();
  while (current !== undefined && !seen.has(keyOf(current))) {
    seen.add(keyOf(current));
    const dir: DirKey = current;
    const ch = h.children(dir);
    if (!ch || !ch.complete || ch.dirs.length + ch.elements.length === 0) break;
    const mixed = mixedDirs(result, h);
    const states = [
      ...ch.dirs.map((d) => dirCheckState(result, h, mixed, d)),
      ...ch.elements.map((e) => isElementChecked(result, h, e)),
    ];
    const first = states[0];
    if (first === "mixed" || !states.every((s) => s === first)) break;
    if (dirCheckState(result, h, mixed, dir) === first) break;
    result = setDirMark(result, h, dir, first);
    current = dir === null ? undefined : parentOfDir(h, dir);
  }
  return result;
}

/** Ticks or unticks a directory (null = the root's select-all) and everything below it. */
export function setDirChecked(sel: Selection, h: Hierarchy, dir: DirKey, value: boolean): Selection {
  const next = setDirMark(sel, h, dir, value);
  return dir === null ? next : compactUp(next, h, parentOfDir(h, dir));
}

export function setElementChecked(sel: Selection, h: Hierarchy, id: number, value: boolean): Selection {
  const next = setElementMark(sel, h, id, value);
  const d = h.elementDir(id);
  // An element whose directory is unknown (a search result) is in no loaded child list to compact.
  return d === undefined ? next : compactUp(next, h, d);
}

/** What a click on a box does: a mixed or empty box becomes ticked, a ticked one empty. */
export function toggledValue(state: CheckState): boolean {
  return state !== true;
}

export function toggleDir(sel: Selection, h: Hierarchy, dir: DirKey): Selection {
  return setDirChecked(sel, h, dir, toggledValue(dirCheckState(sel, h, mixedDirs(sel, h), dir)));
}

export function toggleElement(sel: Selection, h: Hierarchy, id: number): Selection {
  return setElementChecked(sel, h, id, !isElementChecked(sel, h, id));
}

export interface SelectionRequest {
  /** The whole category (the root's select-all with nothing excluded). */
  all: boolean;
  directoryIds: number[];
  elementIds: number[];
  /**
   * Directories that are ticked with exceptions inside but whose children are not all loaded yet: load
   * them completely, then ask again. Empty when the request is exact.
   */
  incomplete: DirKey[];
}

/**
 * The selection as whole directories plus single elements, for the server: a ticked directory with
 * unticked parts is replaced by its ticked children.
 */
export function selectionRequest(sel: Selection, h: Hierarchy): SelectionRequest {
  const mixed = mixedDirs(sel, h);
  const dirIds = new Set<number>();
  const elementIds = new Set<number>();
  const incomplete: DirKey[] = [];
  let all = false;

  const emitPositive = (dir: DirKey) => {
    if (!isMixed(mixed, dir)) {
      if (dir === null) all = true;
      else dirIds.add(dir);
      return;
    }
    const ch = h.children(dir);
    if (!ch || !ch.complete) {
      incomplete.push(dir);
      return;
    }
    for (const d of ch.dirs) if (dirBase(sel, h, d)) emitPositive(d);
    for (const e of ch.elements) if (isElementChecked(sel, h, e)) elementIds.add(e);
  };

  if (sel.root) emitPositive(null);
  // Ticked marks under an unticked ancestor: each is the top of a ticked region.
  const nearestMarkedAbove = (chain: DirKey[]) => {
    for (const d of chain) {
      const m = dirMark(sel, d);
      if (m !== undefined) return m;
    }
    return sel.root;
  };
  for (const [id, value] of Object.entries(sel.dirs)) {
    if (value && !nearestMarkedAbove(dirChain(h, Number(id)).slice(1))) emitPositive(Number(id));
  }
  for (const [id, value] of Object.entries(sel.elements)) {
    if (!value) continue;
    const d = h.elementDir(Number(id));
    if (!nearestMarkedAbove(dirChain(h, d === undefined ? null : d))) elementIds.add(Number(id));
  }
  return {
    all,
    directoryIds: [...dirIds].sort((a, b) => a - b),
    elementIds: [...elementIds].sort((a, b) => a - b),
    incomplete,
  };
}

/** Loaded elements that are ticked (for counts shown to the user and for operations needing ids). */
export function checkedLoadedElements(sel: Selection, h: Hierarchy, loaded: Iterable<number>): number[] {
  const out: number[] = [];
  for (const id of loaded) if (isElementChecked(sel, h, id)) out.push(id);
  return out;
}

/** The selection as the export API takes it: what is ticked, minus what is unticked inside it. */
export interface CompactSelection {
  /** The root's select-all is ticked (the whole category, minus the exclusions). */
  all: boolean;
  /** Ticked directories (inside an unticked one, or with nothing ticked above them). */
  directoryIds: number[];
  /** Ticked elements whose directory is not ticked. */
  elementIds: number[];
  /** Unticked directories inside a ticked one (with everything below them). */
  excludeDirectoryIds: number[];
  /** Unticked elements inside a ticked directory. */
  excludeElementIds: number[];
}

/**
 * The selection in its compact form, straight from its marks: nothing is loaded, whatever the size of
 * the ticked directories. The server reads it as the tree does (the nearest decision wins), so a
 * directory ticked with three of its thousand jobs unticked is one directory id and three exclusions.
 * Marks that repeat what they inherit are left out.
 */
export function compactSelection(sel: Selection, h: Hierarchy): CompactSelection {
  const directoryIds: number[] = [];
  const excludeDirectoryIds: number[] = [];
  for (const [id, value] of Object.entries(sel.dirs)) {
    const inherited = dirBase(sel, h, parentOfDir(h, Number(id)));
    if (value === inherited) continue;
    (value ? directoryIds : excludeDirectoryIds).push(Number(id));
  }
  const elementIds: number[] = [];
  const excludeElementIds: number[] = [];
  for (const [id, value] of Object.entries(sel.elements)) {
    const d = h.elementDir(Number(id));
    const inherited = dirBase(sel, h, d === undefined ? null : d);
    if (value === inherited) continue;
    (value ? elementIds : excludeElementIds).push(Number(id));
  }
  const sorted = (ids: number[]) => ids.sort((a, b) => a - b);
  return {
    all: sel.root,
    directoryIds: sorted(directoryIds),
    elementIds: sorted(elementIds),
    excludeDirectoryIds: sorted(excludeDirectoryIds),
    excludeElementIds: sorted(excludeElementIds),
  };
}

/** The ticked objects as the batch operations receive them, and how many they are (the server counts). */
export interface Ticked {
  selection: BatchSelection;
  count: number;
}

/** The compact selection as the batch API (Delete, Move, Unlock, Configure Owner) takes it. */
export function batchSelection(req: CompactSelection): BatchSelection {
  return {
    all: req.all,
    ids: req.elementIds,
    directoryIds: req.directoryIds,
    excludeIds: req.excludeElementIds,
    excludeDirectoryIds: req.excludeDirectoryIds,
  };
}
