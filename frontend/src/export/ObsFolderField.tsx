import { useId } from "react";
import { isApiError } from "../api/client";
import { useObsStatus } from "../api/hooks";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { obsTargetHint, type ExportChoices, type ExportTarget } from "./logic";

/** The server's refusal of the OBS folder (outside the allow-list, not a folder), shown under the field. */
export const isObsPathError = (e: unknown) => isApiError(e) && (e.code === "obs_path_forbidden" || e.code === "obs_path_invalid");
/** The package's name is taken in that folder: shown beside the overwrite box. */
export const isObsExistsError = (e: unknown) => isApiError(e) && e.code === "obs_object_exists";

/**
 * The export dialog's OBS part: the folder the package is written into (under its DataArts name, as
 * DataArts does), where exactly it will land, and whether it may replace a package of the same name.
 */
export function ObsFolderField({
  target,
  choices,
  setChoices,
  error,
}: {
  target: ExportTarget;
  choices: ExportChoices;
  setChoices: (update: (c: ExportChoices) => ExportChoices) => void;
  error: unknown;
}) {
  const { workspace } = useSessionWorkspace();
  const folderId = useId();
  const overwriteId = useId();
  const conflictId = useId();
  // Viewers cannot read the status (nor export); the list is only a hint here, the server decides.
  const status = useObsStatus(workspace.id, workspace.role !== "viewer");
  const allowList = status.data?.allowList;
  const where = obsTargetHint(target, choices.obsPath);
  const hasFolder = !!choices.obsPath.trim();
  const pathError = isObsPathError(error) ? (error as Error).message : null;
  const conflict = isObsExistsError(error) ? (error as Error).message : null;
  return (
    <>
      <div className={`field${pathError ? " has-error" : ""}`}>
        <label htmlFor={folderId}>OBS Folder (optional)</label>
        <div className="field-control">
          <input
            id={folderId}
            placeholder="obs://bucket/folder/"
            value={choices.obsPath}
            onChange={(e) => setChoices((c) => ({ ...c, obsPath: e.target.value }))}
            aria-describedby={`${folderId}-hint`}
          />
          <div className="field-hint" id={`${folderId}-hint`}>
            {where ?? "Leave empty to download the package to this computer. With a folder, the package is written into it under its DataArts name and listed in the Download Center."}
          </div>
          {allowList && (
            <div className="field-hint">
              {allowList.length
                ? `This workspace may export to: ${allowList.map((e) => (e === "*" ? "any bucket" : `obs://${e.includes("/") ? e : `${e}/`}`)).join(", ")}.`
                : "This workspace's OBS allow-list is empty: it cannot export to OBS."}
            </div>
          )}
          {pathError && (
            <div className="field-error" role="alert">
              {pathError}
            </div>
          )}
        </div>
      </div>
      {hasFolder && (
        <div className="field">
          <span className="field-label" aria-hidden="true" />
          <div className="field-control">
            <label className="check-line" htmlFor={overwriteId}>
              <input
                id={overwriteId}
                type="checkbox"
                checked={!!choices.obsOverwrite}
                aria-describedby={conflict ? conflictId : undefined}
                onChange={(e) => setChoices((c) => ({ ...c, obsOverwrite: e.target.checked }))}
              />
              Overwrite a file of the same name
            </label>
            {conflict && (
              <div className="field-error" role="alert" id={conflictId}>
                {conflict}
              </div>
            )}
          </div>
        </div>
      )}
    </>
  );
}
