import { useCallback, useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { errorMessage } from "../api/client";
import { keys } from "../api/hooks";
import * as ep from "../api/endpoints";
import type { Category, Id, TreeElement, TreePage } from "../api/types";
import { addFoundElements, dirKeyString, emptyTree, mergePage, type TreeData } from "./model";
import type { DirKey } from "./selection";

export const PAGE_SIZE = 200;

function pageComplete(page: Pick<TreePage, "elements" | "limit" | "offset" | "count">): boolean {
  return page.elements.length === 0 || page.elements.length < page.limit || page.offset + page.elements.length >= page.count;
}

/**
 * The loaded part of one category's tree: directories load when expanded, large ones page by page.
 * A write that changes the tree invalidates keys.tree(ws, category): then what is shown reloads.
 */
export function useTreeData(ws: Id, category: Category) {
  // Until the pages themselves are queries, a query under the tree's key stands for them: invalidated, it
  // refetches, and its new time makes the expanded directories reload.
  const epoch = useQuery({ queryKey: [...keys.tree(ws, category), "epoch"], queryFn: () => Date.now(), staleTime: Infinity }).data;
  // The ref is the truth (async loaders read it right after writing); the state makes React render.
  const treeRef = useRef<TreeData>(emptyTree());
  const [tree, setTreeState] = useState<TreeData>(treeRef.current);
  const setTree = useCallback((fn: (t: TreeData) => TreeData) => {
    treeRef.current = fn(treeRef.current);
    setTreeState(treeRef.current);
  }, []);
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(["root"]));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const inflight = useRef(new Set<string>());
  const generation = useRef(0);
  const expandedRef = useRef(expanded);
  expandedRef.current = expanded;

  const loadPage = useCallback(
    async (dir: DirKey, offset: number): Promise<TreePage | null> => {
      const key = `${dirKeyString(dir)}@${offset}`;
      if (inflight.current.has(key)) return null;
      inflight.current.add(key);
      const gen = generation.current;
      try {
        const page = await ep.treeGet(ws, { category, parent: dir, offset, limit: PAGE_SIZE });
        if (gen !== generation.current) return null;
        setTree((t) => mergePage(t, dir, { ...page, offset: page.offset ?? offset, limit: page.limit ?? PAGE_SIZE }));
        setErrors((e) => {
          if (!(dirKeyString(dir) in e)) return e;
          const next = { ...e };
          delete next[dirKeyString(dir)];
          return next;
        });
        return page;
      } catch (err) {
        if (gen === generation.current) setErrors((e) => ({ ...e, [dirKeyString(dir)]: errorMessage(err) }));
        return null;
      } finally {
        inflight.current.delete(key);
      }
    },
    [ws, category, setTree],
  );

  // A new workspace or category: start over from the root.
  useEffect(() => {
    generation.current++;
    setTree(() => emptyTree());
    setExpanded(new Set(["root"]));
    setErrors({});
    void loadPage(null, 0);
  }, [loadPage]);

  // Something changed the tree elsewhere: reload every expanded directory's first page.
  const firstEpoch = useRef(true);
  useEffect(() => {
    if (firstEpoch.current) {
      firstEpoch.current = false;
      return;
    }
    for (const key of expandedRef.current) void loadPage(key === "root" ? null : Number(key), 0);
  }, [epoch, loadPage]);

  const expand = useCallback(
    (dir: DirKey) => {
      const key = dirKeyString(dir);
      setExpanded((s) => (s.has(key) ? s : new Set(s).add(key)));
      if (!treeRef.current.children[key]) void loadPage(dir, 0);
    },
    [loadPage],
  );

  const collapse = useCallback((dir: DirKey) => {
    const key = dirKeyString(dir);
    setExpanded((s) => {
      if (!s.has(key)) return s;
      const next = new Set(s);
      next.delete(key);
      return next;
    });
  }, []);

  const loadMore = useCallback(
    (dir: DirKey) => {
      const list = treeRef.current.children[dirKeyString(dir)];
      if (list && !list.complete) void loadPage(dir, list.loaded);
    },
    [loadPage],
  );

  /** Loads every page of a directory (needed before a partly excluded directory can be exported). */
  const loadAll = useCallback(
    async (dir: DirKey) => {
      let offset = treeRef.current.children[dirKeyString(dir)]?.loaded ?? 0;
      if (treeRef.current.children[dirKeyString(dir)]?.complete) return;
      for (let guard = 0; guard < 1000; guard++) {
        const page = await ep.treeGet(ws, { category, parent: dir, offset, limit: PAGE_SIZE });
        setTree((t) => mergePage(t, dir, { ...page, offset }));
        if (pageComplete({ ...page, offset, limit: page.limit ?? PAGE_SIZE })) return;
        offset += page.elements.length;
      }
    },
    [ws, category, setTree],
  );

  const reload = useCallback(() => {
    for (const key of expandedRef.current) void loadPage(key === "root" ? null : Number(key), 0);
  }, [loadPage]);

  /** Adds elements found by a search, so that their rows and check boxes work like loaded ones. */
  const addElements = useCallback((elements: TreeElement[]) => {
    if (elements.length) setTree((t) => addFoundElements(t, elements));
  }, [setTree]);

  return { tree, expanded, errors, expand, collapse, loadMore, loadAll, reload, addElements, treeRef };
}

/**
 * Every element id under some directories (all pages, all levels), for batch operations that take ids.
 */
export async function collectElementIds(ws: Id, category: Category, dirs: DirKey[], elementIds: number[]): Promise<number[]> {
  const ids = new Set(elementIds);
  const queue = [...dirs];
  let requests = 0;
  while (queue.length) {
    const dir = queue.shift()!;
    let offset = 0;
    for (;;) {
      if (++requests > 5000) throw new Error("Too many directories to resolve.");
      const page = await ep.treeGet(ws, { category, parent: dir, offset, limit: 1000 });
      if (offset === 0) for (const d of page.directories) if (d.id !== null) queue.push(d.id);
      for (const e of page.elements) ids.add(e.id);
      if (pageComplete({ ...page, offset, limit: page.limit ?? 1000 })) break;
      offset += page.elements.length;
    }
  }
  return [...ids];
}
