import { useId, useState } from "react";
import { useConnections } from "../api/hooks";
import type { ScriptDocument } from "../api/types";
import { BusyLine, LockControls, ProblemNotice, SubmitDialog } from "../editor/EditorParts";
import { useEditor } from "../editor/useEditor";
import { useDialogs } from "../shell/ConsoleContext";
import { ErrorNotice, Notice, Spinner } from "../ui/bits";
import { VersionsPanel } from "../versions/VersionsPanel";

/** Connection types a script type runs on (DataArts' script types → data connection types). */
const CONNECTION_TYPES: Record<string, string[]> = {
  DWSSQL: ["DWS"],
  DLISQL: ["DLI"],
  HiveSQL: ["HIVE"],
  SparkSQL: ["SparkSQL", "SPARK"],
  RDSSQL: ["RDS"],
  Shell: ["HOST"],
  PYTHON: ["HOST"],
  Python: ["HOST"],
  PRESTO: ["PRESTO"],
  ClickHouseSQL: ["CLICKHOUSE"],
};

/** A script's tab: content, connection and database, with Save / Submit / Lock / Versions / Export. */
export function ScriptEditor({ id }: { id: number }) {
  const editor = useEditor("script", id);
  const { openExport } = useDialogs();
  const connections = useConnections(editor.ws);
  const [showSubmit, setShowSubmit] = useState(false);
  const [showVersions, setShowVersions] = useState(false);
  const contentId = useId();
  const connId = useId();
  const dbId = useId();
  const { obj: script, document: doc } = editor;
  if (editor.query.isPending) return <div className="editor-loading"><Spinner label="Loading the script…" /></div>;
  if (editor.query.error || !script || !doc) return <ErrorNotice error={editor.query.error ?? "The script could not be loaded."} onRetry={() => void editor.refresh()} />;
  const busy = editor.busy !== null;
  const type = (doc.type as string) || script.type;
  const allowed = CONNECTION_TYPES[type];
  const conns = (connections.data ?? []).filter((c) => !allowed || allowed.some((t) => t.toUpperCase() === c.type.toUpperCase()));
  const connectionName = (doc.connectionName as string) ?? "";
  const set = (patch: Partial<ScriptDocument>) => editor.update({ ...doc, ...patch });

  return (
    <div className="editor script-editor">
      <div className="editor-toolbar" role="toolbar" aria-label={`${script.name} toolbar`}>
        <button type="button" className="primary" onClick={() => void editor.save()} disabled={!editor.editable || !editor.dirty || busy}>
          Save
        </button>
        <button type="button" onClick={() => setShowSubmit(true)} disabled={!editor.editable || busy}>
          Submit
        </button>
        <LockControls obj={script} noun="script" dirty={editor.dirty} busy={busy} onLock={editor.lock} onUnlock={editor.unlock} />
        <span className="toolbar-sep" />
        <button type="button" aria-pressed={showVersions} onClick={() => setShowVersions((v) => !v)}>
          Versions
        </button>
        <button type="button" onClick={() => openExport({ category: "script", ids: [script.id], description: script.name })}>
          Export
        </button>
        <span className="toolbar-fill" />
        <BusyLine busy={editor.busy} />
        {editor.dirty && <span className="dirty-flag">Unsaved changes</span>}
      </div>
      <ProblemNotice problem={editor.problem} onReload={() => void editor.reloadDiscarding()} onDismiss={() => editor.setProblem(null)} />
      {!editor.editable && <Notice kind="info">{script.lockHolder ? `Locked by ${script.lockHolder}. ` : ""}Lock the script to edit, save or submit it.</Notice>}
      <div className="script-settings">
        <span className="script-type">{type}</span>
        <label htmlFor={connId}>Data Connection</label>
        <select id={connId} value={connectionName} disabled={!editor.editable} onChange={(e) => set({ connectionName: e.target.value })}>
          <option value="">-- Select --</option>
          {connectionName && !conns.some((c) => c.name === connectionName) && <option value={connectionName}>{connectionName} (not found)</option>}
          {conns.map((c) => (
            <option key={c.id} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        <label htmlFor={dbId}>Database</label>
        <input id={dbId} value={(doc.database as string) ?? ""} disabled={!editor.editable} onChange={(e) => set({ database: e.target.value })} />
      </div>
      <label htmlFor={contentId} className="sr-only">
        Script content
      </label>
      <textarea
        id={contentId}
        className="script-content"
        spellCheck={false}
        value={(doc.content as string) ?? ""}
        readOnly={!editor.editable}
        onChange={(e) => set({ content: e.target.value })}
      />
      {showVersions && (
        <VersionsPanel
          kind="scripts"
          id={script.id}
          name={script.name}
          unsaved={editor.dirty}
          canRollBack={editor.editable}
          onRolledBack={() => void editor.reloadDiscarding()}
          onClose={() => setShowVersions(false)}
        />
      )}
      {showSubmit && <SubmitDialog noun="script" dirty={editor.dirty} onSubmit={editor.submit} onClose={() => setShowSubmit(false)} />}
    </div>
  );
}
