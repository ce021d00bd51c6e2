import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useElementSearch } from "../api/hooks";
import type { Category, Id } from "../api/types";
import { describeSelection } from "../export/logic";
import { useDialogs, useSessionWorkspace, useTabs } from "../shell/ConsoleContext";
import { ErrorNotice, Spinner, useToast } from "../ui/bits";
import { Menu, type MenuItem } from "../ui/Menu";
import { copyText, dirMenuItems, elementMenuItems, kebabMenu } from "./menus";
import { NOUNS, TreeDialogs, type DialogState } from "./TreeDialogs";
import { DirLoaders } from "./DirLoaders";
import { collectElementIds, useTreeData } from "./hooks";
import { ROW_HEIGHT, TreeRow } from "./TreeRow";
import { TreeLegend, TreeToolbar } from "./TreeToolbar";
import { flattenTree, hierarchyOf, searchRows, treeKeyAction, type LoadedElement, type Row } from "./model";
import {
  compactSelection,
  dirCheckState,
  emptySelection,
  hasAnyChecked,
  isElementChecked,
  mixedDirs,
  selectionRequest,
  toggleDir,
  toggleElement,
  type CheckState,
  type DirKey,
  type Selection,
} from "./selection";

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/**
 * One category's directory tree (Jobs, Scripts or Resources): lazily loaded, virtualised, searchable,
 * with check boxes for batch operations and the DataArts menus.
 */
