/**
 * The directory tree's dialogs: rename, move, delete, copy of one element; batch delete, move, unlock and
 * Configure Owner of the ticked ones; create, rename and delete of a directory. Which one is open is the
 * tree's view state (`TreeDialog`); each write reports back through onChanged so that the tree refreshes.
 */
import { useState } from "react";
import * as ep from "../api/endpoints";
import { keys } from "../api/hooks";
import type { Category, Id } from "../api/types";
import { useTabs } from "../shell/ConsoleContext";
import { tabFromPath, tabKey } from "../shell/tabs";
import { useToast } from "../ui/bits";
import { ConfirmDialog, NameDialog, validateObjectName } from "../ui/forms";
import { DirectoryPicker, MoveDialog } from "./DirectoryPicker";
import type { LoadedElement, TreeData } from "./model";
import { OwnerDialog } from "./OwnerDialog";
import type { CompactSelection, DirKey, Ticked } from "./selection";
import { PromoteDialog } from "../deployments/PromoteDialog";

export const NOUNS: Record<Category, { one: string; many: string }> = {
  job: { one: "Job", many: "Jobs" },
  script: { one: "Script", many: "Scripts" },
  resource: { one: "Resource", many: "Resources" },
};

export type DialogState =
  | { type: "rename"; element: LoadedElement }
  | { type: "move"; element: LoadedElement }
  | { type: "delete"; element: LoadedElement }
  | { type: "copy"; element: LoadedElement }
  | { type: "batchDelete"; ticked: Ticked }
  | { type: "batchMove"; ticked: Ticked }
  | { type: "batchUnlock"; ticked: Ticked }
  | { type: "owner"; ticked: Ticked | null }
  | { type: "createDir"; parent: DirKey }
  | { type: "renameDir"; id: Id; name: string }
  | { type: "deleteDir"; id: Id; name: string }
  | { type: "promote"; selection: CompactSelection; description: string };

