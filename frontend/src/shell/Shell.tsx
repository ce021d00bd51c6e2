import { useEffect, useRef, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link, NavLink, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { redirectToLogin } from "../api/client";
import * as ep from "../api/endpoints";
import { JobEditor } from "../canvas/JobEditor";
import { ConnectionsRoom } from "../connections/ConnectionsRoom";
import { DeploymentsRoom } from "../deployments/DeploymentsRoom";
import { DownloadCenter } from "../downloads/DownloadCenter";
import { EnvironmentsRoom } from "../environments/EnvironmentsRoom";
import { ExportDialog } from "../export/ExportDialog";
import { ImportHistory } from "../history/ImportHistory";
import { ConnectionsList } from "../objects/ConnectionsList";
import { ScriptEditor } from "../scripts/ScriptEditor";
import { DirectoryTree } from "../tree/DirectoryTree";
import { Menu } from "../ui/Menu";
import { ImportWizard } from "../wizard/ImportWizard";
import { useDialogs, useSessionWorkspace, useTabs } from "./ConsoleContext";
import { tabFromPath, tabKey, tabPath } from "./tabs";
import { WorkspaceSettingsDialog } from "./WorkspaceSettings";
import { WorkspacesRoom } from "./WorkspacesRoom";

type PaneTab = "job" | "script" | "resource" | "connection";
const PANE_TABS: { id: PaneTab; label: string }[] = [
  { id: "job", label: "Jobs" },
  { id: "script", label: "Scripts" },
  { id: "resource", label: "Resources" },
  { id: "connection", label: "Connections" },
];

function TopBar() {
  const { session, workspace, setWorkspace } = useSessionWorkspace();
  const { setSettingsOpen } = useDialogs();
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const userRef = useRef<HTMLButtonElement>(null);
  // Whatever the answer, the page goes to the login form: a session the server already ended is logged out too.
  const logoutWrite = useMutation({ mutationFn: () => ep.sessionLogout(), onSettled: () => redirectToLogin() });
  const logout = () => logoutWrite.mutate();
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        <span className="brand-mark" aria-hidden="true">◆</span> DataArts Factory
      </Link>
      <label className="ws-switch">
        <span>Workspace</span>
        <select aria-label="Workspace" value={workspace.id} onChange={(e) => setWorkspace(Number(e.target.value))}>
          {session.workspaces.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <span className="ws-meta" title="Your role and the workspace's lock policy">
        {workspace.role} · {workspace.lockPolicy === "hard" ? "hard lock" : "soft lock"}
      </span>
      <button type="button" className="user-button" onClick={() => setSettingsOpen(true)}>
        <span aria-hidden="true">⚙</span> Workspace Settings
      </button>
      <nav className="topnav" aria-label="Console">
        <NavLink to="/" end className={({ isActive }) => (isActive ? "active" : "")}>
          Develop
        </NavLink>
        <NavLink to="/downloads" className={({ isActive }) => (isActive ? "active" : "")}>
          Download Center
        </NavLink>
        <NavLink to="/imports" className={({ isActive }) => (isActive ? "active" : "")}>
          Import History
        </NavLink>
        <NavLink to="/deployments" className={({ isActive }) => (isActive ? "active" : "")}>
          Deployments
        </NavLink>
        <NavLink to="/connections" className={({ isActive }) => (isActive ? "active" : "")}>
          Connections
        </NavLink>
        <NavLink to="/environments" className={({ isActive }) => (isActive ? "active" : "")}>
          Environments
        </NavLink>
        <NavLink to="/workspaces" className={({ isActive }) => (isActive ? "active" : "")}>
          Workspaces
        </NavLink>
      </nav>
      <span className="toolbar-fill" />
      <button
        ref={userRef}
        type="button"
        className="user-button"
        aria-haspopup="menu"
        aria-label={`User menu for ${session.user.username}`}
        onClick={() => {
          const r = userRef.current!.getBoundingClientRect();
          setMenu({ x: r.right - 160, y: r.bottom + 4 });
        }}
      >
        <span className="avatar" aria-hidden="true">
          {session.user.username.slice(0, 1).toUpperCase()}
        </span>
        {session.user.username} ▾
      </button>
      {menu && <Menu label="User menu" at={menu} onClose={() => setMenu(null)} items={[{ label: "Log Out", onSelect: logout }]} />}
    </header>
  );
}

function LeftPane() {
  const [tab, setTab] = useState<PaneTab>(() => (sessionStorage.getItem("dataarts.pane") as PaneTab) || "job");
  useEffect(() => sessionStorage.setItem("dataarts.pane", tab), [tab]);
  return (
    <aside className="leftpane" aria-label="Development objects">
      <div role="tablist" aria-label="Object types" className="pane-tabs">
        {PANE_TABS.map((t) => (
          <button key={t.id} type="button" role="tab" id={`pane-tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`pane-${t.id}`} className={tab === t.id ? "active" : ""} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {PANE_TABS.map((t) => (
        <div key={t.id} id={`pane-${t.id}`} role="tabpanel" aria-labelledby={`pane-tab-${t.id}`} hidden={tab !== t.id} className="pane-panel">
          {/* Trees stay mounted so that switching tabs keeps what was loaded and expanded. */}
          {t.id === "connection" ? <ConnectionsList /> : <DirectoryTree category={t.id} />}
        </div>
      ))}
    </aside>
  );
}

function EditorTabs() {
  const { tabs, closeEditor } = useTabs();
  const location = useLocation();
  const active = tabFromPath(location.pathname);
  const activeKey = active ? tabKey(active) : null;
  if (!tabs.length) return null;
  return (
    <div className="editor-tabs" role="tablist" aria-label="Open jobs and scripts">
      {tabs.map((t) => {
        const key = tabKey(t);
        const selected = key === activeKey;
        return (
          <div key={key} className={`editor-tab${selected ? " active" : ""}`}>
            <Link to={tabPath(t)} role="tab" aria-selected={selected} className="editor-tab-link" title={t.title}>
              <span className={`tree-icon ${t.kind}`} aria-hidden="true" />
              {t.title}
              {t.dirty && <span className="dirty-dot" aria-label="unsaved changes" />}
            </Link>
            <button
              type="button"
              className="icon-button tab-close"
              aria-label={`Close ${t.title}`}
              onClick={() => {
                if (t.dirty && !window.confirm(`${t.title} has unsaved changes. Close it anyway?`)) return;
                closeEditor(key, activeKey);
              }}
            >
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}

function Welcome() {
  const { workspace } = useSessionWorkspace();
  const { openImport } = useDialogs();
  return (
    <section className="page welcome">
      <h1>{workspace.name}</h1>
      <p>Double-click a job in the directory on the left to open its canvas. Use the ⋮ menu above the directory for Show Check Box, Export Job, Import Job and the other batch operations.</p>
      <p>
        <button type="button" onClick={() => openImport("job")}>
          Import Job
        </button>{" "}
        <Link to="/downloads">Open the Download Center</Link>
      </p>
    </section>
  );
}

/** The console: top bar, the directory trees, open job/script tabs, the Download Center, dialogs. */
export function Shell() {
  const { tabs, openEditor } = useTabs();
  const { exportTarget, closeExport, importCategory, openImport, closeImport, settingsOpen, setSettingsOpen } = useDialogs();
  const location = useLocation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const active = tabFromPath(location.pathname);

  // A direct link to /jobs/12 or /scripts/3 opens that tab.
  useEffect(() => {
    if (active && !tabs.some((t) => tabKey(t) === tabKey(active))) openEditor({ ...active, title: `${active.kind === "job" ? "Job" : "Script"} ${active.id}` });
  }, [active, tabs, openEditor]);

  // /import opens the wizard (for the job category unless ?category=script).
  useEffect(() => {
    if (location.pathname.replace(/\/$/, "") === "/import") {
      openImport(params.get("category") === "script" ? "script" : "job");
      navigate("/", { replace: true });
    }
  }, [location.pathname, params, openImport, navigate]);

  const onDownloads = location.pathname.startsWith("/downloads");
  const onConnections = location.pathname.startsWith("/connections");
  const onWorkspaces = location.pathname.startsWith("/workspaces");
  const onEnvironments = location.pathname.startsWith("/environments");
  const onImports = location.pathname.startsWith("/imports");
  const onDeployments = location.pathname.startsWith("/deployments");
  const inRoom = onDownloads || onConnections || onWorkspaces || onEnvironments || onImports || onDeployments;

  return (
    <div className="console">
      <TopBar />
      <div className="workarea">
        <LeftPane />
        <main className="mainarea">
          <EditorTabs />
          <div className="tab-content">
            {tabs.map((t) => {
              const shown = !inRoom && active !== null && tabKey(t) === tabKey(active);
              return (
                <div key={tabKey(t)} className="tab-panel" hidden={!shown}>
                  {t.kind === "job" ? <JobEditor id={t.id} /> : <ScriptEditor id={t.id} />}
                </div>
              );
            })}
            {onDownloads && <DownloadCenter />}
            {onConnections && <ConnectionsRoom />}
            {onWorkspaces && <WorkspacesRoom />}
            {onEnvironments && <EnvironmentsRoom />}
            {onImports && <ImportHistory />}
            {onDeployments && <DeploymentsRoom />}
            {!inRoom && !active && <Welcome />}
          </div>
        </main>
      </div>
      {exportTarget && <ExportDialog target={exportTarget} onClose={closeExport} />}
      {importCategory && <ImportWizard category={importCategory} onClose={closeImport} />}
      {settingsOpen && <WorkspaceSettingsDialog onClose={() => setSettingsOpen(false)} />}
    </div>
  );
}
