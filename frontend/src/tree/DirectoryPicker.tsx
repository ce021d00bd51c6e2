import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import * as ep from "../api/endpoints";
import { keys } from "../api/hooks";
import { useWrite, type Invalidates } from "../api/mutations";
import type { Category, Id } from "../api/types";
import { WriteDialog } from "../ui/WriteDialog";
import { ErrorNotice, Spinner } from "../ui/bits";

function DirLevel({
  ws,
  category,
  parent,
  depth,
  selected,
  onSelect,
  disabledId,
}: {
  ws: Id;
  category: Category;
  parent: Id | null;
  depth: number;
  selected: Id | null;
  onSelect: (id: Id | null, path: string) => void;
  disabledId?: Id | null;
}) {
  const q = useQuery({
    queryKey: keys.treePicker(ws, category, parent),
    queryFn: () => ep.treeGet(ws, { category, parent, limit: 1 }),
  });
  const [open, setOpen] = useState<Set<Id>>(new Set());
  if (q.isPending) return <div style={{ paddingLeft: depth * 16 + 8 }}><Spinner /></div>;
  if (q.error) return <ErrorNotice error={q.error} />;
  return (
    <>
      {q.data.directories.map((dir) => {
        if (dir.id === null) return null;
        const d = { ...dir, id: dir.id };
        const isOpen = open.has(d.id);
        const disabled = d.id === disabledId;
        return (
          <div key={d.id} role="none">
            <div
              role="treeitem"
              aria-level={depth + 2}
              aria-selected={selected === d.id}
              aria-expanded={d.hasChildren ? isOpen : undefined}
              aria-disabled={disabled || undefined}
              className={`picker-row${selected === d.id ? " selected" : ""}`}
              style={{ paddingLeft: depth * 16 + 24 }}
              tabIndex={-1}
              onClick={() => !disabled && onSelect(d.id, d.path)}
            >
              {d.hasChildren && (
                <button
                  type="button"
                  className="chevron-button"
                  aria-label={isOpen ? `Collapse ${d.name}` : `Expand ${d.name}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    setOpen((s) => {
                      const n = new Set(s);
                      if (n.has(d.id)) n.delete(d.id);
                      else n.add(d.id);
                      return n;
                    });
                  }}
                >
                  {isOpen ? "▾" : "▸"}
                </button>
              )}
              <span className="tree-icon folder" aria-hidden="true" />
              {d.name}
            </div>
            {isOpen && !disabled && (
              <DirLevel ws={ws} category={category} parent={d.id} depth={depth + 1} selected={selected} onSelect={onSelect} disabledId={disabledId} />
            )}
          </div>
        );
      })}
    </>
  );
}

/** A directory tree to pick a target directory from (the root included). */
export function DirectoryPicker({
  ws,
  category,
  selected,
  onSelect,
  disabledId,
  label = "Directory",
}: {
  ws: Id;
  category: Category;
  selected: Id | null;
  onSelect: (id: Id | null, path: string) => void;
  disabledId?: Id | null;
  label?: string;
}) {
  return (
    <div className="picker" role="tree" aria-label={label}>
      <div
        role="treeitem"
        aria-level={1}
        aria-selected={selected === null}
        aria-expanded
        className={`picker-row${selected === null ? " selected" : ""}`}
        tabIndex={-1}
        onClick={() => onSelect(null, "/")}
      >
        <span className="tree-icon folder" aria-hidden="true" />/ (root)
      </div>
      <DirLevel ws={ws} category={category} parent={null} depth={0} selected={selected} onSelect={onSelect} disabledId={disabledId} />
    </div>
  );
}

/** "Select Directory" for Move / Move Job. */
export function MoveDialog({
  ws,
  category,
  title,
  what,
  onMove,
  invalidates,
  onClose,
}: {
  ws: Id;
  category: Category;
  title: string;
  what: string;
  onMove: (directoryPath: string) => Promise<unknown>;
  invalidates?: Invalidates<string, unknown>;
  onClose: () => void;
}) {
  const [target, setTarget] = useState<{ id: Id | null; path: string }>({ id: null, path: "/" });
  const write = useWrite(onMove, { invalidates, onDone: onClose });
  return (
    <WriteDialog title={title} width={480} write={write} onSubmit={() => write.mutate(target.path)} onClose={onClose} busyLabel="Moving…">
      <p>
        Move {what} to <strong>{target.path}</strong>
      </p>
      <p className="muted">Select Directory</p>
      <DirectoryPicker ws={ws} category={category} selected={target.id} onSelect={(id, path) => setTarget({ id, path })} label="Select Directory" />
    </WriteDialog>
  );
}
