/**
 * The directory tree's menus, as DataArts lays them out: the toolbar's ⋮ menu (check boxes, export,
 * import, the batch actions, Create Directory), an element's context menu and a directory's. Plain
 * builders over the actions the tree hands in, so that the tree component keeps only the wiring.
 */
import type { MenuItem } from "../ui/Menu";
import type { LoadedElement } from "./model";
import type { DirKey } from "./selection";
import type { DialogState } from "./TreeDialogs";

type Items = (MenuItem | "separator")[];
type Batch = "batchDelete" | "batchMove" | "batchUnlock" | "owner";

export async function copyText(text: string): Promise<void> {
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

export function kebabMenu(o: {
  noun: { one: string; many: string };
  selectable: boolean;
  checkboxes: boolean;
  anyChecked: boolean;
  showCheckBoxes: (show: boolean) => void;
  exportSelection: () => void;
  exportWorkspace: () => void;
  importPackage: () => void;
  /** Promote the ticked jobs to an environment profile's target (jobs only). */
  promote?: () => void;
  batch: (type: Batch) => void;
  configureOwner: () => void;
  openDialog: (dialog: DialogState) => void;
}): Items {
  const createDir: MenuItem = { label: "Create Directory", onSelect: () => o.openDialog({ type: "createDir", parent: null }) };
  if (!o.selectable) return [createDir];
  const needs = !o.checkboxes || !o.anyChecked;
  return [
    o.checkboxes ? { label: "Hide Check Box", onSelect: () => o.showCheckBoxes(false) } : { label: "Show Check Box", onSelect: () => o.showCheckBoxes(true) },
    "separator",
    { label: `Export ${o.noun.one}`, onSelect: o.exportSelection, disabled: needs },
    { label: `Export Workspace ${o.noun.one}`, onSelect: o.exportWorkspace },
    { label: `Import ${o.noun.one}`, onSelect: o.importPackage },
    ...(o.promote ? [{ label: `Promote ${o.noun.one}`, onSelect: o.promote, disabled: needs }] : []),
    { label: `Delete ${o.noun.one}`, onSelect: () => o.batch("batchDelete"), disabled: needs, danger: true },
    { label: `Move ${o.noun.one}`, onSelect: () => o.batch("batchMove"), disabled: needs },
    { label: "Configure Owner", onSelect: o.configureOwner },
    { label: "Batch Unlock", onSelect: () => o.batch("batchUnlock"), disabled: needs },
    "separator",
    createDir,
  ];
}

export function elementMenuItems(o: {
  element: LoadedElement;
  selectable: boolean;
  openDialog: (dialog: DialogState) => void;
  exportOne: () => void;
  copyName: () => void;
}): Items {
  const e = o.element;
  if (!o.selectable) return [{ label: "Copy Name", onSelect: o.copyName }];
  return [
    { label: "Rename", onSelect: () => o.openDialog({ type: "rename", element: e }) },
    { label: "Move", onSelect: () => o.openDialog({ type: "move", element: e }) },
    { label: "Delete", onSelect: () => o.openDialog({ type: "delete", element: e }), danger: true },
    { label: "Export", onSelect: o.exportOne },
    { label: "Copy and Save As", onSelect: () => o.openDialog({ type: "copy", element: e }) },
    { label: "Copy Name", onSelect: o.copyName },
  ];
}

export function dirMenuItems(o: { id: DirKey; name: string; openDialog: (dialog: DialogState) => void }): Items {
  const items: Items = [{ label: "Create Directory", onSelect: () => o.openDialog({ type: "createDir", parent: o.id }) }];
  const id = o.id;
  if (id !== null) {
    items.push(
      { label: "Rename Directory", onSelect: () => o.openDialog({ type: "renameDir", id, name: o.name }) },
      { label: "Delete Directory", onSelect: () => o.openDialog({ type: "deleteDir", id, name: o.name }), danger: true },
    );
  }
  return items;
}
