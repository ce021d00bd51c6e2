import { useId, useState } from "react";
import { useImportProfiles } from "../api/profiles";
import type { DuplicatePolicy, Id } from "../api/types";
import { Notice } from "../ui/bits";
import { sourceProblem, wizardReducer, type WizardState } from "./machine";
import { formatMiB } from "./limits";
import { ObsPicker } from "./ObsPicker";

export const POLICY_LABELS: Record<DuplicatePolicy, string> = { overwrite: "Overwrite", skip: "Skip", rename: "Rename" };

/** Step 1 of the import wizard: where the package is (OBS, within the workspace's allow-list, or this
 * computer) and what to do with objects of the same name. */
export function SourceStep({ s, dispatch, file, setFile, ws }: { s: WizardState; dispatch: React.Dispatch<Parameters<typeof wizardReducer>[1]>; file: File | null; setFile: (f: File | null) => void; ws: Id }) {
  const profiles = useImportProfiles(ws);
  const profileId = useId();
  const locName = useId();
  const policyName = useId();
  const obsId = useId();
  const fileId = useId();
  const [browsing, setBrowsing] = useState(false);
  const obsDisabled = !!s.obs && !s.obs.available;
  const problem = sourceProblem(s);
  const limit = s.maxBytes !== null ? ` of at most ${formatMiB(s.maxBytes)}` : "";
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
        // The workspace's own reason: OBS not configured or not answering, or an empty OBS allow-list.
        <Notice kind="info">OBS is unavailable. {s.obs?.reason || "Import the package from your computer instead."}</Notice>
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
            <div className="field-hint">A .zip package{limit} exported from DataArts Factory.</div>
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
            <div className="field-hint">A .zip package{limit} exported from DataArts Factory.</div>
          </div>
        </div>
      )}
      {s.category === "job" && (profiles.data ?? []).length > 0 && (
        <div className="field">
          <label htmlFor={profileId}>Environment Profile (optional)</label>
          <div className="field-control">
            <select
              id={profileId}
              value={s.profile?.id ?? ""}
              onChange={(e) => {
                const picked = (profiles.data ?? []).find((p) => p.id === Number(e.target.value));
                dispatch({
                  type: "setProfile",
                  profile: picked ? { id: picked.id, name: picked.name, workspaceName: picked.workspaceName } : null,
                  policy: picked ? (picked.duplicatePolicy as DuplicatePolicy) : undefined,
                });
              }}
            >
              <option value="">None</option>
              {(profiles.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} (from {p.workspaceName})
                </option>
              ))}
            </select>
            <div className="field-hint">A profile that promotes to this workspace fills in the next step with its choices (replacements, parameters, rewrite rules, variables, policies), each of which you can change.</div>
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
