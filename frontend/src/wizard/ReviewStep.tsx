import { useId } from "react";
import type { DuplicatePolicy, InspectedObject } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Notice } from "../ui/bits";
import { blockedObjects, objectKey, wizardReducer, type WizardState } from "./machine";
import { MissingReferences } from "./MissingReferences";
import { POLICY_LABELS } from "./SourceStep";

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
  const { session } = useSessionWorkspace();
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

/** Step 2: what the package holds against this workspace, the references to map and the policies. */
export function ReviewStep({ s, dispatch }: { s: WizardState; dispatch: React.Dispatch<Parameters<typeof wizardReducer>[1]> }) {
  const statusName = useId();
  const dirId = useId();
  const warningsId = useId();
  const insp = s.inspection!;
  const blocked = blockedObjects(s);
  const jobsWithParams = Object.keys(s.jobParams);
  const zoneId = useId();
  const lockId = useId();
  return (
    <div className="wizard-review">
      {s.profile && s.profileApplied && (
        <Notice kind="info">
          <span role="status" aria-label="Profile">
            Filled in from profile <strong>{s.profile.name}</strong> of {s.profile.workspaceName}: every choice below can be changed.
          </span>
          {s.profileMasked.length > 0 && (
            <span className="small">
              {" "}
              Its masked values ({s.profileMasked.map((m) => (m.kind === "jobParam" ? `${m.job}.${m.name}` : m.name)).join(", ")}) stay on the server and are used unless you type
              another.
            </span>
          )}
        </Notice>
      )}
      <ObjectsTable s={s} dispatch={dispatch} type="job" title="Jobs" objects={insp.jobs} />
      <ObjectsTable s={s} dispatch={dispatch} type="script" title="Scripts" objects={insp.scripts} />
      <ObjectsTable s={s} dispatch={dispatch} type="resource" title="Resources" objects={insp.resources} />
      {blocked.length > 0 && (
        <Notice kind="warning">
          {blocked.length === 1 ? "One object" : `${blocked.length} objects`} cannot be overwritten and will be reported as failed:{" "}
          {blocked.map((b) => `${b.object.name} (${b.object.blockedReason})`).join("; ")}. Choose Skip for them to leave them as they are.
        </Notice>
      )}

      <MissingReferences s={s} dispatch={dispatch} />

      {s.extraMapping.length > 0 && (
        <section className="wizard-section">
          <h3>Other Replacements</h3>
          <p className="muted small">References that exist here too, replaced all the same.</p>
          <ul className="plain-list" aria-label="Other replacements">
            {s.extraMapping.map((m, i) => (
              <li key={`${m.kind}:${m.name}`}>
                {kindLabel(m.kind)} {m.name} → <strong>{m.replace}</strong>{" "}
                <button type="button" className="icon-button" aria-label={`Keep ${kindLabel(m.kind)} ${m.name}`} onClick={() => dispatch({ type: "removeExtraMapping", index: i })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}

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
        <h3>Rewrite Rules</h3>
        <p className="muted small">Text replaced in scripts&apos; content and jobs&apos; node properties, e.g. dev_dw to prod_dw (whole words, or an anchored regular expression).</p>
        {s.rewriteRules.map((r, i) => (
          <div className="param-row" key={i}>
            <input aria-label={`Rewrite rule ${i + 1} find`} placeholder="Find" value={r.find} onChange={(e) => dispatch({ type: "setRule", index: i, row: { ...r, find: e.target.value } })} />
            <input aria-label={`Rewrite rule ${i + 1} replace`} placeholder="Replace with" value={r.replace} onChange={(e) => dispatch({ type: "setRule", index: i, row: { ...r, replace: e.target.value } })} />
            <label className="check-line">
              <input type="checkbox" checked={r.regex} onChange={(e) => dispatch({ type: "setRule", index: i, row: { ...r, regex: e.target.checked } })} />
              Regex
            </label>
            <button type="button" className="icon-button" aria-label={`Remove rewrite rule ${i + 1}`} onClick={() => dispatch({ type: "setRule", index: i, row: null })}>
              ×
            </button>
          </div>
        ))}
        <button type="button" className="link-button" onClick={() => dispatch({ type: "addRule" })}>
          + Add rule
        </button>
      </section>

      <section className="wizard-section">
        <h3>Environment Variables</h3>
        <p className="muted small">Set in this workspace with the import (created when missing); a masked one is kept encrypted.</p>
        {s.variables.map((v, i) => (
          <div className="param-row" key={i}>
            <input aria-label={`Environment variable ${i + 1} name`} placeholder="Name" value={v.name} onChange={(e) => dispatch({ type: "setVariable", index: i, row: { ...v, name: e.target.value } })} />
            <input
              aria-label={`Environment variable ${i + 1} value`}
              placeholder="Value"
              type={v.masked ? "password" : "text"}
              autoComplete={v.masked ? "new-password" : "off"}
              value={v.value}
              onChange={(e) => dispatch({ type: "setVariable", index: i, row: { ...v, value: e.target.value } })}
            />
            <label className="check-line">
              <input type="checkbox" checked={v.masked} onChange={(e) => dispatch({ type: "setVariable", index: i, row: { ...v, masked: e.target.checked } })} />
              Masked
            </label>
            <button type="button" className="icon-button" aria-label={`Remove environment variable ${i + 1}`} onClick={() => dispatch({ type: "setVariable", index: i, row: null })}>
              ×
            </button>
          </div>
        ))}
        {s.profileMasked
          .filter((m) => m.kind === "variable")
          .map((m) => (
            <div className="param-row muted" key={`masked:${m.name}`}>
              {m.name}: masked, set from profile {s.profile?.name}
            </div>
          ))}
        <button type="button" className="link-button" onClick={() => dispatch({ type: "addVariable" })}>
          + Add variable
        </button>
      </section>

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
        <label className="check-line">
          <input type="checkbox" checked={s.keepSchedules} onChange={(e) => dispatch({ type: "setKeepSchedules", value: e.target.checked })} />
          Overwrite scheduled jobs (stopped, updated and started again) instead of failing them
        </label>
        <div className="field">
          <label htmlFor={lockId}>Objects Locked by Others</label>
          <div className="field-control">
            <select id={lockId} value={s.lockPolicy} onChange={(e) => dispatch({ type: "setLockPolicy", value: e.target.value === "skip_locked" ? "skip_locked" : "take" })}>
              <option value="take">Take the lock where the workspace allows it</option>
              <option value="skip_locked">Leave them untouched (skipped)</option>
            </select>
          </div>
        </div>
        <label className="check-line">
          <input type="checkbox" checked={s.releaseLocks} onChange={(e) => dispatch({ type: "setReleaseLocks", value: e.target.checked })} />
          Release the locks the import takes once it has written
        </label>
        <div className="field">
          <label htmlFor={zoneId}>Schedule Time Zone (optional)</label>
          <div className="field-control">
            <input id={zoneId} placeholder="Keep each job's, or e.g. GMT+8, Europe/Paris" value={s.expressionTimeZone} onChange={(e) => dispatch({ type: "setTimeZone", value: e.target.value })} />
          </div>
        </div>
      </section>

      {(insp.warnings ?? []).length > 0 && (
        <section className="wizard-section" aria-labelledby={warningsId}>
          <h3 id={warningsId}>Warnings ({insp.warnings!.length})</h3>
          <ul className="wizard-warnings" aria-label="Import warnings">
            {insp.warnings!.map((w) => (
              <li key={w} className="warning-text">
                {w}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

/** The apply step: the progress bar and every object of the package, filling in as the worker writes. */
