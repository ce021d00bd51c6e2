import { useCallback, useRef, useState } from "react";
import { useNodeTypes } from "../api/hooks";
import type { Job, JobDocument, NodeType } from "../api/types";
import { BusyLine, LockControls, ProblemNotice, SubmitDialog } from "../editor/EditorParts";
import { useEditor } from "../editor/useEditor";
import { PromoteDialog } from "../deployments/PromoteDialog";
import { jobSelection } from "../deployments/logic";
import { useDialogs } from "../shell/ConsoleContext";
import { ErrorNotice, formatTime, Notice, Spinner, useToast } from "../ui/bits";
import { VersionsPanel } from "../versions/VersionsPanel";
import { FlowCanvas, type CanvasSelection } from "./FlowCanvas";
import { Palette } from "./Palette";
import { PropertyPanel } from "./PropertyPanel";
import { unmaskedSecretWarning } from "./secretNames";
import { isMaskedParam, paramSecretKey, secretLabel } from "./transforms";

function JobInfo({ job, doc }: { job: Job; doc: JobDocument }) {
  const params = Array.isArray(doc.params) ? (doc.params as { name: string; value: string; masked?: unknown }[]) : [];
  const schedule = (doc.schedule as { type?: string } | undefined)?.type ?? "—";
  return (
    <>
      <h3>Job Properties</h3>
      <dl className="info-list">
        <dt>Job Name</dt>
        <dd>{job.name}</dd>
        <dt>Processing Mode</dt>
        <dd>{job.processType === "REAL_TIME" ? "Real-time processing" : "Batch processing"}</dd>
        <dt>Directory</dt>
        <dd>{typeof doc.directory === "string" ? doc.directory : "/"}</dd>
        <dt>Owner</dt>
        <dd>{job.owner || "—"}</dd>
        <dt>Status</dt>
        <dd>
          {job.submitted ? "Submitted" : <span className="error-text">Not submitted</span>} · schedule {job.scheduleStatus?.toLowerCase() || "stopped"}
        </dd>
        <dt>Scheduling</dt>
        <dd>{schedule}</dd>
        <dt>Revision</dt>
        <dd>{job.revision}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(job.updatedAt)}</dd>
      </dl>
      {params.length > 0 && (
        <>
          <h4>Job Parameters</h4>
          <table className="grid small">
            <thead>
              <tr>
                <th>Name</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {params.map((p) => {
                const masked = isMaskedParam(doc, p);
                // Named like a secret: the server keeps its value apart whether masked or not.
                const warning = unmaskedSecretWarning(p.name, masked);
                return (
                  <tr key={p.name}>
                    <td>{p.name}</td>
                    <td>
                      {masked || warning ? secretLabel(job.secretFields, paramSecretKey(p.name), p.value) : String(p.value ?? "")}
                      {warning && (
                        <span className="tag tag-warning" role="note" aria-label={`${p.name}: ${warning}`} title={warning}>
                          Not masked
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      <p className="muted small">Select a node to see its properties.</p>
    </>
  );
}

/** A job's tab: the toolbar, the node library, the canvas, the property panel and the versions. */
export function JobEditor({ id }: { id: number }) {
  const editor = useEditor("job", id);
  const { openExport } = useDialogs();
  const [showPromote, setShowPromote] = useState(false);
  const nodeTypes = useNodeTypes();
  const toast = useToast();
  const [selection, setSelection] = useState<CanvasSelection>(null);
  const [showSubmit, setShowSubmit] = useState(false);
  const [showVersions, setShowVersions] = useState(false);
  const addRef = useRef<((t: NodeType) => void) | null>(null);
  const registerAdd = useCallback((fn: (t: NodeType) => void) => {
    addRef.current = fn;
  }, []);
  const onProblem = useCallback((m: string) => toast(m, "error"), [toast]);

  const { obj: job, document: doc } = editor;
  if (editor.query.isPending) return <div className="editor-loading"><Spinner label="Loading the job…" /></div>;
  if (editor.query.error || !job || !doc) return <ErrorNotice error={editor.query.error ?? "The job could not be loaded."} onRetry={() => void editor.refresh()} />;
  const types = nodeTypes.data ?? [];
  const busy = editor.busy !== null;

  return (
    <div className="editor job-editor">
      <div className="editor-toolbar" role="toolbar" aria-label={`${job.name} toolbar`}>
        <button type="button" className="primary" onClick={() => void editor.save()} disabled={!editor.editable || !editor.dirty || busy}>
          Save
        </button>
        <button type="button" onClick={() => setShowSubmit(true)} disabled={!editor.editable || busy}>
          Submit
        </button>
        <LockControls obj={job} noun="job" dirty={editor.dirty} busy={busy} onLock={editor.lock} onUnlock={editor.unlock} />
        <span className="toolbar-sep" />
        <button type="button" aria-pressed={showVersions} onClick={() => setShowVersions((v) => !v)}>
          Versions
        </button>
        <button type="button" onClick={() => openExport({ category: "job", ids: [job.id], description: job.name })}>
          Export
        </button>
        <button type="button" onClick={() => setShowPromote(true)} title={editor.dirty ? "Promotes the job as last saved: save first to promote your changes." : "Promote the job (with what it uses) to an environment profile's target."}>
          Promote
        </button>
        <button type="button" onClick={() => void (editor.dirty ? editor.refresh() : editor.reloadDiscarding())} disabled={busy} aria-label="Refresh job">
          Refresh
        </button>
        {editor.dirty && (
          <button type="button" className="link-button" onClick={editor.discard}>
            Discard changes
          </button>
        )}
        <span className="toolbar-fill" />
        <BusyLine busy={editor.busy} />
        {editor.dirty && <span className="dirty-flag">Unsaved changes</span>}
      </div>
      <ProblemNotice problem={editor.problem} onReload={() => void editor.reloadDiscarding()} onDismiss={() => editor.setProblem(null)} />
      {!editor.editable && (
        <Notice kind="info">
          {job.lockHolder ? `Locked by ${job.lockHolder}. ` : ""}Lock the job to edit, save or submit it.
        </Notice>
      )}
      {nodeTypes.error && <ErrorNotice error={nodeTypes.error} title="Node types could not be loaded." />}
      <div className="editor-body">
        <Palette nodeTypes={types} disabled={!editor.editable} onAdd={(t) => addRef.current?.(t)} />
        <FlowCanvas
          label={`Canvas of job ${job.name}`}
          document={doc}
          nodeTypes={types}
          editable={editor.editable}
          onChange={editor.update}
          selection={selection}
          onSelect={setSelection}
          onProblem={onProblem}
          registerAdd={registerAdd}
          unresolved={job.unresolvedReferences}
        />
        <PropertyPanel
          ws={editor.ws}
          doc={doc}
          secretFields={job.secretFields}
          unresolved={job.unresolvedReferences}
          nodeTypes={types}
          selection={selection}
          editable={editor.editable}
          onChange={editor.update}
          onSelect={setSelection}
          jobInfo={<JobInfo job={job} doc={doc} />}
        />
      </div>
      {showVersions && (
        <VersionsPanel
          kind="jobs"
          id={job.id}
          name={job.name}
          unsaved={editor.dirty}
          nodeTypes={types}
          canRollBack={editor.editable}
          onRolledBack={() => void editor.reloadDiscarding()}
          onClose={() => setShowVersions(false)}
        />
      )}
      {showPromote && <PromoteDialog ws={editor.ws} selection={jobSelection(job.id)} description={job.name} onClose={() => setShowPromote(false)} />}
      {showSubmit && <SubmitDialog noun="job" dirty={editor.dirty} onSubmit={editor.submit} onClose={() => setShowSubmit(false)} />}
    </div>
  );
}
