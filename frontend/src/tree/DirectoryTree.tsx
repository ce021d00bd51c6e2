import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import * as ep from "../api/endpoints";
import { useElementSearch } from "../api/hooks";
import type { Category, Id } from "../api/types";
import { describeSelection } from "../export/logic";
import { useConsole } from "../shell/ConsoleContext";
import { tabFromPath, tabKey } from "../shell/tabs";
import { ErrorNotice, Spinner, useToast } from "../ui/bits";
import { ConfirmDialog, NameDialog, validateObjectName } from "../ui/forms";
import { Menu, type MenuItem } from "../ui/Menu";
import { MoveDialog, DirectoryPicker } from "./DirectoryPicker";
import { collectElementIds, useTreeData } from "./hooks";
import { OwnerDialog } from "./OwnerDialog";
import { dirKeyString, elementMark, flattenTree, hierarchyOf, lockLabel, searchRows, treeKeyAction, type LoadedElement, type Row } from "./model";
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

const ROW_HEIGHT = 26;

const NOUNS: Record<Category, { one: string; many: string }> = {
  job: { one: "Job", many: "Jobs" },
  script: { one: "Script", many: "Scripts" },
  resource: { one: "Resource", many: "Resources" },
};

type DialogState =
  | { type: "rename"; element: LoadedElement }
  | { type: "move"; element: LoadedElement }
  | { type: "delete"; element: LoadedElement }
  | { type: "copy"; element: LoadedElement }
  | { type: "batchDelete"; ids: Id[] }
  | { type: "batchMove"; ids: Id[] }
  | { type: "batchUnlock"; ids: Id[] }
  | { type: "owner"; ids: Id[] | null }
  | { type: "createDir"; parent: DirKey }
  | { type: "renameDir"; id: Id; name: string }
  | { type: "deleteDir"; id: Id; name: string };

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

function CheckBox({ state, onToggle, label }: { state: CheckState; onToggle: () => void; label: string }) {
  return (
    <span
      className={`tree-check${state === true ? " checked" : state === "mixed" ? " mixed" : ""}`}
      aria-hidden="true"
      data-label={label}
      onClick={(e) => {
        e.stopPropagation();
        onToggle();
      }}
      onDoubleClick={(e) => e.stopPropagation()}
    />
  );
}

function LoadMoreRow({ onVisible, remaining }: { onVisible: () => void; remaining: number | null }) {
  useEffect(() => {
    onVisible();
  }, [onVisible]);
  return <span className="muted">{remaining ? `Loading more (${remaining} left)…` : "Loading more…"}</span>;
}

/**
 * One category's directory tree (Jobs, Scripts or Resources): lazily loaded, virtualised, searchable,
 * with check boxes for batch operations and the DataArts menus.
 */