export function TreeDialogs({
  dialog,
  ws,
  category,
  tree,
  onClose,
  onSelectionDone,
  onExpand,
}: {
  dialog: DialogState | null;
  ws: Id;
  category: Category;
  tree: TreeData;
  onClose: () => void;
  /** After a batch write: the ticks are cleared. */
  onSelectionDone: () => void;
  onExpand: (dir: DirKey) => void;
}) {
  const { tabs, closeEditor, setTabState } = useTabs();
  const toast = useToast();
  const noun = NOUNS[category];
  const kind: ep.ObjectKind = category === "script" ? "scripts" : "jobs";
  const one = category === "script" ? "script" : "job";
  // What each write changes: the tree (its pages, pickers and search) and the documents it touched.
  const treeChanged = [keys.tree(ws, category), ...(category === "resource" ? [keys.resources(ws)] : [])];
  const oneChanged = (id: Id) => [...treeChanged, one === "script" ? keys.script(ws, id) : keys.job(ws, id)];
  const manyChanged = [...treeChanged, keys.objects(ws, one)];
  if (!dialog) return null;
  return (
    <>
    {dialog.type === "promote" && <PromoteDialog ws={ws} selection={dialog.selection} description={dialog.description} onClose={onClose} />}
    {dialog?.type === "rename" && (
      <NameDialog
        title={`Rename ${noun.one}`}
        label={`${noun.one} Name`}
        initial={dialog.element.name}
        validate={validateObjectName}
        onClose={onClose}
        invalidates={oneChanged(dialog.element.id)}
        onSubmit={async (name) => {
          await ep.objectRename(ws, kind, dialog.element.id, name);
          setTabState(tabKey({ kind: category === "script" ? "script" : "job", id: dialog.element.id }), { title: name });
          toast(`Renamed to ${name}.`);
        }}
      />
    )}
    {dialog?.type === "copy" && <CopyDialog ws={ws} category={category} kind={kind} element={dialog.element} onClose={onClose} />}
    {dialog?.type === "move" && (
      <MoveDialog
        ws={ws}
        category={category}
        title={`Move ${noun.one}`}
        what={dialog.element.name}
        onClose={onClose}
        invalidates={oneChanged(dialog.element.id)}
        onMove={async (dir) => {
          await ep.objectMove(ws, kind, dialog.element.id, dir);
          toast("Moved.");
        }}
      />
    )}
    {dialog?.type === "delete" && (
      <ConfirmDialog
        title={`Delete ${noun.one}`}
        danger
        confirmLabel="Delete"
        onClose={onClose}
        invalidates={oneChanged(dialog.element.id)}
        onConfirm={async () => {
          await ep.objectDelete(ws, kind, dialog.element.id);
          const key = tabKey({ kind: category === "script" ? "script" : "job", id: dialog.element.id });
          const shown = tabFromPath(window.location.pathname);
          if (tabs.some((t) => tabKey(t) === key)) closeEditor(key, shown ? tabKey(shown) : null);
          toast("Deleted.");
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
        onClose={onClose}
        invalidates={manyChanged}
        onConfirm={async () => {
          const { deleted } = await ep.objectsDelete(ws, kind, dialog.ticked.selection);
          onSelectionDone();
          toast(`Deleted ${deleted} ${deleted === 1 ? noun.one.toLowerCase() : noun.many.toLowerCase()}.`);
        }}
      >
        Delete the {dialog.ticked.count} selected {dialog.ticked.count === 1 ? noun.one.toLowerCase() : noun.many.toLowerCase()}? This cannot be undone.
      </ConfirmDialog>
    )}
    {dialog?.type === "batchMove" && (
      <MoveDialog
        ws={ws}
        category={category}
        title={`Move ${noun.one}`}
        what={`${dialog.ticked.count} ${dialog.ticked.count === 1 ? noun.one.toLowerCase() : noun.many.toLowerCase()}`}
        onClose={onClose}
        invalidates={manyChanged}
        onMove={async (dir) => {
          await ep.objectsMove(ws, kind, dialog.ticked.selection, dir);
          onSelectionDone();
          toast("Moved.");
        }}
      />
    )}
    {dialog?.type === "batchUnlock" && (
      <ConfirmDialog
        title="Batch Unlock"
        confirmLabel="Unlock"
        onClose={onClose}
        invalidates={manyChanged}
        onConfirm={async () => {
          const result = await ep.objectsUnlock(ws, kind, dialog.ticked.selection);
          const refused = result?.refused ?? [];
          if (refused.length) {
            toast(`Unlocked ${result.unlocked}. Not unlocked: ${refused.map((r) => `${r.name} (${r.reason})`).join("; ")}`, "error");
          } else toast("Unlocked.");
        }}
      >
        Unlock the {dialog.ticked.count} selected {dialog.ticked.count === 1 ? noun.one.toLowerCase() : noun.many.toLowerCase()}? Unsaved changes of whoever holds a lock are lost.
      </ConfirmDialog>
    )}
    {dialog?.type === "owner" && <OwnerDialog ws={ws} kind={kind} nouns={noun} ticked={dialog.ticked} onClose={onClose} invalidates={manyChanged} />}
    {dialog?.type === "createDir" && (
      <NameDialog
        title="Create Directory"
        label="Directory Name"
        maxLength={64}
        onClose={onClose}
        invalidates={treeChanged}
        onSubmit={async (name) => {
          const parentPath = dialog.parent === null ? "" : (tree.dirs[String(dialog.parent)]?.path ?? "").replace(/\/+$/, "");
          await ep.directoryCreate(ws, { category, path: `${parentPath}/${name}` });
          toast("Directory created.");
          if (dialog.parent !== null) onExpand(dialog.parent);
        }}
      />
    )}
    {dialog?.type === "renameDir" && (
      <NameDialog
        title="Rename Directory"
        label="Directory Name"
        maxLength={64}
        initial={dialog.name}
        onClose={onClose}
        invalidates={manyChanged}
        onSubmit={async (name) => {
          await ep.directoryUpdate(ws, dialog.id, { name });
          toast("Renamed.");
        }}
      />
    )}
    {dialog?.type === "deleteDir" && (
      <ConfirmDialog
        title="Delete Directory"
        danger
        confirmLabel="Delete"
        onClose={onClose}
        invalidates={treeChanged}
        onConfirm={async () => {
          await ep.directoryDelete(ws, dialog.id);
          toast("Directory deleted.");
        }}
      >
        Delete directory <strong>{dialog.name}</strong>? Only an empty directory can be deleted.
      </ConfirmDialog>
    )}
    </>
  );
}

function CopyDialog({
  ws,
  category,
  kind,
  element,
  onClose,
}: {
  ws: Id;
  category: Category;
  kind: ep.ObjectKind;
  element: LoadedElement;
  onClose: () => void;
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
      }}
      invalidates={[keys.tree(ws, category)]}
    >
      <p className="muted">Select Directory: {dir.path}</p>
      <DirectoryPicker ws={ws} category={category} selected={dir.id} onSelect={(id, path) => setDir({ id, path })} label="Select Directory" />
    </NameDialog>
  );
}
