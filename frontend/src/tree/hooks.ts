import { useCallback, useEffect, useMemo, useState } from "react";
import { InfiniteQueryObserver, infiniteQueryOptions, useInfiniteQuery, useQueryClient, type InfiniteData, type Query, type QueryClient } from "@tanstack/react-query";
import { errorMessage } from "../api/client";
import { keys } from "../api/hooks";
import * as ep from "../api/endpoints";
import type { Category, Id, TreeElement, TreePage } from "../api/types";
import { addFoundElements, dirKeyString, emptyTree, mergePage, type TreeData } from "./model";
import type { DirKey } from "./selection";

export const PAGE_SIZE = 200;

/** One page of a directory's children, with the offset and limit it was asked with. */
export type DirPage = TreePage & { offset: number; limit: number };

function pageComplete(page: Pick<TreePage, "elements" | "count"> & { offset: number; limit: number }): boolean {
  return page.elements.length === 0 || page.elements.length < page.limit || page.offset + page.elements.length >= page.count;
}

/** The pages of one directory's children: an infinite query whose next page is the next offset. */
export const treeDirQuery = (ws: Id, category: Category, dir: DirKey) =>
  infiniteQueryOptions({
    queryKey: keys.treeDir(ws, category, dir),
    queryFn: async ({ pageParam, signal }): Promise<DirPage> => {
      const page = await ep.treeGet(ws, { category, parent: dir, offset: pageParam, limit: PAGE_SIZE }, signal);
      return { ...page, offset: page.offset ?? pageParam, limit: page.limit ?? PAGE_SIZE };
    },
    initialPageParam: 0,
    getNextPageParam: (last: DirPage) => (pageComplete(last) ? undefined : last.offset + last.elements.length),
    // A write that changes the tree invalidates it; until then what was loaded stands, as in DataArts.
    staleTime: 5 * 60_000,
    // A collapsed directory's pages stay: the ticks inside it need to know what it holds.
    gcTime: 30 * 60_000,
  });

/** Keeps one expanded directory's pages loaded (and refetched when invalidated) while it is mounted. */
export function useDirLoader(ws: Id, category: Category, dir: DirKey) {
  useInfiniteQuery(treeDirQuery(ws, category, dir));
}

const dirOfKey = (key: readonly unknown[]): DirKey => (key[5] === "root" ? null : Number(key[5]));

/** The loaded tree as the cache holds it now: every cached page of every directory, merged. */
function treeFromCache(queryClient: QueryClient, dirPrefix: readonly unknown[]) {
  let tree = emptyTree();
  const errors: Record<string, string> = {};
  for (const q of queryClient.getQueryCache().findAll({ queryKey: dirPrefix })) {
    const dir = dirOfKey(q.queryKey);
    for (const page of (q.state.data as InfiniteData<DirPage> | undefined)?.pages ?? []) tree = mergePage(tree, dir, page);
    if (q.state.status === "error") errors[dirKeyString(dir)] = errorMessage(q.state.error);
  }
  return { tree, errors };
}

interface TreeView {
  scope: string;
  expanded: ReadonlySet<string>;
  /** Elements a search found (by id), so that their rows and check boxes work like loaded ones. */
  found: Readonly<Record<string, TreeElement>>;
}

const startView = (scope: string): TreeView => ({ scope, expanded: new Set(["root"]), found: {} });

/**
 * One category's tree as the query cache holds it: directories load when expanded (one infinite query
 * each, kept by the tree's loaders, useDirLoader), large ones page by page. A write invalidates
 * keys.tree(ws, category) and what is shown refetches; nothing here caches or counts by hand.
 */
export function useTreeData(ws: Id, category: Category) {
  const queryClient = useQueryClient();
  const scope = `${ws}/${category}`;
  // View state of one workspace and category: another starts from its root.
  const [view, setView] = useState<TreeView>(() => startView(scope));
  const fresh = useMemo(() => startView(scope), [scope]);
  const current = view.scope === scope ? view : fresh;
  const update = useCallback((fn: (v: TreeView) => TreeView) => setView((v) => fn(v.scope === scope ? v : startView(scope))), [scope]);

  // The cache's pages of this tree, re-read whenever one of them changes.
  const dirPrefix = useMemo(() => [...keys.tree(ws, category), "dir"] as const, [ws, category]);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const mine = (q: Query) => dirPrefix.every((part, i) => q.queryKey[i] === part);
    return queryClient.getQueryCache().subscribe((event) => {
      // State changes only: an observer's options change with every render of a loader.
      if ((event.type === "updated" || event.type === "added" || event.type === "removed") && mine(event.query)) setVersion((n) => n + 1);
    });
  }, [queryClient, dirPrefix]);

  // `version` stands for the cache's content, which the memo reads.
  const loaded = useMemo(() => treeFromCache(queryClient, dirPrefix), [queryClient, dirPrefix, version]);
  const found = useMemo(() => Object.values(current.found), [current.found]);
  const tree: TreeData = useMemo(() => addFoundElements(loaded.tree, found), [loaded.tree, found]);

  const expand = useCallback((dir: DirKey) => update((v) => (v.expanded.has(dirKeyString(dir)) ? v : { ...v, expanded: new Set(v.expanded).add(dirKeyString(dir)) })), [update]);

  const collapse = useCallback(
    (dir: DirKey) =>
      update((v) => {
        if (!v.expanded.has(dirKeyString(dir))) return v;
        const next = new Set(v.expanded);
        next.delete(dirKeyString(dir));
        return { ...v, expanded: next };
      }),
    [update],
  );

  const loadMore = useCallback(
    // The "more" row asks on every render while it is in view: a page already on its way answers.
    (dir: DirKey) => void new InfiniteQueryObserver(queryClient, treeDirQuery(ws, category, dir)).fetchNextPage({ cancelRefetch: false }),
    [queryClient, ws, category],
  );

  /** Every page of a directory (needed before a partly excluded directory can be exported); the tree
   * that results, read from the cache. */
  const loadAll = useCallback(
    async (dir: DirKey) => {
      const opts = treeDirQuery(ws, category, dir);
      const pages = queryClient.getQueryData(opts.queryKey)?.pages;
      if (pages?.length && pageComplete(pages[pages.length - 1])) return;
      await queryClient.infiniteQuery({ ...opts, staleTime: 0, pages: 10_000 });
    },
    [queryClient, ws, category],
  );

  /** The loaded tree as the cache holds it now (after loadAll, before React renders it). */
  const readTree = useCallback(() => addFoundElements(treeFromCache(queryClient, dirPrefix).tree, found), [queryClient, dirPrefix, found]);

  /** The Refresh button: the tree, its pickers and its search refetch. */
  const reload = useCallback(() => void queryClient.invalidateQueries({ queryKey: keys.tree(ws, category) }), [queryClient, ws, category]);

  /** Adds elements found by a search, so that their rows and check boxes work like loaded ones. */
  const addElements = useCallback(
    (elements: TreeElement[]) => {
      if (elements.length) update((v) => ({ ...v, found: { ...v.found, ...Object.fromEntries(elements.map((e) => [String(e.id), e])) } }));
    },
    [update],
  );

  return { tree, expanded: current.expanded, errors: loaded.errors, expand, collapse, loadMore, loadAll, readTree, reload, addElements };
}
