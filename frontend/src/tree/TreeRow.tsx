/**
 * One row of the virtualised directory tree: a directory or an element as a `treeitem` (with its
 * `aria-checked` check box when check boxes are shown), or a note (loading, empty, more to load).
 * The tree (DirectoryTree) owns focus, selection and menus; a row only reports what the user did.
 */
import { useEffect } from "react";
import type { Category, Id } from "../api/types";
import { dirKeyString, elementMark, lockLabel, type Row, type TreeData } from "./model";
import type { CheckState } from "./selection";

export const ROW_HEIGHT = 26;

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

export interface TreeRowProps {
  row: Row;
  /** Where the virtualiser places it (px from the top). */
  start: number;
  treeId: string;
  tree: TreeData;
  category: Category;
  focused: boolean;
  /** The check box's state; undefined when check boxes are hidden. */
  check: CheckState | undefined;
  label: string;
  searching: boolean;
  selectable: boolean;
  errors: Record<string, string>;
  onFocus: (key: string) => void;
  onToggleExpand: (row: Row & { kind: "dir" }) => void;
  onToggleCheck: (row: Row) => void;
  onOpen: (id: Id) => void;
  onMenu: (row: Row, at: { x: number; y: number }) => void;
  onLoadMore: () => void;
}

export function TreeRow(props: TreeRowProps) {
  const { row, start, treeId, tree, category, focused, check, label, searching, selectable, errors } = props;
  const { onFocus, onToggleExpand, onToggleCheck, onOpen, onMenu, onLoadMore } = props;
  const style: React.CSSProperties = {
    position: "absolute",
    top: 0,
    left: 0,
    right: 0,
    height: ROW_HEIGHT,
    transform: `translateY(${start}px)`,
    paddingLeft: 6 + row.depth * 16,
  };
  if (row.kind === "more") {
    const list = tree.children[dirKeyString(row.parent)];
    return (
      <div role="none" className="tree-row tree-row-note" style={{ ...style, paddingLeft: style.paddingLeft as number + 20 }}>
        <LoadMoreRow onVisible={onLoadMore} remaining={list ? Math.max(0, list.count - list.loaded) : null} />
      </div>
    );
  }
  if (row.kind === "loading" || row.kind === "empty") {
    const err = errors[dirKeyString(row.parent)];
    return (
      <div role="none" className="tree-row tree-row-note" style={{ ...style, paddingLeft: style.paddingLeft as number + 20 }}>
        {row.kind === "empty" ? <span className="muted">Empty</span> : err ? <span className="error-text">{err}</span> : <span className="muted">Loading…</span>}
      </div>
    );
  }
  if (row.kind === "dir") {
    const isRoot = row.id === null;
    return (
      <div
       
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
          onFocus(row.key);
          if (!searching) onToggleExpand(row);
        }}
        onContextMenu={(e) => {
          e.preventDefault();
          onFocus(row.key);
          onMenu(row, { x: e.clientX, y: e.clientY });
        }}
      >
        <span className="tree-chevron" aria-hidden="true">
          {row.expandable ? (row.expanded ? "▾" : "▸") : ""}
        </span>
        {check !== undefined && <CheckBox state={check} onToggle={() => onToggleCheck(row)} label={`Select ${label}`} />}
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
      onClick={() => onFocus(row.key)}
      onDoubleClick={() => onOpen(e.id)}
      onContextMenu={(ev) => {
        ev.preventDefault();
        onFocus(row.key);
          onMenu(row, { x: ev.clientX, y: ev.clientY });
      }}
    >
      <span className="tree-chevron" aria-hidden="true" />
      {check !== undefined && <CheckBox state={check} onToggle={() => onToggleCheck(row)} label={`Select ${e.name}`} />}
      <span className={`tree-icon ${category}${e.processType === "REAL_TIME" ? " realtime" : ""}`} aria-hidden="true" />
      <span className="tree-name">{e.name}</span>
      {lock && <span className={`lock-label${e.lockedByMe ? " mine" : ""}`}>{lock}</span>}
      {searching && e.owner && <span className="tree-owner">{e.owner}</span>}
    </div>
  );
}
