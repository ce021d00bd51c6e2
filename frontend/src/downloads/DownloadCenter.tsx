import { useQuery } from "@tanstack/react-query";
import { saveBlob } from "../api/client";
import * as ep from "../api/endpoints";
import { keys } from "../api/hooks";
import type { DownloadRecord } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { ErrorNotice, formatBytes, formatTime, ProgressBar, Spinner, useToast } from "../ui/bits";

const running = (d: DownloadRecord) => d.status !== "SUCCESSFUL" && d.status !== "FAILED";

const STATUS_LABELS: Record<string, string> = {
  PENDING: "Waiting",
  RUNNING: "Exporting",
  WAITING: "Waiting",
  SUCCESSFUL: "Succeeded",
  FAILED: "Failed",
};

/** The Download Center: every export package of this workspace (yours; an admin sees everyone's). */
export function DownloadCenter() {
  const { workspace } = useSessionWorkspace();
  const ws = workspace.id;
  const toast = useToast();
  const q = useQuery({
    queryKey: keys.downloads(ws),
    queryFn: () => ep.downloadsList(ws),
    refetchInterval: (query) => (query.state.data?.some(running) ? 2000 : false),
  });

  const download = async (d: DownloadRecord) => {
    if (!d.downloadUrl) return;
    try {
      const { blob, fileName } = await ep.downloadFile(ws, d.id, d.fileName);
      saveBlob(blob, fileName);
    } catch (e) {
      toast(e instanceof Error ? e.message : "The download failed.", "error");
    }
  };

  return (
    <section className="page" aria-labelledby="downloads-title">
      <header className="page-header">
        <h1 id="downloads-title">Download Center</h1>
        <button type="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
          Refresh
        </button>
      </header>
      {q.isPending && <Spinner label="Loading downloads…" />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      {q.data && q.data.length === 0 && <p className="muted">No exports yet. Export jobs from the job directory or a job's canvas; large exports and exports to OBS are listed here.</p>}
      {q.data && q.data.length > 0 && (
        <table className="grid" aria-label="Exported packages">
          <thead>
            <tr>
              <th scope="col">File Name</th>
              <th scope="col">Size</th>
              <th scope="col">Created</th>
              <th scope="col">Status</th>
              <th scope="col">OBS Path</th>
              <th scope="col">Operation</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((d) => (
              <tr key={d.id}>
                <td>{d.fileName}</td>
                <td>{formatBytes(d.size)}</td>
                <td>{formatTime(d.createdAt)}</td>
                <td className="status-cell">
                  {running(d) ? (
                    <ProgressBar value={d.progress} label={`Progress of ${d.fileName}`} />
                  ) : (
                    <span className={d.status === "FAILED" ? "error-text" : "success-text"}>{STATUS_LABELS[d.status] ?? d.status}</span>
                  )}
                  {d.status === "FAILED" && d.message && <div className="error-text small">{d.message}</div>}
                </td>
                <td className="small">{d.obsPath || "—"}</td>
                <td>
                  {d.downloadUrl && d.status === "SUCCESSFUL" ? (
                    <button type="button" className="link-button" onClick={() => void download(d)} aria-label={`Download ${d.fileName}`}>
                      Download
                    </button>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
