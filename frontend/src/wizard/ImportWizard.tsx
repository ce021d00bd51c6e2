import { useEffect, useId, useReducer, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { isApiError, saveBlob } from "../api/client";
import * as ep from "../api/endpoints";
import { useObsStatus } from "../api/hooks";
import type { DuplicatePolicy, ImportTask, InspectedObject, ReferenceUse, ReportRow } from "../api/types";
import { useConsole } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, Notice, ProgressBar, Spinner } from "../ui/bits";
import {
  applyProgressView,
  blockedObjects,
  canGoNext,
  CREATE_FROM_PACKAGE,
  applyRequest,
  initialWizard,
  isPolling,
  missingItems,
  objectKey,
  reportCounts,
  secretFieldsOf,
  reviewProblem,
  sourceProblem,
  STEP_TITLES,
  wizardReducer,
  type ImportCategory,
  type WizardState,
} from "./machine";
import { ObsPicker } from "./ObsPicker";

const KIND_LABELS: Record<string, string> = {
  connection: "connection",
  dli_queue: "DLI queue",
  ges_graph: "GES graph",
  dis_stream: "DIS stream",
  cdm_cluster: "CDM cluster",
  mrs_cluster: "MRS cluster",
  resource: "resource",
  script: "script",
  job: "job",
  environment_variable: "environment variable",
};
export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind.replace(/_/g, " ");

const POLICY_LABELS: Record<DuplicatePolicy, string> = { overwrite: "Overwrite", skip: "Skip", rename: "Rename" };

function entryName(e: ReportRow): string {
  const base = `${e.type.replace(/_/g, " ")} ${e.name}`;
  return e.newName ? `${base} → ${e.newName}` : base;
}

function useText(u: ReferenceUse): string {
  return `${u.type} ${u.name}${u.node ? ` (node ${u.node})` : ""}`;
}

function StepIndicator({ s }: { s: WizardState }) {
  const current = STEP_TITLES.findIndex((t) => t.step.includes(s.step));
  return (
    <ol className="wizard-steps" aria-label="Import steps">
      {STEP_TITLES.map((t, i) => (
        <li key={t.title} className={i === current ? "current" : i < current ? "done" : ""} aria-current={i === current ? "step" : undefined}>
          <span className="step-no">{i + 1}</span> {t.title}
        </li>
      ))}
    </ol>
  );
}

function SourceStep({ s, dispatch, file, setFile }: { s: WizardState; dispatch: React.Dispatch<Parameters<typeof wizardReducer>[1]>; file: File | null; setFile: (f: File | null) => void }) {
  const locName = useId();
  const policyName = useId();
  const obsId = useId();
  const fileId = useId();
  const [browsing, setBrowsing] = useState(false);
  const obsDisabled = !!s.obs && !s.obs.available;
  const problem = sourceProblem(s);
  return (
    <div className="form">
      <fieldset className="radio-group inline">
        <legend>File Location</legend>
        <label className={obsDisabled ? "disabled" : ""}>
          <input type="radio" name={locName} value="obs" checked={s.location === "obs"} disabled={obsDisabled} onChange={() => dispatch({ type: "setLocation", location: "obs" })} />
          OBS
        </label>
        <label>
          <input type="radio" name={locName} value="local" checked={s.location === "local"} onChange={() => dispatch({ type: "setLocation", location: "local" })} />
          Local
        </label>
      </fieldset>
      {obsDisabled && (
        <Notice kind="info">
          OBS is unavailable: {s.obs?.reason || "not configured"}. Import the package from your computer instead.
        </Notice>
      )}
      {s.location === "obs" ? (
        <div className="field">
          <label htmlFor={obsId}>Select File from OBS</label>
          <div className="field-control">
            <div className="input-with-button">
              <input id={obsId} placeholder="obs://bucket/folder/DLF_job.zip" value={s.obsPath} onChange={(e) => dispatch({ type: "setObsPath", path: e.target.value })} />
              <button type="button" onClick={() => setBrowsing((b) => !b)} aria-expanded={browsing}>
                Browse
              </button>
            </div>
            {browsing && (
              <ObsPicker
                picked={s.obsPath}
                onPick={(p) => {
                  dispatch({ type: "setObsPath", path: p });
                  setBrowsing(false);
                }}
              />
            )}
            <div className="field-hint">A .zip package of at most 10 MB exported from DataArts Factory.</div>
          </div>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={fileId}>File</label>
          <div className="field-control">
            <input
              id={fileId}
              type="file"
              accept=".zip,application/zip"
              onChange={(e) => {
                const f = e.target.files?.[0] ?? null;
                setFile(f);
                dispatch({ type: "setFile", file: f ? { name: f.name, size: f.size } : null });
              }}
            />
            {file && <div className="field-hint">{file.name}</div>}
            <div className="field-hint">A .zip package of at most 10 MB (also when decompressed).</div>
          </div>
        </div>
      )}
      <fieldset className="radio-group inline">
        <legend>Duplicate Name Policy</legend>
        {(["overwrite", "skip", "rename"] as const).map((p) => (
          <label key={p}>
            <input type="radio" name={policyName} value={p} checked={s.policy === p} onChange={() => dispatch({ type: "setPolicy", policy: p })} />
            {POLICY_LABELS[p]}
          </label>
        ))}
      </fieldset>
      <p className="muted small">
        Overwrite replaces the development state of objects with the same name and submits a new version. Under the hard lock policy, objects locked by someone
        else cannot be overwritten.
      </p>
      {problem && (s.obsPath || s.file) && <div className="field-error">{problem}</div>}
    </div>
  );
}