export function DirectoryTree({ category }: { category: Category }) {
  const { workspace, treeEpoch, refreshTree, openEditor, openExport, openImport, tabs, closeEditor, setTabState } = useConsole();
  const ws = workspace.id;
  const noun = NOUNS[category];
  const toast = useToast();
  const queryClient = useQueryClient();
  const treeId = useId();
  const data = useTreeData(ws, category, treeEpoch[category]);
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
  const kebabRef = useRef<HTMLButtonElement>(null);
  const selectable = category !== "resource";
  const kind: ep.ObjectKind = category === "script" ? "scripts" : "jobs";

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

  const focusRow = (index: number) => {
    const row = rows[index];
    if (!row) return;
    setFocusKey(row.key);
    virtualizer.scrollToIndex(index, { align: "auto" });
  };

  // ---- selection → what the server gets

  /** The selection as ids the server understands, loading what must be loaded first. */
  const resolveSelection = async () => {
    let req = selectionRequest(selection, hierarchyOf(data.treeRef.current));
    for (let round = 0; req.incomplete.length && round < 20; round++) {
      for (const d of req.incomplete) await data.loadAll(d);
      req = selectionRequest(selection, hierarchyOf(data.treeRef.current));
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

  const afterChange = () => {
    refreshTree(category);
    void queryClient.invalidateQueries({ queryKey: ["ws", ws] });
  };

  const anyChecked = hasAnyChecked(selection);

  const kebabItems = (): (MenuItem | "separator")[] => {
    if (!selectable) return [{ label: "Create Directory", onSelect: () => setDialog({ type: "createDir", parent: null }) }];
    const needs = !checkboxes || !anyChecked;
    return [
      checkboxes
        ? { label: "Hide Check Box", onSelect: () => { setCheckboxes(false); setSelection(emptySelection()); } }
        : { label: "Show Check Box", onSelect: () => setCheckboxes(true) },
      "separator",
      { label: `Export ${noun.one}`, onSelect: exportSelection, disabled: needs },
      { label: `Export Workspace ${noun.one}`, onSelect: exportWorkspace },
      { label: `Import ${noun.one}`, onSelect: () => openImport(category === "script" ? "script" : "job") },
      { label: `Delete ${noun.one}`, onSelect: () => batch("batchDelete"), disabled: needs, danger: true },
      { label: `Move ${noun.one}`, onSelect: () => batch("batchMove"), disabled: needs },
      { label: "Configure Owner", onSelect: configureOwner },
      { label: "Batch Unlock", onSelect: () => batch("batchUnlock"), disabled: needs },
      "separator",
      { label: "Create Directory", onSelect: () => setDialog({ type: "createDir", parent: null }) },
    ];
  };

  const elementMenu = (e: LoadedElement): (MenuItem | "separator")[] => {
    if (!selectable) return [{ label: "Copy Name", onSelect: () => copyText(e.name).then(() => toast("Copied.")) }];
    return [
      { label: "Rename", onSelect: () => setDialog({ type: "rename", element: e }) },
      { label: "Move", onSelect: () => setDialog({ type: "move", element: e }) },
      { label: "Delete", onSelect: () => setDialog({ type: "delete", element: e }), danger: true },
      { label: "Export", onSelect: () => openExport({ category: category === "script" ? "script" : "job", ids: [e.id], description: e.name }) },
      { label: "Copy and Save As", onSelect: () => setDialog({ type: "copy", element: e }) },
      { label: "Copy Name", onSelect: () => copyText(e.name).then(() => toast("Copied.")) },
    ];
  };

  const dirMenu = (id: DirKey): (MenuItem | "separator")[] => {
    const items: (MenuItem | "separator")[] = [{ label: "Create Directory", onSelect: () => setDialog({ type: "createDir", parent: id }) }];
    if (id !== null) {
      const name = tree.dirs[String(id)]?.name ?? "";
      items.push(
        { label: "Rename Directory", onSelect: () => setDialog({ type: "renameDir", id, name }) },
        { label: "Delete Directory", onSelect: () => setDialog({ type: "deleteDir", id, name }), danger: true },
      );
    }
    return items;
  };

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
      <div className="tree-toolbar">
        <input
          type="search"
          className="tree-search"
          aria-label={`Search ${noun.many.toLowerCase()}`}
          placeholder={category === "job" ? "Enter a job or owner keyword" : `Enter a ${noun.one.toLowerCase()} name`}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <button
          type="button"
          className="icon-button"
          aria-label={`Refresh ${noun.many.toLowerCase()}`}
          title="Refresh"
          onClick={() => {
            data.reload();
            void searchQuery.refetch();
          }}
        >
          ⟳
        </button>
        <button
          ref={kebabRef}
          type="button"
          className="icon-button"
          aria-label={`${noun.many} menu`}
          aria-haspopup="menu"
          title="More"
          onClick={() => {
            const r = kebabRef.current!.getBoundingClientRect();
            setMenu({ at: { x: r.left, y: r.bottom + 2 }, items: kebabItems(), label: `${noun.many} menu` });
          }}
        >
          ⋮
        </button>
      </div>
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
            const style: React.CSSProperties = {
              position: "absolute",
              top: 0,
              left: 0,
              right: 0,
              height: ROW_HEIGHT,
              transform: `translateY(${vi.start}px)`,
              paddingLeft: 6 + row.depth * 16,
            };
            if (row.kind === "more") {
              const list = tree.children[dirKeyString(row.parent)];
              return (
                <div key={row.key} role="none" className="tree-row tree-row-note" style={{ ...style, paddingLeft: style.paddingLeft as number + 20 }}>
                  <LoadMoreRow onVisible={() => data.loadMore(row.parent)} remaining={list ? Math.max(0, list.count - list.loaded) : null} />
                </div>
              );
            }
            if (row.kind === "loading" || row.kind === "empty") {
              const err = errors[dirKeyString(row.parent)];
              return (
                <div key={row.key} role="none" className="tree-row tree-row-note" style={{ ...style, paddingLeft: style.paddingLeft as number + 20 }}>
                  {row.kind === "empty" ? <span className="muted">Empty</span> : err ? <span className="error-text">{err}</span> : <span className="muted">Loading…</span>}
                </div>
              );
            }
            const focused = row.key === focusKey;
            const check = checkboxes && selectable ? rowCheck(row) : undefined;
            const label = rowLabel(row);
            if (row.kind === "dir") {
              const isRoot = row.id === null;
              return (
                <div
                  key={row.key}
                  id={`${treeId}-${row.key}`}
                  role="treeitem"
                  aria-level={row.depth + 1}
                  aria-expanded={row.expandable ? row.expanded : undefined}
                  aria-selected={focused}
                  aria-checked={check === undefined ? undefined : check === "mixed" ? "mixed" : check}
                  aria-label={label}
                  className={`tree-row tree-dir${focused ? " focused" : ""}${isRoot ? " tree-root" : ""}`}
                  style={style}
                  onClick={() => {
                    setFocusKey(row.key);
                    if (!searching) toggleExpand(row);
                    scrollRef.current?.focus();
                  }}
                  onContextMenu={(e) => {
                    e.preventDefault();
                    setFocusKey(row.key);
                    openRowMenu(row, { x: e.clientX, y: e.clientY });
                  }}
                >
                  <span className="tree-chevron" aria-hidden="true">
                    {row.expandable ? (row.expanded ? "▾" : "▸") : ""}
                  </span>
                  {check !== undefined && <CheckBox state={check} onToggle={() => toggleRow(row)} label={`Select ${label}`} />}
                  <span className={`tree-icon ${isRoot ? "root" : "folder"}`} aria-hidden="true" />
                  <span className="tree-name">{label}</span>
                </div>
              );
            }
            const e = tree.elements[String(row.id)];
            if (!e) return null;
            const mark = selectable ? elementMark(e, category) : null;
            const lock = selectable ? lockLabel(e) : null;
            return (
              <div
                key={row.key}
                id={`${treeId}-${row.key}`}
                role="treeitem"
                aria-level={row.depth + 1}
                aria-selected={focused}
                aria-checked={check === undefined ? undefined : check === true}
                aria-label={e.name}
                aria-description={[lock, mark === "unsubmitted" ? "Not submitted" : mark === "unscheduled" ? "Not scheduled" : null, e.owner ? `Owner ${e.owner}` : null].filter(Boolean).join(", ") || undefined}
                className={`tree-row tree-element${focused ? " focused" : ""}${mark ? ` mark-${mark}` : ""}`}
                style={style}
                title={`${e.name}${e.owner ? ` · owner ${e.owner}` : ""}${e.updatedAt ? ` · updated ${new Date(e.updatedAt).toLocaleString()}` : ""}`}
                onClick={() => {
                  setFocusKey(row.key);
                  scrollRef.current?.focus();
                }}
                onDoubleClick={() => openElement(e.id)}
                onContextMenu={(ev) => {
                  ev.preventDefault();
                  setFocusKey(row.key);
                  openRowMenu(row, { x: ev.clientX, y: ev.clientY });
                }}
              >
                <span className="tree-chevron" aria-hidden="true" />
                {check !== undefined && <CheckBox state={check} onToggle={() => toggleRow(row)} label={`Select ${e.name}`} />}
                <span className={`tree-icon ${category}${e.processType === "REAL_TIME" ? " realtime" : ""}`} aria-hidden="true" />
                <span className="tree-name">{e.name}</span>
                {lock && <span className={`lock-label${e.lockedByMe ? " mine" : ""}`}>{lock}</span>}
                {searching && e.owner && <span className="tree-owner">{e.owner}</span>}
              </div>
            );
          })}
        </div>
      </div>
      {selectable && (
        <div className="tree-legend" aria-hidden="true">
          <span className="legend-dot unsubmitted" /> not submitted
          {category === "job" && (
            <>
              <span className="legend-dot unscheduled" /> not scheduled
            </>
          )}
        </div>
      )}

      {menu && <Menu label={menu.label} items={menu.items} at={menu.at} onClose={() => setMenu(null)} />}

      {dialog?.type === "rename" && (
        <NameDialog
          title={`Rename ${noun.one}`}
          label={`${noun.one} Name`}
          initial={dialog.element.name}
          validate={validateObjectName}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            await ep.objectRename(ws, kind, dialog.element.id, name);
            setTabState(tabKey({ kind: category === "script" ? "script" : "job", id: dialog.element.id }), { title: name });
            toast(`Renamed to ${name}.`);
            afterChange();
          }}
        />
      )}
      {dialog?.type === "copy" && <CopyDialog ws={ws} category={category} kind={kind} element={dialog.element} onClose={() => setDialog(null)} onDone={afterChange} />}
      {dialog?.type === "move" && (
        <MoveDialog
          ws={ws}
          category={category}
          title={`Move ${noun.one}`}
          what={dialog.element.name}
          onClose={() => setDialog(null)}
          onMove={async (dir) => {
            await ep.objectMove(ws, kind, dialog.element.id, dir);
            toast("Moved.");
            afterChange();
          }}
        />
      )}
      {dialog?.type === "delete" && (
        <ConfirmDialog
          title={`Delete ${noun.one}`}
          danger
          confirmLabel="Delete"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await ep.objectDelete(ws, kind, dialog.element.id);
            const key = tabKey({ kind: category === "script" ? "script" : "job", id: dialog.element.id });
            const shown = tabFromPath(window.location.pathname);
            if (tabs.some((t) => tabKey(t) === key)) closeEditor(key, shown ? tabKey(shown) : null);
            toast("Deleted.");
            afterChange();
          }}
        >
          Delete {noun.one.toLowerCase()} <strong>{dialog.element.name}</strong>? This cannot be undone.
        </ConfirmDialog>
      )}
      {dialog?.type === "batchDelete" && (
        <ConfirmDialog
          title={`Delete ${noun.one}`}
          danger
          confirmLabel="Delete"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await ep.objectsDelete(ws, kind, dialog.ids);
            setSelection(emptySelection());
            toast(`Deleted ${dialog.ids.length} ${dialog.ids.length === 1 ? noun.one.toLowerCase() : noun.many.toLowerCase()}.`);
            afterChange();
          }}
        >
          Delete the {dialog.ids.length} selected {dialog.ids.length === 1 ? noun.one.toLowerCase() : noun.many.toLowerCase()}? This cannot be undone.
        </ConfirmDialog>
      )}
      {dialog?.type === "batchMove" && (
        <MoveDialog
          ws={ws}
          category={category}
          title={`Move ${noun.one}`}
          what={`${dialog.ids.length} ${dialog.ids.length === 1 ? noun.one.toLowerCase() : noun.many.toLowerCase()}`}
          onClose={() => setDialog(null)}
          onMove={async (dir) => {
            await ep.objectsMove(ws, kind, dialog.ids, dir);
            setSelection(emptySelection());
            toast("Moved.");
            afterChange();
          }}
        />
      )}
      {dialog?.type === "batchUnlock" && (
        <ConfirmDialog
          title="Batch Unlock"
          confirmLabel="Unlock"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            const result = await ep.objectsUnlock(ws, kind, dialog.ids);
            const refused = result?.refused ?? [];
            if (refused.length) {
              toast(`Unlocked ${result.unlocked}. Not unlocked: ${refused.map((r) => `${r.name} (${r.reason})`).join("; ")}`, "error");
            } else toast("Unlocked.");
            afterChange();
          }}
        >
          Unlock the {dialog.ids.length} selected {dialog.ids.length === 1 ? noun.one.toLowerCase() : noun.many.toLowerCase()}? Unsaved changes of whoever holds a lock are lost.
        </ConfirmDialog>
      )}
      {dialog?.type === "owner" && <OwnerDialog ws={ws} kind={kind} nouns={noun} ids={dialog.ids} onClose={() => setDialog(null)} onDone={afterChange} />}
      {dialog?.type === "createDir" && (
        <NameDialog
          title="Create Directory"
          label="Directory Name"
          maxLength={64}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            const parentPath = dialog.parent === null ? "" : (tree.dirs[String(dialog.parent)]?.path ?? "").replace(/\/+$/, "");
            await ep.directoryCreate(ws, { category, path: `${parentPath}/${name}` });
            toast("Directory created.");
            if (dialog.parent !== null) data.expand(dialog.parent);
            afterChange();
          }}
        />
      )}
      {dialog?.type === "renameDir" && (
        <NameDialog
          title="Rename Directory"
          label="Directory Name"
          maxLength={64}
          initial={dialog.name}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            await ep.directoryUpdate(ws, dialog.id, { name });
            toast("Renamed.");
            afterChange();
          }}
        />
      )}
      {dialog?.type === "deleteDir" && (
        <ConfirmDialog
          title="Delete Directory"
          danger
          confirmLabel="Delete"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await ep.directoryDelete(ws, dialog.id);
            toast("Directory deleted.");
            afterChange();
          }}
        >
          Delete directory <strong>{dialog.name}</strong>? Only an empty directory can be deleted.
        </ConfirmDialog>
      )}
    </div>
  );
}

function CopyDialog({
  ws,
  category,
  kind,
  element,
  onClose,
  onDone,
}: {
  ws: Id;
  category: Category;
  kind: ep.ObjectKind;
  element: LoadedElement;
  onClose: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const [dir, setDir] = useState<{ id: Id | null; path: string }>({ id: element.dirId ?? null, path: element.directory || "/" });
  return (
    <NameDialog
      title="Copy and Save As"
      label={`${NOUNS[category].one} Name`}
      initial={`${element.name}_copy`}
      validate={validateObjectName}
      onClose={onClose}
      onSubmit={async (name) => {
        await ep.objectCopy(ws, kind, element.id, name, dir.path);
        toast(`Saved as ${name}.`);
        onDone();
      }}
    >
      <p className="muted">Select Directory: {dir.path}</p>
      <DirectoryPicker ws={ws} category={category} selected={dir.id} onSelect={(id, path) => setDir({ id, path })} label="Select Directory" />
    </NameDialog>
  );
}
