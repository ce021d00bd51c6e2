/**
 * What the tree's menus do with the ticked rows: the export and the batch operations (Delete, Move,
 * Unlock, Configure Owner) send the compact selection, nothing loaded or walked, whatever the size of the
 * ticked directories (the server counts it for the confirmation, shown as busy), and the menus' items.
 * The dialogs the batch operations open do the writes (TreeDialogs).
 */
import { useMemo } from "react";
import { useMutation } from "@tanstack/react-query";
import * as ep from "../api/endpoints";
import type { Category, Id } from "../api/types";
import { describeSelection } from "../export/logic";
import { useDialogs } from "../shell/ConsoleContext";
import { useToast } from "../ui/bits";
import type { useTreeData } from "./hooks";
import { copyText, dirMenuItems, elementMenuItems, kebabMenu } from "./menus";
import type { LoadedElement } from "./model";
import { batchSelection, compactSelection, emptySelection, hasAnyChecked, type DirKey, type Hierarchy, type Selection } from "./selection";
import { NOUNS, type DialogState } from "./TreeDialogs";

type BatchType = "batchDelete" | "batchMove" | "batchUnlock" | "owner";

export function useTreeActions({
  ws,
  category,
  data,
  selection,
  setSelection,
  checkboxes,
  setCheckboxes,
  hierarchy,
  setDialog,
}: {
  ws: Id;
  category: Category;
  data: ReturnType<typeof useTreeData>;
  selection: Selection;
  setSelection: (s: Selection) => void;
  checkboxes: boolean;
  setCheckboxes: (show: boolean) => void;
  hierarchy: Hierarchy;
  setDialog: (d: DialogState) => void;
}) {
  const { openExport, openImport } = useDialogs();
  const toast = useToast();
  const noun = NOUNS[category];
  const selectable = category !== "resource";
  const cat = category === "script" ? "script" : "job";
  const kind: ep.ObjectKind = category === "script" ? "scripts" : "jobs";
  const { tree } = data;

  // Counting the ticked objects (for the confirmation) reads only; a mutation still gives its busy state
  // and error in one place.
  const collect = useMutation({
    mutationFn: async (type: BatchType) => {
      const ticked = batchSelection(compactSelection(selection, hierarchy));
      const { count } = await ep.objectsSelectedCount(ws, kind, ticked);
      if (!count) throw new Error(`Select at least one ${noun.one.toLowerCase()}.`);
      return { type, ticked: { selection: ticked, count } };
    },
    onSuccess: (dialog) => setDialog(dialog),
  });
  const batch = (type: BatchType) => collect.mutate(type);

  /** The export gets the selection compactly (ticked directories minus what is unticked inside them): no
   * directory has to be loaded, however many jobs it holds. */
  const exportSelection = () => {
    const req = compactSelection(selection, hierarchy);
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

  /** Promote: the ticked jobs, compactly as the export takes them, to an environment profile's target. */
  const promote = () => {
    const req = compactSelection(selection, hierarchy);
    const single = req.elementIds.length === 1 && !req.directoryIds.length && !req.all;
    setDialog({
      type: "promote",
      selection: req,
      description: describeSelection(cat, req.all, req.directoryIds.length, req.elementIds.length, single ? tree.elements[String(req.elementIds[0])]?.name : undefined, {
        directories: req.excludeDirectoryIds.length,
        ids: req.excludeElementIds.length,
      }),
    });
  };

  const exportWorkspace = () => openExport({ category: cat, workspace: true, all: true, description: `all ${cat}s of the workspace` });

  /** Configure Owner: the ticked objects, or (nothing ticked) DataArts' Current Owner → Target Owner form. */
  const configureOwner = () => (checkboxes && hasAnyChecked(selection) ? batch("owner") : setDialog({ type: "owner", ticked: null }));

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
      importPackage: () => openImport(cat),
      promote: category === "job" ? promote : undefined,
      batch,
      configureOwner,
      openDialog: setDialog,
    });
  const elementMenu = (e: LoadedElement) =>
    elementMenuItems({
      element: e,
      selectable,
      openDialog: setDialog,
      exportOne: () => openExport({ category: cat, ids: [e.id], description: e.name }),
      copyName: () => void copyText(e.name).then(() => toast("Copied.")),
    });
  const dirMenu = (id: DirKey) => dirMenuItems({ id, name: id === null ? "" : (tree.dirs[String(id)]?.name ?? ""), openDialog: setDialog });

  const checkedSummary = useMemo(() => {
    if (!checkboxes || !anyChecked) return null;
    const req = compactSelection(selection, hierarchy);
    return describeSelection(cat, req.all, req.directoryIds.length, req.elementIds.length, undefined, {
      directories: req.excludeDirectoryIds.length,
      ids: req.excludeElementIds.length,
    });
  }, [checkboxes, anyChecked, selection, hierarchy, cat]);

  return {
    busy: collect.isPending ? "Counting the selection…" : null,
    error: collect.error,
    kebabItems,
    elementMenu,
    dirMenu,
    checkedSummary,
  };
}
