import type { ReportRow } from "../api/types";
import { ErrorNotice, ProgressBar } from "../ui/bits";
import { applyProgressView, reportCounts, unchangedCount, unchangedRows, type WizardState } from "./machine";
import { unresolvedByJob, unresolvedText } from "./references";
import { kindLabel } from "./ReviewStep";

function entryName(e: ReportRow): string {
  const base = `${e.type.replace(/_/g, " ")} ${e.name}`;
  return e.newName ? `${base} → ${e.newName}` : base;
}

/** Step 3 while it runs: the objects written so far and those still waiting. */
export function ApplyProgress({ s }: { s: WizardState }) {
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

/** The import done: what was created, overwritten, left unchanged, skipped, renamed and failed, and the report
 * to download. */
export function ReportStep({ s, onDownload, downloadError }: { s: WizardState; onDownload: () => void; downloadError: unknown }) {
  const r = s.report!;
  const c = reportCounts(r);
  const unchanged = unchangedCount(r);
  const groups: [string, ReportRow[]][] = [
    ["Created", r.created],
    ["Overwritten", r.overwritten],
    ["Unchanged", unchangedRows(r)],
    ["Skipped", r.skipped],
    ["Renamed", r.renamed],
  ];
  const unresolved = unresolvedByJob(r);
  return (
    <div className="wizard-report">
      <p className={c.failed ? "error-text" : "success-text"} role="status">
        {r.rolledBack ? "Nothing was imported: the import was rolled back. " : c.failed ? `${c.failed} failed. ` : "The import finished. "}
        {c.created} created, {c.overwritten} overwritten, {unchanged > 0 && `${unchanged} unchanged, `}
        {c.skipped} skipped, {c.renamed} renamed.
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
                  <td className="error-text">{f.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {unresolved.length > 0 && (
        <section className="wizard-section" aria-label="Left unresolved">
          <h3>Left Unresolved ({unresolved.length === 1 ? "1 job" : `${unresolved.length} jobs`})</h3>
          <p className="muted small">These jobs were imported; the flagged nodes fail when scheduled until the objects exist.</p>
          <ul className="report-list">
            {unresolved.map(({ job, items }) => (
              <li key={job}>
                <strong>{job}</strong>
                <ul>
                  {items.map((u) => (
                    <li key={`${u.node}:${u.kind}:${u.name}:${u.property}`} className="warning-text" aria-label={`Unresolved in job ${job}: ${unresolvedText(u)}`}>
                      <span aria-hidden="true">⚠ </span>
                      {unresolvedText(u)}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
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
