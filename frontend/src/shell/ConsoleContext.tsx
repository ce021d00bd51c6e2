/**
 * The console's view state, one context per concern, so that a consumer re-renders only when its concern
 * changes: the session and current workspace, the open editor tabs, the open dialogs. Server state is not
 * here: it lives in TanStack Query (a tree refreshes when a write invalidates its queries).
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type Context, type ReactNode } from "react";
import { useNavigate } from "react-router-dom";
import type { Session, Workspace } from "../api/types";
import type { ExportTarget } from "../export/logic";
import { closeTab, openTab, tabKey, tabPath, updateTab, type EditorTab } from "./tabs";

interface SessionValue {
  session: Session;
  workspace: Workspace;
  setWorkspace: (id: number) => void;
}

interface TabsValue {
  tabs: EditorTab[];
  openEditor: (tab: EditorTab) => void;
  closeEditor: (key: string, activeKey: string | null) => void;
  setTabState: (key: string, patch: Partial<EditorTab>) => void;
}

interface DialogsValue {
  exportTarget: ExportTarget | null;
  openExport: (target: ExportTarget) => void;
  closeExport: () => void;
  importCategory: "job" | "script" | null;
  openImport: (category: "job" | "script") => void;
  closeImport: () => void;
  /** Workspace Settings (lock policy, OBS allow-list): everyone reads them, admins change them. */
  settingsOpen: boolean;
  setSettingsOpen: (open: boolean) => void;
}

const SessionCtx = createContext<SessionValue | null>(null);
const TabsCtx = createContext<TabsValue | null>(null);
const DialogsCtx = createContext<DialogsValue | null>(null);

const STORAGE_KEY = "dataarts.workspace";

function initialWorkspace(session: Session): Workspace {
  const stored = Number(window.localStorage.getItem(STORAGE_KEY));
  return session.workspaces.find((w) => w.id === stored) ?? session.workspaces[0];
}

function SessionProvider({ session, children }: { session: Session; children: (workspaceId: number) => ReactNode }) {
  const navigate = useNavigate();
  // The id is the state; the workspace itself is read from the session each time, so that a refetched
  // session (after Workspace Settings are saved) shows the new lock policy and OBS allow-list.
  const [workspaceId, setWorkspaceId] = useState<number>(() => initialWorkspace(session).id);
  const workspace = session.workspaces.find((w) => w.id === workspaceId) ?? session.workspaces[0];

  // Not checked against `session` here: a workspace just created is in the refetched session, which this
  // callback's caller may hold an older copy of; an id the session does not list shows the first one.
  const setWorkspace = useCallback(
    (id: number) => {
      window.localStorage.setItem(STORAGE_KEY, String(id));
      setWorkspaceId(id);
      navigate("/");
    },
    [navigate],
  );
  const value = useMemo(() => ({ session, workspace, setWorkspace }), [session, workspace, setWorkspace]);
  return <SessionCtx.Provider value={value}>{children(workspace.id)}</SessionCtx.Provider>;
}

function TabsProvider({ workspaceId, children }: { workspaceId: number; children: ReactNode }) {
  const navigate = useNavigate();
  // Open editors belong to the workspace they came from: another workspace starts with none.
  const [state, setState] = useState<{ workspaceId: number; tabs: EditorTab[] }>({ workspaceId, tabs: [] });
  const tabs = useMemo(() => (state.workspaceId === workspaceId ? state.tabs : []), [state, workspaceId]);
  const setTabs = useCallback(
    (fn: (t: EditorTab[]) => EditorTab[]) =>
      setState((s) => ({ workspaceId, tabs: fn(s.workspaceId === workspaceId ? s.tabs : []) })),
    [workspaceId],
  );

  const openEditor = useCallback(
    (tab: EditorTab) => {
      setTabs((t) => openTab(t, tab));
      navigate(tabPath(tab));
    },
    [navigate, setTabs],
  );

  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;
  const closeEditor = useCallback(
    (key: string, activeKey: string | null) => {
      const { tabs: left, next } = closeTab(tabsRef.current, key, activeKey);
      setTabs(() => left);
      if (activeKey === key) navigate(next ? tabPath(next) : "/");
    },
    [navigate, setTabs],
  );

  const setTabState = useCallback((key: string, patch: Partial<EditorTab>) => setTabs((t) => updateTab(t, key, patch)), [setTabs]);
  const value = useMemo(() => ({ tabs, openEditor, closeEditor, setTabState }), [tabs, openEditor, closeEditor, setTabState]);
  return <TabsCtx.Provider value={value}>{children}</TabsCtx.Provider>;
}

function DialogsProvider({ children }: { children: ReactNode }) {
  const [exportTarget, setExportTarget] = useState<ExportTarget | null>(null);
  const [importCategory, setImportCategory] = useState<"job" | "script" | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const value = useMemo<DialogsValue>(
    () => ({
      exportTarget,
      openExport: setExportTarget,
      closeExport: () => setExportTarget(null),
      importCategory,
      openImport: setImportCategory,
      closeImport: () => setImportCategory(null),
      settingsOpen,
      setSettingsOpen,
    }),
    [exportTarget, importCategory, settingsOpen],
  );
  return <DialogsCtx.Provider value={value}>{children}</DialogsCtx.Provider>;
}

export function ConsoleProvider({ session, children }: { session: Session; children: ReactNode }) {
  return (
    <SessionProvider session={session}>
      {(workspaceId) => (
        <TabsProvider workspaceId={workspaceId}>
          <DialogsProvider>{children}</DialogsProvider>
        </TabsProvider>
      )}
    </SessionProvider>
  );
}

function use<T>(ctx: Context<T | null>, name: string): T {
  const v = useContext(ctx);
  if (!v) throw new Error(`${name} outside ConsoleProvider`);
  return v;
}

/** The signed-in session and the current workspace. */
export const useSessionWorkspace = () => use(SessionCtx, "useSessionWorkspace");
/** The open editor tabs of the current workspace. */
export const useTabs = () => use(TabsCtx, "useTabs");
/** The Export, Import and Workspace Settings dialogs. */
export const useDialogs = () => use(DialogsCtx, "useDialogs");

export { tabKey };
