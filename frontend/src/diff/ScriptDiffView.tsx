import { useMemo } from "react";
import { ChangeTable } from "./ChangeTable";
import { diffLines, formatValue, scriptSummary, type ScriptDiff } from "./logic";
import "./diff.css";

const SIGNS = { add: "+", del: "−", context: "", hunk: "", meta: "" } as const;

/** What changed in a script: a line diff of its content (numbered on both sides) and its other properties. */
export function ScriptDiffView({ diff, label = "Script differences" }: { diff: ScriptDiff; label?: string }) {
  const lines = useMemo(() => diffLines(diff.contentDiff), [diff]);
  const rows = useMemo(
    () => diff.properties.map((c) => ({ group: "Script", status: c.kind, path: c.path, old: formatValue(c, "old"), new: formatValue(c, "new") })),
    [diff],
  );
  return (
    <section className="script-diff" aria-label={label}>
      <div className="diff-bar">
        <span className="diff-summary">{scriptSummary(diff)}</span>
      </div>
      {lines.length > 0 ? (
        <div className="line-diff-wrap">
          <table className="line-diff" aria-label="Content differences">
            <tbody>
              {lines
                .filter((l) => l.kind !== "meta")
                .map((l, index) => (
                  <tr key={index} className={`line-${l.kind}`}>
                    <td className="line-no" aria-label={l.oldNumber === undefined ? undefined : `old line ${l.oldNumber}`}>
                      {l.oldNumber ?? ""}
                    </td>
                    <td className="line-no" aria-label={l.newNumber === undefined ? undefined : `new line ${l.newNumber}`}>
                      {l.newNumber ?? ""}
                    </td>
                    <td className="line-sign" aria-hidden="true">
                      {SIGNS[l.kind]}
                    </td>
                    <td className="line-text">
                      {l.kind === "add" && <span className="sr-only">added: </span>}
                      {l.kind === "del" && <span className="sr-only">removed: </span>}
                      {l.text}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">The content is the same.</p>
      )}
      {rows.length > 0 && <ChangeTable rows={rows} label="Property changes" />}
    </section>
  );
}