export function DirectoryTree({ category }: { category: Category }) {
  const { workspace } = useSessionWorkspace();
  const { openEditor } = useTabs();
  const { openExport, openImport } = useDialogs();
  const ws = workspace.id;
  const noun = NOUNS[category];
  const toast = useToast();
  const treeId = useId();
  const data = useTreeData(ws, category);
  const { tree, expanded, errors } = data;
  const [checkboxes, setCheckboxes] = useState(false);
  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [focusKey, setFocusKey] = useState<string>("d:root");
  const [search, setSearch] = useState("");
  const term = useDebounced(search.trim(), 250);
  const [menu, setMenu] = useState<{ at: { x: number; y: number }; items: (MenuItem | "separator")[]; label: string } | null>(null);
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const selectable = category !== "resource";

  // Selection and dialogs belong to one workspace.
  useEffect(() => {
    setSelection(emptySelection());
    setCheckboxes(false);
    setSearch("");
  }, [ws]);

  const searching = term.length > 0;
  const searchQuery = useElementSearch(ws, category, term, searching);
  const { addElements } = data;
  useEffect(() => {
    if (searchQuery.data) addElements(searchQuery.data.elements);
  }, [searchQuery.data, addElements]);

  const rows = useMemo<Row[]>(
    () => (searching ? searchRows((searchQuery.data?.elements ?? []).map((e) => e.id)) : flattenTree(tree, expanded)),
    [searching, searchQuery.data, tree, expanded],
  );
  const hierarchy = useMemo(() => hierarchyOf(tree), [tree]);
  const mixed = useMemo(() => mixedDirs(selection, hierarchy), [selection, hierarchy]);

  const focusIndex = Math.max(0, rows.findIndex((r) => r.key === focusKey));
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  const rowLabel = useCallback(
    (row: Row): string => {
      if (row.kind === "element") return tree.elements[String(row.id)]?.name ?? "";
      if (row.kind === "dir") return row.id === null ? noun.many : (tree.dirs[String(row.id)]?.name ?? "");
      return "";
    },
    [tree, noun.many],
  );

  const rowCheck = useCallback(
    (row: Row): CheckState => {
      if (row.kind === "element") return isElementChecked(selection, hierarchy, row.id);
      if (row.kind === "dir") return dirCheckState(selection, hierarchy, mixed, row.id);
      return false;
    },
    [selection, hierarchy, mixed],
  );

  const toggleRow = useCallback(
    (row: Row) => {
      if (row.kind === "element") setSelection((s) => toggleElement(s, hierarchy, row.id));
      else if (row.kind === "dir") setSelection((s) => toggleDir(s, hierarchy, row.id));
    },
    [hierarchy],
  );

  const openElement = useCallback(
    (id: Id) => {
      const e = tree.elements[String(id)];
      if (!e) return;
      if (category === "job") openEditor({ kind: "job", id, title: e.name });
      else if (category === "script") openEditor({ kind: "script", id, title: e.name });
    },
    [tree, category, openEditor],
  );

  const toggleExpand = (row: Row & { kind: "dir" }) => {
    if (row.expanded) {
      if (row.id !== null) data.collapse(row.id);
    } else data.expand(row.id);
  };

  const focusByClick = (key: string) => {
    setFocusKey(key);
    scrollRef.current?.focus();
  };

  const focusRow = (index: number) => {
    const row = rows[index];
    if (!row) return;
    setFocusKey(row.key);
    virtualizer.scrollToIndex(index, { align: "auto" });
  };

  // ---- selection → what the server gets

  /** The selection as ids the server understands, loading what must be loaded first. */
  const resolveSelection = async () => {
    let req = selectionRequest(selection, hierarchyOf(data.readTree()));
    for (let round = 0; req.incomplete.length && round < 20; round++) {
      for (const d of req.incomplete) await data.loadAll(d);
      req = selectionRequest(selection, hierarchyOf(data.readTree()));
    }
    return req;
  };

  const selectedIds = async (): Promise<Id[]> => {
    const req = await resolveSelection();
    const dirs: DirKey[] = req.all ? [null] : req.directoryIds;
    return dirs.length ? collectElementIds(ws, category, dirs, req.elementIds) : req.elementIds;
  };

  const withBusy = async (label: string, fn: () => Promise<void>) => {
    setBusy(label);
    setActionError(null);
    try {
      await fn();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  /** The export gets the selection compactly (ticked directories minus what is unticked inside them): no
   * directory has to be loaded, however many jobs it holds. */
  const exportSelection = () => {
    const req = compactSelection(selection, hierarchy);
    const cat = category === "script" ? "script" : "job";
    const single = req.elementIds.length === 1 && !req.directoryIds.length && !req.all;
    openExport({
      category: cat,
      all: req.all,
      directoryIds: req.directoryIds,
      ids: req.elementIds,
      excludeDirectoryIds: req.excludeDirectoryIds,
      excludeIds: req.excludeElementIds,
      description: describeSelection(cat, req.all, req.directoryIds.length, req.elementIds.length, single ? tree.elements[String(req.elementIds[0])]?.name : undefined, {
        directories: req.excludeDirectoryIds.length,
        ids: req.excludeElementIds.length,
      }),
    });
  };

  const exportWorkspace = () => {
    const cat = category === "script" ? "script" : "job";
    openExport({ category: cat, workspace: true, all: true, description: `all ${cat}s of the workspace` });
  };

  /** Configure Owner: the ticked objects, or (nothing ticked) DataArts' Current Owner → Target Owner form. */
  const configureOwner = () => (checkboxes && hasAnyChecked(selection) ? batch("owner") : setDialog({ type: "owner", ids: null }));

  const batch = (type: "batchDelete" | "batchMove" | "batchUnlock" | "owner") =>
    withBusy("Collecting the selection…", async () => {
      const ids = await selectedIds();
      if (!ids.length) throw new Error(`Select at least one ${noun.one.toLowerCase()}.`);
      setDialog({ type, ids });
    });

  const anyChecked = hasAnyChecked(selection);

  const kebabItems = () =>
    kebabMenu({
      noun,
      selectable,
      checkboxes,
      anyChecked,
      showCheckBoxes: (show) => {
        setCheckboxes(show);
        if (!show) setSelection(emptySelection());
      },
      exportSelection,
      exportWorkspace,
      importPackage: () => openImport(category === "script" ? "script" : "job"),
      batch,
      configureOwner,
      openDialog: setDialog,
    });
  const elementMenu = (e: LoadedElement) =>
    elementMenuItems({
      element: e,
      selectable,
      openDialog: setDialog,
      exportOne: () => openExport({ category: category === "script" ? "script" : "job", ids: [e.id], description: e.name }),
      copyName: () => void copyText(e.name).then(() => toast("Copied.")),
    });
  const dirMenu = (id: DirKey) => dirMenuItems({ id, name: id === null ? "" : (tree.dirs[String(id)]?.name ?? ""), openDialog: setDialog });

  const openRowMenu = (row: Row, at: { x: number; y: number }) => {
    if (row.kind === "element") {
      const e = tree.elements[String(row.id)];
      if (e) setMenu({ at, items: elementMenu(e), label: `${e.name} actions` });
    } else if (row.kind === "dir") {
      setMenu({ at, items: dirMenu(row.id), label: `${rowLabel(row)} actions` });
    }
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const action = treeKeyAction(rows, focusIndex, event.key, { checkboxes: checkboxes && selectable, label: rowLabel, shift: event.shiftKey });
    if (!action) return;
    event.preventDefault();
    switch (action.type) {
      case "focus":
        focusRow(action.index);
        break;
      case "expand":
        data.expand(action.row.id);
        break;
      case "collapse":
        if (action.row.id !== null) data.collapse(action.row.id);
        break;
      case "open":
        openElement(action.row.id);
        break;
      case "toggleCheck":
        toggleRow(action.row);
        break;
      case "menu": {
        const el = document.getElementById(`${treeId}-${action.row.key}`);
        const r = el?.getBoundingClientRect();
        openRowMenu(action.row, { x: (r?.left ?? 0) + 40, y: (r?.bottom ?? 0) });
        break;
      }
    }
  };

  const checkedSummary = useMemo(() => {
    if (!checkboxes || !anyChecked) return null;
    const req = compactSelection(selection, hierarchy);
    return describeSelection(category === "script" ? "script" : "job", req.all, req.directoryIds.length, req.elementIds.length, undefined, {
      directories: req.excludeDirectoryIds.length,
      ids: req.excludeElementIds.length,
    });
  }, [checkboxes, anyChecked, selection, hierarchy, category]);

  const rootError = errors.root;
  const activeRow = rows[focusIndex];

  return (
    <div className="tree-pane">
      <DirLoaders ws={ws} category={category} expanded={expanded} />
      <TreeToolbar
        noun={noun}
        category={category}
        search={search}
        onSearch={setSearch}
        onRefresh={() => {
          data.reload();
          void searchQuery.refetch();
        }}
        onMenu={(at) => setMenu({ at, items: kebabItems(), label: `${noun.many} menu` })}
      />
      {checkedSummary && (
        <div className="tree-selection-bar" aria-live="polite">
          Selected: {checkedSummary}
          <button type="button" className="link-button" onClick={() => setSelection(emptySelection())}>
            Clear
          </button>
        </div>
      )}
      {busy && (
        <div className="tree-selection-bar">
          <Spinner label={busy} />
        </div>
      )}
      <ErrorNotice error={actionError} />
      {rootError && <ErrorNotice error={rootError} title={`The ${noun.many.toLowerCase()} could not be loaded.`} onRetry={data.reload} />}
      {searching && searchQuery.isFetching && !searchQuery.data && (
        <div className="tree-status">
          <Spinner label="Searching…" />
        </div>
      )}
      {searching && searchQuery.error && <ErrorNotice error={searchQuery.error} />}
      {searching && searchQuery.data && searchQuery.data.elements.length === 0 && <div className="tree-status muted">No {noun.many.toLowerCase()} match “{term}”.</div>}
      <div
        ref={scrollRef}
        className="tree-scroll"
        role="tree"
        aria-label={`${noun.many} directory`}
        tabIndex={0}
        aria-activedescendant={activeRow && (activeRow.kind === "dir" || activeRow.kind === "element") ? `${treeId}-${activeRow.key}` : undefined}
        onKeyDown={onKeyDown}
      >
        <div role="none" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((vi) => {
            const row = rows[vi.index];
            if (!row) return null;
            return (
              <TreeRow
                key={row.key}
                row={row}
                start={vi.start}
                treeId={treeId}
                tree={tree}
                category={category}
                focused={row.key === focusKey}
                check={checkboxes && selectable && (row.kind === "dir" || row.kind === "element") ? rowCheck(row) : undefined}
                label={rowLabel(row)}
                searching={searching}
                selectable={selectable}
                errors={errors}
                onFocus={focusByClick}
                onToggleExpand={toggleExpand}
                onToggleCheck={toggleRow}
                onOpen={openElement}
                onMenu={openRowMenu}
                onLoadMore={() => row.kind === "more" && data.loadMore(row.parent)}
              />
            );
          })}
        </div>
      </div>
      {selectable && <TreeLegend category={category} />}

      {menu && <Menu label={menu.label} items={menu.items} at={menu.at} onClose={() => setMenu(null)} />}

      <TreeDialogs
        dialog={dialog}
        ws={ws}
        category={category}
        tree={tree}
        onClose={() => setDialog(null)}
        onSelectionDone={() => setSelection(emptySelection())}
        onExpand={data.expand}
      />
    </div>
  );
}
