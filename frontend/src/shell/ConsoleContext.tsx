import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { useNavigate } from "react-router-dom";
import type { Category, Session, Workspace } from "../api/types";
import type { ExportTarget } from "../export/logic";
import { closeTab, openTab, tabKey, tabPath, updateTab, type EditorTab } from "./tabs";

interface ConsoleValue {
  session: Session;
  workspace: Workspace;
  setWorkspace: (id: number) => void;
  tabs: EditorTab[];
  openEditor: (tab: EditorTab) => void;
  closeEditor: (key: string, activeKey: string | null) => void;
  setTabState: (key: string, patch: Partial<EditorTab>) => void;
  exportTarget: ExportTarget | null;
  openExport: (target: ExportTarget) => void;
  closeExport: () => void;
  importCategory: "job" | "script" | null;
  openImport: (category: "job" | "script") => void;
  closeImport: () => void;
  /** Workspace Settings (lock policy, OBS allow-list): everyone reads them, admins change them. */
  settingsOpen: boolean;
  setSettingsOpen: (open: boolean) => void;
  /** Bumped to make a tree reload what it shows. */
  treeEpoch: Record<Category, number>;
  refreshTree: (category: Category) => void;
}

const Ctx = createContext<ConsoleValue | null>(null);

const STORAGE_KEY = "dataarts.workspace";

function initialWorkspace(session: Session): Workspace {
  const stored = Number(window.localStorage.getItem(STORAGE_KEY));
  return session.workspaces.find((w) => w.id === stored) ?? session.workspaces[0];
}

export function ConsoleProvider({ session, children }: { session: Session; children: ReactNode }) {
  const navigate = useNavigate();
  // The id is the state; the workspace itself is read from the session each time, so that a refetched
  // session (after Workspace Settings are saved) shows the new lock policy and OBS allow-list.
  const [workspaceId, setWorkspaceId] = useState<number>(() => initialWorkspace(session).id);
  const workspace = session.workspaces.find((w) => w.id === workspaceId) ?? session.workspaces[0];
  const [tabs, setTabs] = useState<EditorTab[]>([]);
  const [exportTarget, setExportTarget] = useState<ExportTarget | null>(null);
  const [importCategory, setImportCategory] = useState<"job" | "script" | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [treeEpoch, setTreeEpoch] = useState<Record<Category, number>>({ job: 0, script: 0, resource: 0 });

  // Not checked against `session` here: a workspace just created is in the refetched session, which this
  // callback's caller may hold an older copy of; an id the session does not list shows the first one.
  const setWorkspace = useCallback(
    (id: number) => {
      window.localStorage.setItem(STORAGE_KEY, String(id));
      setWorkspaceId(id);
      setTabs([]); // open editors belong to the workspace they came from
      navigate("/");
    },
    [navigate],
  );

  const openEditor = useCallback(
    (tab: EditorTab) => {
      setTabs((t) => openTab(t, tab));
      navigate(tabPath(tab));
    },
    [navigate],
  );

  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;
  const closeEditor = useCallback(
    (key: string, activeKey: string | null) => {
      const { tabs: left, next } = closeTab(tabsRef.current, key, activeKey);
      setTabs(left);
      if (activeKey === key) navigate(next ? tabPath(next) : "/");
    },
    [navigate],
  );

  const setTabState = useCallback((key: string, patch: Partial<EditorTab>) => setTabs((t) => updateTab(t, key, patch)), []);
  const refreshTree = useCallback((category: Category) => setTreeEpoch((e) => ({ ...e, [category]: e[category] + 1 })), []);

  const value = useMemo<ConsoleValue>(
    () => ({
      session,
      workspace,
      setWorkspace,
      tabs,
      openEditor,
      closeEditor,
      setTabState,
      exportTarget,
      openExport: setExportTarget,
      closeExport: () => setExportTarget(null),
      importCategory,
      openImport: setImportCategory,
      closeImport: () => setImportCategory(null),
      settingsOpen,
      setSettingsOpen,
      treeEpoch,
      refreshTree,
    }),
    [session, workspace, setWorkspace, tabs, openEditor, closeEditor, setTabState, exportTarget, importCategory, settingsOpen, treeEpoch, refreshTree],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useConsole(): ConsoleValue {
  const v = useContext(Ctx);
  if (!v) throw new Error("useConsole outside ConsoleProvider");
  return v;
}

export { tabKey };
