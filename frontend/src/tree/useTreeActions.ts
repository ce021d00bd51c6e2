/**
 * What the tree's menus do with the ticked rows: the export (the compact selection, nothing loaded), the
 * batch operations (the ticked directories walked into ids first, shown as busy), and the menus' items.
 * The dialogs the batch operations open do the writes (TreeDialogs).
 */
import { useMemo } from "react";
import { useMutation } from "@tanstack/react-query";
import type { Category, Id } from "../api/types";
import { describeSelection } from "../export/logic";
import { useDialogs } from "../shell/ConsoleContext";
import { useToast } from "../ui/bits";
import { collectElementIds, type useTreeData } from "./hooks";
import { copyText, dirMenuItems, elementMenuItems, kebabMenu } from "./menus";
import { hierarchyOf, type LoadedElement } from "./model";
import { compactSelection, emptySelection, hasAnyChecked, selectionRequest, type DirKey, type Hierarchy, type Selection } from "./selection";
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
  const { tree } = data;

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

  // Collecting the ticked ids reads only; a mutation still gives its busy state and error in one place.
  const collect = useMutation({
    mutationFn: async (type: BatchType) => {
      const ids = await selectedIds();
      if (!ids.length) throw new Error(`Select at least one ${noun.one.toLowerCase()}.`);
      return { type, ids };
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

  const exportWorkspace = () => openExport({ category: cat, workspace: true, all: true, description: `all ${cat}s of the workspace` });

  /** Configure Owner: the ticked objects, or (nothing ticked) DataArts' Current Owner → Target Owner form. */
  const configureOwner = () => (checkboxes && hasAnyChecked(selection) ? batch("owner") : setDialog({ type: "owner", ids: null }));

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
    busy: collect.isPending ? "Collecting the selection…" : null,
    error: collect.error,
    kebabItems,
    elementMenu,
    dirMenu,
    checkedSummary,
  };
}