function PolicySelect({ s, dispatch, type, o }: { s: WizardState; dispatch: React.Dispatch<Parameters<typeof wizardReducer>[1]>; type: string; o: InspectedObject }) {
  const key = objectKey(type, o.name);
  return (
    <select
      aria-label={`Policy for ${type} ${o.name}`}
      value={s.overrides[key] ?? ""}
      onChange={(e) => dispatch({ type: "setOverride", key, policy: (e.target.value || null) as DuplicatePolicy | null })}
    >
      <option value="">Default ({POLICY_LABELS[s.policy]})</option>
      <option value="overwrite">Overwrite</option>
      <option value="skip">Skip</option>
      <option value="rename">Rename</option>
    </select>
  );
}

function ObjectsTable({ s, dispatch, type, title, objects }: { s: WizardState; dispatch: React.Dispatch<Parameters<typeof wizardReducer>[1]>; type: string; title: string; objects: InspectedObject[] }) {
  const { session } = useConsole();
  if (!objects.length) return null;
  return (
    <section className="wizard-section">
      <h3>
        {title} ({objects.length})
      </h3>
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Directory</th>
            <th scope="col">In this workspace</th>
            <th scope="col">Policy</th>
          </tr>
        </thead>
        <tbody>
          {objects.map((o) => (
            <tr key={o.name} className={o.blockedReason ? "blocked" : ""}>
              <td>{o.name}</td>
              <td>{o.directory || "/"}</td>
              <td>
                {o.exists ? (
                  <>
                    <span className="tag tag-warning">Exists</span>
                    {o.lockHolder && <span className="tag">{o.lockHolder === session.user.username ? "Locked by you" : `Locked by ${o.lockHolder}`}</span>}
                    {o.scheduled && <span className="tag tag-warning">Scheduled</span>}
                    {o.blockedReason && <div className="error-text small">{o.blockedReason}</div>}
                  </>
                ) : (
                  <span className="tag tag-success">New</span>
                )}
              </td>
              <td>{o.exists ? <PolicySelect s={s} dispatch={dispatch} type={type} o={o} /> : <span className="muted">Create</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ReviewStep({ s, dispatch }: { s: WizardState; dispatch: React.Dispatch<Parameters<typeof wizardReducer>[1]> }) {
  const statusName = useId();
  const dirId = useId();
  const insp = s.inspection!;
  const blocked = blockedObjects(s);
  const jobsWithParams = Object.keys(s.jobParams);
  return (
    <div className="wizard-review">
      <ObjectsTable s={s} dispatch={dispatch} type="job" title="Jobs" objects={insp.jobs} />
      <ObjectsTable s={s} dispatch={dispatch} type="script" title="Scripts" objects={insp.scripts} />
      <ObjectsTable s={s} dispatch={dispatch} type="resource" title="Resources" objects={insp.resources} />
      {blocked.length > 0 && (
        <Notice kind="warning">
          {blocked.length === 1 ? "One object" : `${blocked.length} objects`} cannot be overwritten and will be reported as failed:{" "}
          {blocked.map((b) => `${b.object.name} (${b.object.blockedReason})`).join("; ")}. Choose Skip for them to leave them as they are.
        </Notice>
      )}

      <section className="wizard-section">
        <h3>Missing References ({missingItems(insp).length})</h3>
        {missingItems(insp).length === 0 ? (
          <p className="muted">Every data connection, queue, cluster and other object the package refers to exists in this workspace.</p>
        ) : (
          <>
            <p className="muted small">These objects do not exist in this workspace. Select one to use instead.</p>
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Name in the package</th>
                  <th scope="col">Used by</th>
                  <th scope="col">Replace with</th>
                </tr>
              </thead>
              <tbody>
                {missingItems(insp).map((item) => {
                  const { group, ref, key } = item;
                  const value = s.mapping[key] ?? "";
                  const label = `${kindLabel(group.kind)} ${ref.name}`;
                  return (
                    <tr key={key} className={value || !group.required ? "" : "unresolved"}>
                      <td>
                        {group.label}
                        {!group.required && <div className="muted small">optional</div>}
                      </td>
                      <td>{ref.name}</td>
                      <td className="small">
                        {ref.usedBy.map(useText).join(", ") || "—"}
                        {(ref.usedByCount ?? 0) > ref.usedBy.length && ` and ${(ref.usedByCount ?? 0) - ref.usedBy.length} more`}
                      </td>
                      <td>
                        <select aria-label={`Replacement for ${label}`} value={value} onChange={(e) => dispatch({ type: "setMapping", key, value: e.target.value })}>
                          <option value="">{group.required ? "-- Select --" : "-- Keep as it is --"}</option>
                          {group.candidates.map((c) => (
                            <option key={c} value={c}>
                              {c}
                            </option>
                          ))}
                          {ref.canCreate && <option value={CREATE_FROM_PACKAGE}>Create {ref.name} from the package</option>}
                        </select>
                        {group.candidatesTruncated && <div className="muted small">Only the first candidates are listed.</div>}
                        {group.candidates.length === 0 && !ref.canCreate && group.required && (
                          <div className="error-text small">No {group.label.toLowerCase()} exists in this workspace. Create one first.</div>
                        )}
                        {ref.note && <div className="muted small">{ref.note}</div>}
                        {value === CREATE_FROM_PACKAGE &&
                          secretFieldsOf(item).map((field) => (
                            <input
                              key={field}
                              type="password"
                              className="inline-password"
                              aria-label={`${field === "password" ? "Password" : field} for connection ${ref.name}`}
                              placeholder={field === "password" ? "Password" : field}
                              autoComplete="new-password"
                              value={s.passwords[ref.name]?.[field] ?? ""}
                              onChange={(e) => dispatch({ type: "setSecret", connection: ref.name, field, value: e.target.value })}
                            />
                          ))}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
        {insp.connections.length > 0 && (
          <p className="muted small">
            Connection definitions in the package: {insp.connections.map((c) => `${c.name} (${c.type}${c.exists ? ", exists" : ""})`).join(", ")}. Passwords are
            never exported; type one in to create a connection.
          </p>
        )}
        {(insp.notes ?? []).length > 0 && (
          <ul className="muted small">
            {insp.notes!.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        )}
      </section>

      {s.category === "job" && (
        <section className="wizard-section">
          <h3>Public Parameters</h3>
          <p className="muted small">Applied to every imported job.</p>
          {s.publicParams.map((p, i) => (
            <div className="param-row" key={i}>
              <input aria-label={`Public parameter ${i + 1} name`} placeholder="Name" value={p.name} onChange={(e) => dispatch({ type: "setPublicParam", index: i, row: { ...p, name: e.target.value } })} />
              <input aria-label={`Public parameter ${i + 1} value`} placeholder="Value" value={p.value} onChange={(e) => dispatch({ type: "setPublicParam", index: i, row: { ...p, value: e.target.value } })} />
              <button type="button" className="icon-button" aria-label={`Remove public parameter ${i + 1}`} onClick={() => dispatch({ type: "setPublicParam", index: i, row: null })}>
                ×
              </button>
            </div>
          ))}
          <button type="button" className="link-button" onClick={() => dispatch({ type: "addPublicParam" })}>
            + Add parameter
          </button>
        </section>
      )}

      {jobsWithParams.length > 0 && (
        <section className="wizard-section">
          <h3>Job Parameters</h3>
          {jobsWithParams.map((job) => (
            <div key={job} className="job-params">
              <strong>{job}</strong>
              {Object.entries(s.jobParams[job]).map(([k, v]) => {
                const masked = insp.jobs.find((j) => j.name === job)?.params?.find((p) => p.name === k)?.masked;
                return (
                  <div className="param-row" key={k}>
                    <label>
                      <span>
                        {k}
                        {masked && <span className="muted small"> (masked)</span>}
                      </span>
                      <input
                        type={masked ? "password" : "text"}
                        autoComplete={masked ? "new-password" : "off"}
                        aria-label={`${job} parameter ${k}`}
                        value={v}
                        onChange={(e) => dispatch({ type: "setJobParam", job, name: k, value: e.target.value })}
                      />
                    </label>
                  </div>
                );
              })}
            </div>
          ))}
        </section>
      )}

      <section className="wizard-section">
        <h3>Options</h3>
        <fieldset className="radio-group inline">
          <legend>Import Status</legend>
          <label>
            <input type="radio" name={statusName} checked={s.targetStatus === "submitted"} onChange={() => dispatch({ type: "setTargetStatus", status: "submitted" })} />
            Submitted
          </label>
          <label>
            <input type="radio" name={statusName} checked={s.targetStatus === "saved"} onChange={() => dispatch({ type: "setTargetStatus", status: "saved" })} />
            Saved
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor={dirId}>Target Directory (optional)</label>
          <div className="field-control">
            <input id={dirId} placeholder="Keep the directories in the package" value={s.targetDirectory} onChange={(e) => dispatch({ type: "setTargetDirectory", directory: e.target.value })} />
          </div>
        </div>
        <label className="check-line">
          <input type="checkbox" checked={s.continueOnError} onChange={(e) => dispatch({ type: "setContinueOnError", value: e.target.checked })} />
          Continue with the other objects when one fails
        </label>
      </section>
    </div>
  );
}

/** The apply step: the progress bar and every object of the package, filling in as the worker writes. */
function ApplyProgress({ s }: { s: WizardState }) {
  const view = applyProgressView(s);
  return (
    <>
      <ProgressBar value={view.percent} label="Import progress" />
      <p className="muted" aria-live="polite">
        {view.summary}
      </p>
      {view.rows.length > 0 && (
        <ul className="subtasks" aria-label="Objects">
          {view.hiddenBefore > 0 && <li className="subtask muted small">… {view.hiddenBefore} earlier objects</li>}
          {view.rows.map((r) => (
            <li key={r.key} className={`subtask status-${r.status.toLowerCase()}`} aria-label={`${kindLabel(r.type)} ${r.name}: ${r.statusText}`}>
              <span className="subtask-status" aria-hidden="true">
                {r.icon}
              </span>
              <span className="subtask-name">
                {kindLabel(r.type)} {r.name}
              </span>
              {r.outcome && <span className="subtask-outcome small">{r.outcome}</span>}
              {r.message && r.status === "FAILED" && <span className="error-text small">{r.message}</span>}
            </li>
          ))}
          {view.hiddenAfter > 0 && <li className="subtask muted small">… and {view.hiddenAfter} more</li>}
        </ul>
      )}
    </>
  );
}

function ReportStep({ s, onDownload, downloadError }: { s: WizardState; onDownload: () => void; downloadError: unknown }) {
  const r = s.report!;
  const c = reportCounts(r);
  const groups: [string, ReportRow[]][] = [
    ["Created", r.created],
    ["Overwritten", r.overwritten],
    ["Skipped", r.skipped],
    ["Renamed", r.renamed],
  ];
  return (
    <div className="wizard-report">
      <p className={c.failed ? "error-text" : "success-text"} role="status">
        {r.rolledBack ? "Nothing was imported: the import was rolled back. " : c.failed ? `${c.failed} failed. ` : "The import finished. "}
        {c.created} created, {c.overwritten} overwritten, {c.skipped} skipped, {c.renamed} renamed.
      </p>
      {r.failed.length > 0 && (
        <section className="wizard-section">
          <h3>Failed ({r.failed.length})</h3>
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Name</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {r.failed.map((f) => (
                <tr key={`${f.type}:${f.name}`} className="failed">
                  <td>{f.type.replace(/_/g, " ")}</td>
                  <td>{f.name}</td>
                  <td className="error-text">{f.message || String(f.reason ?? "")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {groups
        .filter(([, list]) => list.length)
        .map(([title, list]) => (
          <section className="wizard-section" key={title}>
            <h3>
              {title} ({list.length})
            </h3>
            <ul className="report-list">
              {list.map((e) => (
                <li key={entryName(e)} title={e.message || undefined}>
                  {entryName(e)}
                </li>
              ))}
            </ul>
          </section>
        ))}
      <button type="button" onClick={onDownload}>
        Download Report
      </button>
      <ErrorNotice error={downloadError} />
    </div>
  );
}

/** "Import Job" / "Import Script": choose a package, check what it holds and map what is missing, import. */
export function ImportWizard({ category, onClose }: { category: ImportCategory; onClose: () => void }) {
  const { workspace, refreshTree } = useConsole();
  const ws = workspace.id;
  const queryClient = useQueryClient();
  const [s, dispatch] = useReducer(wizardReducer, category, initialWizard);
  const [file, setFile] = useState<File | null>(null);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const obs = useObsStatus();
  const touched = useRef(false);

  useEffect(() => {
    if (obs.data) dispatch({ type: "obsStatus", available: obs.data.available, reason: obs.data.reason });
    else if (obs.error) dispatch({ type: "obsStatus", available: false, reason: "its status could not be read" });
  }, [obs.data, obs.error]);

  const poll = useQuery({
    queryKey: ["ws", ws, "import", s.taskId, s.step],
    queryFn: () => ep.importGet(ws, s.taskId!),
    enabled: isPolling(s),
    refetchInterval: 800,
  });
  useEffect(() => {
    if (poll.data) dispatch({ type: "task", task: poll.data });
  }, [poll.data]);

  const title = category === "job" ? "Import Job" : "Import Script";

  const start = async () => {
    dispatch({ type: "starting" });
    touched.current = true;
    try {
      const source: ep.ImportSource = s.location === "obs" ? { kind: "obs", obsPath: s.obsPath.trim() } : { kind: "local", file: file! };
      const task = await ep.importStart(ws, source, category, s.policy);
      dispatch({ type: "started", task });
    } catch (e) {
      const msg = isApiError(e) && e.code === "import_running" ? `Another import is running in this workspace. ${e.message}` : e instanceof Error ? e.message : String(e);
      dispatch({ type: "error", message: msg });
    }
  };

  const apply = async () => {
    dispatch({ type: "applying" });
    try {
      const answer = await ep.importApply(ws, s.taskId!, applyRequest(s));
      const task = answer && typeof answer === "object" ? ((answer as { task?: ImportTask }).task ?? (answer as ImportTask)) : null;
      dispatch({ type: "applyStarted", task: task && "status" in task ? task : null });
    } catch (e) {
      dispatch({ type: "error", message: e instanceof Error ? e.message : String(e) });
    }
  };

  const close = () => {
    if (s.step === "review" && s.taskId) void ep.importCancel(ws, s.taskId).catch(() => undefined);
    if (touched.current) {
      refreshTree("job");
      refreshTree("script");
      refreshTree("resource");
      void queryClient.invalidateQueries({ queryKey: ["ws", ws] });
    }
    onClose();
  };

  const downloadReport = async () => {
    setDownloadError(null);
    try {
      const { blob, fileName } = await ep.importReportFile(ws, s.taskId!);
      saveBlob(blob, fileName);
    } catch (e) {
      setDownloadError(e);
    }
  };

  const working = s.step === "inspecting" || s.step === "applying";
  const next = s.step === "source" ? start : s.step === "review" ? apply : undefined;
  const nextHint = s.step === "review" ? reviewProblem(s) : null;

  const footer = (
    <>
      {nextHint && <span className="footer-hint">{nextHint}</span>}
      {(s.step === "source" || s.step === "review") && (
        <>
          <button type="button" onClick={close} disabled={s.busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={next} disabled={!canGoNext(s)}>
            {s.busy ? "Working…" : "Next"}
          </button>
        </>
      )}
      {working && (
        <button type="button" onClick={close}>
          Close
        </button>
      )}
      {s.step === "failed" && (
        <>
          <button type="button" onClick={() => dispatch({ type: "reset" })}>
            Start Over
          </button>
          <button type="button" className="primary" onClick={close}>
            Close
          </button>
        </>
      )}
      {s.step === "report" && (
        <button type="button" className="primary" onClick={close}>
          Close
        </button>
      )}
    </>
  );

  return (
    <Dialog title={title} onClose={close} dismissable={!s.busy} width="min(900px, 94vw)" footer={footer} className="wizard">
      <StepIndicator s={s} />
      {s.error && s.step !== "failed" && <ErrorNotice error={s.error} />}
      {s.step === "source" && (obs.isPending ? <Spinner label="Checking OBS…" /> : <SourceStep s={s} dispatch={dispatch} file={file} setFile={setFile} />)}
      {s.step === "inspecting" && (
        <div className="wizard-progress">
          <p>Checking the package…</p>
          <ProgressBar value={s.progress} label="Checking progress" />
          {s.message && <p className="muted">{s.message}</p>}
          <ErrorNotice error={poll.error} />
        </div>
      )}
      {s.step === "review" && <ReviewStep s={s} dispatch={dispatch} />}
      {s.step === "applying" && (
        <div className="wizard-progress">
          <p>Importing…</p>
          <ApplyProgress s={s} />
          <ErrorNotice error={poll.error} />
        </div>
      )}
      {s.step === "report" && <ReportStep s={s} onDownload={downloadReport} downloadError={downloadError} />}
      {s.step === "failed" && <ErrorNotice error={s.error ?? "The import failed."} title="The import failed." />}
    </Dialog>
  );
}
