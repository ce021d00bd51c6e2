import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useElementSearch } from "../api/hooks";
import type { Category, Id } from "../api/types";
import { useSessionWorkspace, useTabs } from "../shell/ConsoleContext";
import { ErrorNotice, Spinner } from "../ui/bits";
import { Menu, type MenuItem } from "../ui/Menu";
import { NOUNS, TreeDialogs, type DialogState } from "./TreeDialogs";
import { DirLoaders } from "./DirLoaders";
import { useTreeData } from "./hooks";
import { useTreeActions } from "./useTreeActions";
import { ROW_HEIGHT, TreeRow } from "./TreeRow";
import { TreeLegend, TreeToolbar } from "./TreeToolbar";
import { flattenTree, hierarchyOf, searchRows, treeKeyAction, type Row } from "./model";
import {
  dirCheckState,
  emptySelection,
  isElementChecked,
  mixedDirs,
  toggleDir,
  toggleElement,
  type CheckState,
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
  const ws = workspace.id;
  const noun = NOUNS[category];
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

  const actions = useTreeActions({ ws, category, data, selection, setSelection, checkboxes, setCheckboxes, hierarchy, setDialog });
  const { elementMenu, dirMenu } = actions;

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
        onMenu={(at) => setMenu({ at, items: actions.kebabItems(), label: `${noun.many} menu` })}
      />
      {actions.checkedSummary && (
        <div className="tree-selection-bar" aria-live="polite">
          Selected: {actions.checkedSummary}
          <button type="button" className="link-button" onClick={() => setSelection(emptySelection())}>
            Clear
          </button>
        </div>
      )}
      {actions.busy && (
        <div className="tree-selection-bar">
          <Spinner label={actions.busy} />
        </div>
      )}
      <ErrorNotice error={actions.error} />
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
